import * as fs from 'node:fs';
import * as path from 'node:path';

/** The handlers this project ships, by folder name under `lambdas/`. */
export type HandlerName =
  'create-order' | 'get-order' | 'health' | 'jwt-authorizer' | 'load-shedder' | 'process-orders';

/**
 * Path of a shipped handler's TypeScript entry. The same code runs from the repository (`lib/`) and
 * from the published package (`dist/lib/`), so the package root is found by walking up to the
 * `package.json` rather than by a fixed relative path.
 */
export function handlerEntry(name: HandlerName): string {
  const entry = path.join(packageRoot(), 'lambdas', name, 'handler.ts');
  if (!fs.existsSync(entry)) {
    throw new Error(`Handler entry not found: ${entry}`);
  }
  return entry;
}

function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
