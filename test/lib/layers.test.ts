/**
 * Loading the construct library (what synthesis does) loads no handler code: from lambdas/ only the
 * pure contract modules, and none of the handlers' runtime dependencies.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const projectRoot = path.join(__dirname, '../..');

test('requiring lib/ loads only lambdas/contract/ of the handler code', () => {
  // GIVEN a fresh Node.js process WHEN it loads the library THEN it lists what it loaded
  const script = `
    require('./lib');
    const loaded = Object.keys(require.cache).map((file) => require('path').relative(process.cwd(), file));
    console.log(JSON.stringify(loaded));`;
  const loaded = JSON.parse(
    execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: projectRoot,
      encoding: 'utf8',
    }),
  ) as string[];
  expect(loaded).toContain(path.join('lambdas', 'contract', 'order-schema.ts'));
  expect(
    loaded.filter((file) => file.startsWith('lambdas') && !file.startsWith(path.join('lambdas', 'contract'))),
  ).toEqual([]);
  expect(
    loaded.filter((file) =>
      /node_modules[\\/](aws-jwt-verify|@aws-lambda-powertools|@aws-sdk)[\\/]/.test(file),
    ),
  ).toEqual([]);
});
