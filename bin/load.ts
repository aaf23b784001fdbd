#!/usr/bin/env node
/**
 * `npm run load`: runs one Artillery scenario against one variant. The target comes from stack
 * outputs in the `cdk deploy --outputs-file` format: by default the local cloud's
 * `outputs.local.json`; a deployment on AWS needs its outputs file named with `--outputs` and its
 * API key in `RESILIENT_API_KEY`. Exits with Artillery's exit code (non-zero when an `ensure`
 * check or an `expect` failed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VARIANTS, type Variant } from '../lib/config';
import { runArtillery, SCENARIOS, type ScenarioName } from '../load-tests/artillery-runner';
import {
  API_KEY_ENVIRONMENT_VARIABLE,
  LOCAL_OUTPUTS_FILE,
  LoadTargetError,
  resolveLoadTarget,
  type StackOutputs,
} from '../load-tests/targets';
import { helpText, parseCommandLine, UsageError } from './cli';
import { LOAD_COMMAND } from './commands';

function readCommandLine() {
  const values = parseCommandLine(LOAD_COMMAND);
  if (!values.variant || !(VARIANTS as readonly string[]).includes(values.variant)) {
    throw new LoadTargetError(
      `--variant takes ${VARIANTS.join(', ')} (given ${values.variant ?? 'none'})\n\n${helpText(LOAD_COMMAND)}`,
    );
  }
  if (!values.scenario || !(SCENARIOS as readonly string[]).includes(values.scenario)) {
    throw new LoadTargetError(
      `--scenario takes ${SCENARIOS.join(', ')} (given ${values.scenario ?? 'none'})\n\n${helpText(LOAD_COMMAND)}`,
    );
  }
  const variables: Record<string, number> = {};
  if (values['duplicate-share'] !== undefined) {
    const share = Number(values['duplicate-share']);
    if (!(share >= 0 && share <= 1)) {
      throw new LoadTargetError(
        `--duplicate-share must be between 0 and 1 (given ${values['duplicate-share']})`,
      );
    }
    variables.duplicateShare = share;
  }
  if (values['max-attempts'] !== undefined) {
    const attempts = Number(values['max-attempts']);
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new LoadTargetError(
        `--max-attempts must be a whole number of at least 1 (given ${values['max-attempts']})`,
      );
    }
    variables.maxAttempts = attempts;
  }
  let overrides: Record<string, unknown> | undefined;
  if (values.overrides !== undefined) {
    try {
      overrides = JSON.parse(values.overrides) as Record<string, unknown>;
    } catch (error) {
      throw new LoadTargetError(`--overrides must be a JSON object: ${(error as Error).message}`);
    }
  }
  return {
    variant: values.variant as Variant,
    scenario: values.scenario as ScenarioName,
    outputsFile: path.resolve(values.outputs ?? LOCAL_OUTPUTS_FILE),
    outputsFileExplicit: values.outputs !== undefined,
    resultsFile: values['results-file'] ?? (process.env.RESULTS_FILE || undefined),
    phase: values.phase ?? (process.env.RUN_PHASE || undefined),
    reportFile: values.report,
    variables,
    overrides,
  };
}

function readOutputs(file: string, explicit: boolean): StackOutputs {
  if (!fs.existsSync(file)) {
    throw new LoadTargetError(
      explicit
        ? `${file} does not exist`
        : `${file} does not exist: start the local cloud with npm run local (it writes it), or name a deployment's outputs with --outputs`,
    );
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StackOutputs;
  } catch (error) {
    throw new LoadTargetError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const options = readCommandLine();
  const target = resolveLoadTarget({
    outputs: readOutputs(options.outputsFile, options.outputsFileExplicit),
    variant: options.variant,
    outputsFile: path.relative(process.cwd(), options.outputsFile) || options.outputsFile,
    outputsFileExplicit: options.outputsFileExplicit,
    apiKeyFromEnvironment: process.env[API_KEY_ENVIRONMENT_VARIABLE],
  });
  console.log(
    `Load test ${options.scenario} on ${target.stackName} (${target.urlOutput} ${target.url}${target.local ? ', local' : ', AWS'})` +
      (options.resultsFile ? `; records: ${options.resultsFile}` : ''),
  );
  const { exitCode } = await runArtillery({
    scenario: options.scenario,
    target: target.url,
    apiKey: target.apiKey,
    variables: options.variables,
    overrides: options.overrides,
    resultsFile: options.resultsFile,
    phase: options.phase,
    reportFile: options.reportFile,
  });
  return exitCode;
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(`npm run load: ${(error as Error).message}`);
    process.exit(error instanceof LoadTargetError || error instanceof UsageError ? 2 : 1);
  },
);
