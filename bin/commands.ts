/**
 * The options of `npm start`, `npm run local` and `npm run load`, defined once (see `cli.ts`): the
 * commands parse them, `--help` prints them, and the docs show that help.
 */
import { VARIANTS } from '../lib/config';
import { SCENARIOS } from '../load-tests/artillery-runner';
import { PROFILE_NAMES, PROFILES } from '../load-tests/experiment/profiles';
import { API_KEY_ENVIRONMENT_VARIABLE, LOCAL_OUTPUTS_FILE } from '../load-tests/targets';
import { LOCAL_CLOUD_STATE_FILE } from '../local-cloud/control/state-file';
import { defineCommand } from './cli';

/** `npm start`: the experiment. */
export const START_COMMAND = defineCommand({
  usage: 'npm start -- [options]',
  options: {
    profile: {
      type: 'string',
      default: 'quick',
      value: '<name>',
      description: `${PROFILE_NAMES.join(' or ')}: quick finishes within 5 minutes on 2 cores`,
    },
    variants: {
      type: 'string',
      default: VARIANTS.join(','),
      value: '<list>',
      description: 'variants to run, comma-separated',
    },
    budget: {
      type: 'string',
      value: '<seconds>',
      description:
        "the run's time budget, synthesis included: the queues' drains are cut short to keep it; 0 for none",
      defaultText: `the profile's, ${PROFILES.quick.budgetSeconds} s for quick, none for full`,
    },
    reports: {
      type: 'string',
      default: 'reports',
      value: '<dir>',
      description: 'where reports/<timestamp>/ goes',
    },
    synth: { type: 'boolean', default: false, description: 'synthesize even when the assembly looks fresh' },
  },
});

/** `npm run local`: the local cloud. */
export const LOCAL_COMMAND = defineCommand({
  usage: 'npm run local -- [options]',
  options: {
    variants: {
      type: 'string',
      default: VARIANTS.join(','),
      value: '<list>',
      description: `variants to run, comma-separated: ${VARIANTS.join(', ')} (multi starts two regions: more processes, a slower start)`,
    },
    'outputs-file': {
      type: 'string',
      default: 'outputs.local.json',
      value: '<path>',
      description: 'where to write the stack outputs, in the format of cdk deploy --outputs-file',
    },
    assembly: {
      type: 'string',
      value: '<dir>',
      description: 'cloud assembly to run as it is; skips synthesis',
      defaultText: 'synthesize into cdk.out/local',
    },
    synth: {
      type: 'boolean',
      default: false,
      description:
        'synthesize even when the assembly looks fresh (newer than lib/, lambdas/, cdk.json and the lock file)',
    },
    'api-port': {
      type: 'string',
      default: '3001',
      value: '<port>',
      description: 'port of the first API; each further stack takes the next',
    },
    'dynamodb-port': {
      type: 'string',
      default: '8000',
      value: '<port>',
      description: 'port of DynamoDB Local',
    },
    'sqs-port': { type: 'string', default: '9324', value: '<port>', description: 'port of the SQS emulator' },
    'control-port': {
      type: 'string',
      default: '3000',
      value: '<port>',
      description: 'port of the control server that npm run chaos talks to',
    },
    'global-port': {
      type: 'string',
      value: '<port>',
      description: "port of the multi variant's global URL, the Route 53 stand-in",
      defaultText: "the port after the last API's",
    },
    'health-check-interval': {
      type: 'string',
      value: '<ms>',
      description:
        "interval of the Route 53 health checks instead of the template's, to watch a failover sooner",
      defaultText: "the template's, 10 s",
    },
    'alarm-time-scale': {
      type: 'string',
      default: '1',
      value: '<n>',
      description:
        "CloudWatch's clock runs n times faster for the alarms: a 5-minute period lasts 300/n s, evaluations come every 60/n s (metric values such as a message's age are not scaled)",
    },
    'state-file': {
      type: 'string',
      value: '<path>',
      description: 'where to say how npm run chaos reaches this local cloud',
      defaultText: LOCAL_CLOUD_STATE_FILE,
    },
  },
  epilogue:
    'Port 0 picks a free port. A port that is taken is an error naming the option that picks another.',
});

/** `npm run load`: one Artillery scenario against one variant. */
export const LOAD_COMMAND = defineCommand({
  usage: `npm run load -- --variant <${VARIANTS.join('|')}> --scenario <${SCENARIOS.join('|')}> [options]`,
  options: {
    variant: { type: 'string', value: '<name>', description: 'the variant to load (required)' },
    scenario: { type: 'string', value: '<name>', description: 'the Artillery scenario (required)' },
    outputs: {
      type: 'string',
      value: '<file>',
      description: 'stack outputs in the cdk deploy --outputs-file format',
      defaultText: `${LOCAL_OUTPUTS_FILE}, written by npm run local; local targets only`,
    },
    'results-file': {
      type: 'string',
      value: '<file>',
      description:
        'append one JSON line per request attempt (RequestRecord) to this file (or set RESULTS_FILE)',
    },
    phase: {
      type: 'string',
      value: '<label>',
      description: "label written into each record's phase (or set RUN_PHASE)",
    },
    report: { type: 'string', value: '<file>', description: "write Artillery's JSON report to this file" },
    'duplicate-share': {
      type: 'string',
      value: '<0..1>',
      description: 'share of acknowledged orders sent again as client duplicates',
      defaultText: "the scenario's",
    },
    'max-attempts': {
      type: 'string',
      value: '<n>',
      description: 'most attempts per request, the first included (1: no retries)',
      defaultText: "the scenario's",
    },
    overrides: {
      type: 'string',
      value: '<json>',
      description: `Artillery --overrides, e.g. '{"config":{"phases":[{"duration":30,"arrivalRate":5}]}}'`,
    },
  },
  epilogue:
    'A deployment on AWS: npm run load -- --variant async --scenario ramp --outputs outputs.json\n' +
    `with ${API_KEY_ENVIRONMENT_VARIABLE} set to the API key value (an outputs file never supplies it).`,
});
