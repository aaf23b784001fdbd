/**
 * The options of the project's commands, each defined once: `parseArgs` reads them, `--help` prints
 * them, and the docs show that help text (a test checks they match).
 *
 * ```ts
 * const LOCAL = defineCommand({
 *   usage: 'npm run local -- [options]',
 *   options: { 'api-port': { type: 'string', default: '3001', value: '<port>', description: 'port of the first API' } },
 * });
 * const values = parseCommandLine(LOCAL); // values['api-port']: string
 * ```
 */
import { parseArgs } from 'node:util';

/** One option: what `parseArgs` needs, and what the help says. */
export interface OptionDefinition {
  readonly type: 'string' | 'boolean';
  readonly default?: string | boolean;
  /** The value's placeholder in the help, e.g. `<port>`; none for a flag. */
  readonly value?: string;
  /** What the option does, in one or more sentences (the help wraps them). */
  readonly description: string;
  /** How the help states the default when `default` does not say it (a computed value). */
  readonly defaultText?: string;
}

/** A command: its usage line, options, and text after the options. */
export interface CommandDefinition {
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionDefinition>>;
  readonly epilogue?: string;
}

/** Keeps a command's literal types (for typed values) while checking its shape. */
export function defineCommand<const C extends CommandDefinition>(command: C): C {
  return command;
}

/** The parsed values of a command's options: a string or flag, always set when it has a default. */
export type OptionValues<O extends CommandDefinition['options']> = {
  -readonly [K in keyof O]: O[K] extends { readonly type: 'boolean' }
    ? O[K] extends { readonly default: boolean }
      ? boolean
      : boolean | undefined
    : O[K] extends { readonly default: string }
      ? string
      : string | undefined;
};

const HELP_WIDTH = 100;
const DESCRIPTION_COLUMN = 28;

/** The `--help` text of a command. */
export function helpText(command: CommandDefinition): string {
  const lines = [`Usage: ${command.usage}`, ''];
  for (const [name, option] of Object.entries(command.options)) {
    const flag = `  --${name}${option.value ? ` ${option.value}` : ''}`;
    const shown = option.defaultText ?? (typeof option.default === 'string' ? option.default : undefined);
    const text = `${option.description}${shown === undefined ? '' : ` (default: ${shown})`}`;
    const wrapped = wrap(text, HELP_WIDTH - DESCRIPTION_COLUMN);
    if (flag.length + 2 <= DESCRIPTION_COLUMN) {
      lines.push(`${flag.padEnd(DESCRIPTION_COLUMN)}${wrapped[0]}`);
    } else {
      lines.push(flag, `${' '.repeat(DESCRIPTION_COLUMN)}${wrapped[0]}`);
    }
    for (const rest of wrapped.slice(1)) lines.push(`${' '.repeat(DESCRIPTION_COLUMN)}${rest}`);
  }
  lines.push('  --help                    this text');
  if (command.epilogue) lines.push('', command.epilogue);
  return lines.join('\n');
}

/**
 * Parses the command line by the command's definition. `--help` prints the help and exits; an
 * unknown option or a missing value is an error that names it and shows the help.
 */
export function parseCommandLine<const C extends CommandDefinition>(
  command: C,
  args: readonly string[] = process.argv.slice(2),
): OptionValues<C['options']> {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {
    help: { type: 'boolean', default: false },
  };
  for (const [name, option] of Object.entries(command.options)) {
    options[name] =
      option.default === undefined ? { type: option.type } : { type: option.type, default: option.default };
  }
  try {
    const { values } = parseArgs({ args: [...args], options, strict: true });
    if (values.help === true) {
      console.log(helpText(command));
      process.exit(0);
    }
    delete values.help;
    return values as OptionValues<C['options']>;
  } catch (error) {
    // Node's own errors (ERR_PARSE_ARGS_*), told by their code: they may come from another realm.
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(`${String(message)}\n\n${helpText(command)}`);
    }
    throw error;
  }
}

/** A command line the command cannot run: the message says why and shows the help. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
