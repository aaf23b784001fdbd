/**
 * Where a load test sends its requests: the API URL and key of a variant, read from stack outputs
 * in the `cdk deploy --outputs-file` format. Refuses to aim at anything but this machine unless
 * the outputs file was named explicitly and the API key came from the environment, so no default
 * can send load to a real deployment.
 */
import type { Variant } from '../lib/config';
import { variantStackName, variantStackNames } from '../lib/stacks/stack-names';

/** Stack outputs as `cdk deploy --outputs-file` (and `npm run local`) write them: stack → output → value. */
export type StackOutputs = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The outputs file `npm run local` writes, and the only one `npm run load` reads by default. */
export const LOCAL_OUTPUTS_FILE = 'outputs.local.json';

/** Environment variable that carries the API key value for a deployment on AWS. */
export const API_KEY_ENVIRONMENT_VARIABLE = 'RESILIENT_API_KEY';

/** What a load test aims at. */
export interface LoadTarget {
  /** The stack the URL came from. */
  readonly stackName: string;
  /** Base URL of the API stage without the trailing slash (Artillery's `target`). */
  readonly url: string;
  /** Which output the URL came from: `ApiUrl`, or `GlobalUrl` for multi-region. */
  readonly urlOutput: 'ApiUrl' | 'GlobalUrl';
  /** API key value sent as `x-api-key`. */
  readonly apiKey: string;
  /** Whether the URL is on this machine (a loopback address or `localhost`). */
  readonly local: boolean;
}

/** What {@link resolveLoadTarget} needs. */
export interface LoadTargetOptions {
  readonly outputs: StackOutputs;
  readonly variant: Variant;
  /** Path of the outputs file, for messages. */
  readonly outputsFile: string;
  /** Whether the outputs file was named on the command line (`--outputs`) rather than defaulted. */
  readonly outputsFileExplicit: boolean;
  /** The API key value from the environment ({@link API_KEY_ENVIRONMENT_VARIABLE}), if set. */
  readonly apiKeyFromEnvironment?: string;
}

/** A target that cannot be used, with a message that says what to do. */
export class LoadTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadTargetError';
  }
}

/** Whether a URL points at this machine: `localhost`, `*.localhost`, 127.0.0.0/8 or `::1`. */
export function isLocalUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

/**
 * Finds the variant's stack in the outputs and its URL: `ApiUrl` for sync and async; for multi the
 * `GlobalUrl` of any of its stacks when there is one, else the first stack's `ApiUrl`. The API key
 * is the environment's, else (local targets only) the outputs' `ApiKeyValue`.
 *
 * @throws LoadTargetError if the stack or URL is missing, or a target on AWS lacks an explicit
 * outputs file or the API key from the environment.
 */
export function resolveLoadTarget(options: LoadTargetOptions): LoadTarget {
  const { outputs, variant, outputsFile } = options;
  const stackNames = variantStackNames(Object.keys(outputs), variant);
  if (stackNames.length === 0) {
    const wanted = variantStackName(variant, variant === 'multi' ? '<region>' : undefined);
    throw new LoadTargetError(
      `${outputsFile} has no ${wanted} stack (it has: ${Object.keys(outputs).join(', ') || 'none'}); ` +
        `run npm run local -- --variants ${variant}, or deploy the variant and pass its outputs with --outputs`,
    );
  }
  const globalStack = variant === 'multi' ? stackNames.find((name) => outputs[name].GlobalUrl) : undefined;
  const stackName = globalStack ?? stackNames[0];
  const urlOutput = globalStack ? 'GlobalUrl' : 'ApiUrl';
  const url = outputs[stackName][urlOutput];
  if (!url) throw new LoadTargetError(`${outputsFile}: ${stackName} has no ${urlOutput} output`);
  const local = isLocalUrl(url);
  const apiKeyFromEnvironment = options.apiKeyFromEnvironment || undefined;
  if (!local) {
    if (!options.outputsFileExplicit) {
      throw new LoadTargetError(
        `${outputsFile} points at ${url}, which is not on this machine. Refusing to send load to it ` +
          `from the default outputs file: name the deployment's outputs file with --outputs <file>.`,
      );
    }
    if (apiKeyFromEnvironment === undefined) {
      throw new LoadTargetError(
        `${url} is not on this machine: set ${API_KEY_ENVIRONMENT_VARIABLE} to the API key value ` +
          `(aws apigateway get-api-key --api-key ${outputs[stackName].ApiKeyId ?? '<ApiKeyId>'} --include-value ` +
          `--query value --output text); an outputs file never supplies the key of a deployment on AWS.`,
      );
    }
  }
  const apiKey = apiKeyFromEnvironment ?? outputs[stackName].ApiKeyValue;
  if (!apiKey) {
    throw new LoadTargetError(
      `${outputsFile}: ${stackName} has no ApiKeyValue output (npm run local writes it); ` +
        `or set ${API_KEY_ENVIRONMENT_VARIABLE}`,
    );
  }
  return { stackName, url: url.replace(/\/+$/, ''), urlOutput, apiKey, local };
}
