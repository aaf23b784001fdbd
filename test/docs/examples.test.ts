/**
 * What the README and docs/ show must work as written: their TypeScript examples type-check against
 * the library, and the list of chaos commands is the one `npm run chaos` prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { CHAOS_USAGE } from '../../local-cloud/control/fault-commands';

const projectRoot = path.join(__dirname, '../..');

/** The text of a document's section under `heading`, up to the next section of the same level. */
function section(document: string, heading: string): string {
  const text = fs.readFileSync(path.join(projectRoot, document), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${document} has no section ${heading}`);
  const level = heading.split(' ')[0];
  const next = text.indexOf(`\n${level} `, start + heading.length + 2);
  return text.slice(start, next < 0 ? undefined : next);
}

/** A whole document (its title is its only first-level heading). */
function wholeDocument(document: string): string {
  return fs.readFileSync(path.join(projectRoot, document), 'utf8');
}

describe('the examples of the README and docs/', () => {
  /** The diagnostics of the TypeScript compiler for a README example, with the package's imports mapped to this checkout. */
  function typeCheck(example: string, imports: Readonly<Record<string, string>>): string[] {
    let source = example;
    for (const [from, to] of Object.entries(imports))
      source = source.split(`from '${from}'`).join(`from '${to}'`);
    const file = path.join(projectRoot, 'test', `.docs-example-${process.pid}.ts`);
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
      section('README.md', '## Using the constructs in your own CDK app'),
    )?.[1];
    // (an example that did not import the package would check nothing against the library)
    expect(example).toContain("from 'cdk-resilient-api'");
    // WHEN the TypeScript compiler checks it with the project's settings THEN it has no errors
    expect(typeCheck(example as string, { 'cdk-resilient-api': '../lib' })).toEqual([]);
  }, 60_000);

  test('the example of "Testing your own mapping templates" type-checks against the package\'s function', () => {
    const example = /```ts\n([\s\S]*?)\n```/.exec(wholeDocument('docs/mapping-templates.md'))?.[1];
    expect(example).toContain("from 'cdk-resilient-api/mapping-templates'");
    expect(
      typeCheck(example as string, {
        'cdk-resilient-api/mapping-templates': '../local-cloud/apigateway/mapping-template',
      }),
    ).toEqual([]);
  }, 60_000);

  test('lists the chaos commands exactly as `npm run chaos` prints them', () => {
    expect(wholeDocument('docs/local-cloud.md')).toContain(`\`\`\`text\n${CHAOS_USAGE}\n\`\`\``);
  });
});
