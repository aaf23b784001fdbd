/**
 * What the README shows must work as written: its construct example type-checks against the
 * library, and its list of chaos commands is the one `npm run chaos` prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { CHAOS_USAGE } from '../local-cloud/control/fault-commands';

const projectRoot = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

/** The text of the README's section under `heading`, up to the next section of the same level. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section ${heading}`);
  const level = heading.split(' ')[0];
  const next = readme.indexOf(`\n${level} `, start + heading.length + 2);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe('README', () => {
  /** The diagnostics of the TypeScript compiler for a README example, with the package's imports mapped to this checkout. */
  function typeCheck(example: string, imports: Readonly<Record<string, string>>): string[] {
    let source = example;
    for (const [from, to] of Object.entries(imports))
      source = source.split(`from '${from}'`).join(`from '${to}'`);
    const file = path.join(projectRoot, 'test', `.readme-example-${process.pid}.ts`);
    fs.writeFileSync(file, source);
    try {
      const config = ts.getParsedCommandLineOfConfigFile(
        path.join(projectRoot, 'tsconfig.json'),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
            throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
          },
        },
      );
      const program = ts.createProgram([file], { ...config?.options, noEmit: true });
      return ts
        .getPreEmitDiagnostics(program, program.getSourceFile(file))
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  test('the example of "Using the constructs" type-checks against the library', () => {
    // GIVEN the example, importing the library from this checkout instead of the package
    const example = /```ts\n([\s\S]*?)\n```/.exec(
      section('## Using the constructs in your own CDK app'),
    )?.[1];
    expect(example).toBeDefined();
    // WHEN the TypeScript compiler checks it with the project's settings THEN it has no errors
    expect(typeCheck(example as string, { 'cdk-resilient-api': '../lib' })).toEqual([]);
  }, 60_000);

  test('the example of "Testing your own mapping templates" type-checks against the package\'s function', () => {
    const example = /```ts\n([\s\S]*?)\n```/.exec(section('### Testing your own mapping templates'))?.[1];
    expect(example).toBeDefined();
    expect(
      typeCheck(example as string, {
        'cdk-resilient-api/mapping-templates': '../local-cloud/apigateway/mapping-template',
      }),
    ).toEqual([]);
  }, 60_000);

  test('lists the chaos commands exactly as `npm run chaos` prints them', () => {
    expect(section('## The local cloud')).toContain(`\`\`\`text\n${CHAOS_USAGE}\n\`\`\``);
  });
});
