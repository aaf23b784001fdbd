import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { handlerFileOf } from '../../../local-cloud/lambda/handler-file';

// Lambda's order and module systems, from the Node.js runtime interface client (UserFunction.js,
// _tryRequire: "try .js, .mjs, and .cjs in that order") and the Lambda developer guide ("By default,
// Lambda treats files with the .js suffix as CommonJS modules"; ".mjs files are always ES modules
// and .cjs files are always CommonJS modules").
describe('handlerFileOf (which file Lambda loads for `index.handler`, and how)', () => {
  let folder: string;
  const write = (name: string, text = ''): void => fs.writeFileSync(path.join(folder, name), text);
  const index = (): string => path.join(folder, 'index');

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-file-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  test('.js before .mjs before .cjs', () => {
    write('index.cjs');
    expect(handlerFileOf(index())).toEqual({ file: `${index()}.cjs`, format: 'commonjs' });
    write('index.mjs');
    expect(handlerFileOf(index())).toEqual({ file: `${index()}.mjs`, format: 'esm' });
    write('index.js');
    expect(handlerFileOf(index())).toEqual({ file: `${index()}.js`, format: 'commonjs' });
  });

  test('a .js file is an ES module under a package.json of type module, the nearest one deciding', () => {
    fs.mkdirSync(path.join(folder, 'bundle'));
    fs.writeFileSync(path.join(folder, 'bundle', 'index.js'), '');
    write('package.json', JSON.stringify({ type: 'module' }));
    const modulePath = path.join(folder, 'bundle', 'index');
    expect(handlerFileOf(modulePath)).toEqual({ file: `${modulePath}.js`, format: 'esm' });
    fs.writeFileSync(path.join(folder, 'bundle', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    expect(handlerFileOf(modulePath)).toEqual({ file: `${modulePath}.js`, format: 'commonjs' });
  });

  test('the extensionless file first, as CommonJS; nothing at all is undefined', () => {
    expect(handlerFileOf(index())).toBeUndefined();
    write('index.mjs');
    write('index');
    expect(handlerFileOf(index())).toEqual({ file: index(), format: 'commonjs' });
  });
});
