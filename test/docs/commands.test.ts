/**
 * The docs show each command's options as the command's own `--help` prints them, and the help
 * comes from the definitions the command parses with: one source.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { helpText, parseCommandLine, UsageError, type OptionDefinition } from '../../bin/cli';
import { LOAD_COMMAND, LOCAL_COMMAND, START_COMMAND } from '../../bin/commands';

const projectRoot = path.join(__dirname, '../..');
const read = (document: string): string => fs.readFileSync(path.join(projectRoot, document), 'utf8');

describe("the commands' options", () => {
  test.each([
    ['npm run local', LOCAL_COMMAND, 'docs/local-cloud.md'],
    ['npm start', START_COMMAND, 'docs/experiment.md'],
    ['npm run load', LOAD_COMMAND, 'docs/load-tests.md'],
  ] as const)('%s: its doc shows its --help exactly', (_name, command, document) => {
    expect(read(document)).toContain(`\`\`\`text\n${helpText(command)}\n\`\`\``);
  });

  test('every option is in the help with its default', () => {
    const help = helpText(LOCAL_COMMAND);
    const options = Object.entries<OptionDefinition>(LOCAL_COMMAND.options);
    expect(options.filter(([name]) => !help.includes(`--${name}`))).toEqual([]);
    const withDefaults = options.filter(([, option]) => typeof option.default === 'string');
    expect(withDefaults.length).toBeGreaterThan(5);
    expect(
      withDefaults.filter(([, option]) => !help.includes(`(default: ${String(option.default)})`)),
    ).toEqual([]);
  });

  test('parses the values and applies the defaults', () => {
    const values = parseCommandLine(LOCAL_COMMAND, ['--api-port', '4001', '--synth']);
    expect(values['api-port']).toBe('4001');
    expect(values.synth).toBe(true);
    expect(values['dynamodb-port']).toBe('8000');
    expect(values['global-port']).toBeUndefined();
  });

  test('an unknown option is an error that names it and shows the help', () => {
    expect(() => parseCommandLine(START_COMMAND, ['--profil', 'full'])).toThrow(UsageError);
    expect(() => parseCommandLine(START_COMMAND, ['--profil', 'full'])).toThrow(
      /--profil[\s\S]*Usage: npm start/,
    );
  });

  test('an option without its value is an error', () => {
    expect(() => parseCommandLine(LOAD_COMMAND, ['--variant'])).toThrow(/--variant/);
  });
});
