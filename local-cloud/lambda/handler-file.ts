/**
 * Which file Lambda's Node.js runtime loads for a handler module such as `index`, and how. The
 * order is the runtime interface client's (`UserFunction.js`, `_tryRequire`): `index` itself,
 * then `index.js`, `index.mjs`, `index.cjs`. An `.mjs` file is an ES module, a `.cjs` file
 * CommonJS, and a `.js` file CommonJS unless the nearest `package.json` says `"type": "module"`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The file to load and the module system to load it with. */
export interface HandlerFile {
  readonly file: string;
  readonly format: 'esm' | 'commonjs';
}

/** The handler file of a module path without extension, or undefined when there is none. */
export function handlerFileOf(modulePathWithoutExtension: string): HandlerFile | undefined {
  if (isFile(modulePathWithoutExtension)) return { file: modulePathWithoutExtension, format: 'commonjs' };
  for (const extension of ['.js', '.mjs', '.cjs']) {
    const file = modulePathWithoutExtension + extension;
    if (!isFile(file)) continue;
    if (extension === '.mjs') return { file, format: 'esm' };
    if (extension === '.cjs') return { file, format: 'commonjs' };
    return { file, format: nearestPackageType(path.dirname(file)) === 'module' ? 'esm' : 'commonjs' };
  }
  return undefined;
}

function isFile(candidate: string): boolean {
  return existsSync(candidate) && statSync(candidate).isFile();
}

/** The `type` of the nearest `package.json` at or above a folder, as Node.js reads it. */
function nearestPackageType(folder: string): unknown {
  for (let current = folder; ; current = path.dirname(current)) {
    const manifest = path.join(current, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(current) === current) return undefined;
  }
}
