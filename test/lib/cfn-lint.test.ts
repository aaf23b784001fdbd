/**
 * CloudFormation's own resource schemas on every template a user can synthesize: cfn-lint (AWS's
 * CloudFormation linter, a Python tool) checks property types, enums and patterns, GetAtt names and
 * regional availability. Zero errors, and zero warnings beyond those `.cfnlintrc.yaml` leaves out
 * with a reason.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveAppConfig, type AppConfigInputs } from '../../lib/config';
import { addVariantStacks } from '../../lib/stacks';
import { testApp } from '../harness/app';
import { TEST_ACCOUNT } from '../harness/local-aws';

const ACCOUNT = TEST_ACCOUNT;
const HOSTED_ZONE = {
  hostedZoneId: 'Z0LOCAL',
  zoneName: 'resilient-api.test',
  domainName: 'api.resilient-api.test',
};
const JWT = { jwtIssuerUrl: 'https://login.example.com/', jwtAudience: 'orders-api' };

/** Every combination of options a user can choose from context, by a name for messages. */
const COMBINATIONS: Record<string, AppConfigInputs> = {
  sync: { variant: 'sync' },
  async: { variant: 'async' },
  multi: { variant: 'multi' },
  'multi, hosted zone, latency, API key secret': {
    variant: 'multi',
    ...HOSTED_ZONE,
    apiKeyValuesSecretName: 'resilient-api/api-keys',
  },
  'multi, hosted zone, failover, 30 s checks': {
    variant: 'multi',
    ...HOSTED_ZONE,
    routing: 'failover',
    healthCheckIntervalSeconds: '30',
  },
  'sync, chaos': { variant: 'sync', chaos: 'true' },
  'async, chaos': { variant: 'async', chaos: 'true' },
  'multi, chaos': { variant: 'multi', chaos: 'true' },
  'sync, web ACL, token authorizer': { variant: 'sync', waf: 'true', ...JWT },
  'async, web ACL, token authorizer': { variant: 'async', waf: 'true', ...JWT },
  'multi, hosted zone, web ACL, token authorizer, chaos': {
    variant: 'multi',
    ...HOSTED_ZONE,
    waf: 'true',
    chaos: 'true',
    ...JWT,
  },
};

interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Filename: string;
  readonly Location: { readonly Path?: unknown[] };
}

let outdir: string;
/** Template files, with the combination and region each belongs to. */
const templates: Array<{ combination: string; region: string; file: string }> = [];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  for (const [combination, inputs] of Object.entries(COMBINATIONS)) {
    const app = testApp({ outdir: path.join(outdir, combination.replace(/[^a-z0-9]+/gi, '-')) });
    const stacks = addVariantStacks(app, resolveAppConfig({ ...inputs, account: ACCOUNT }));
    const assembly = app.synth();
    for (const stack of stacks) {
      templates.push({
        combination,
        region: stack.region,
        file: path.join(assembly.directory, stack.templateFile),
      });
    }
  }
});

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

/** Runs cfn-lint on the files against the regions; fails with an install hint when it is missing. */
function cfnLint(files: string[], regions: string[]): CfnLintMatch[] {
  const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', ...regions, '--', ...files], {
    cwd: path.join(__dirname, '../..'),
    encoding: 'utf8',
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'cfn-lint (AWS CloudFormation Linter) is missing: install it with `pip install cfn-lint==1.51.0` ' +
        '(Python 3.9+) and make sure `cfn-lint` is on the PATH',
    );
  }
  if (run.stdout.trim() === '') throw new Error(`cfn-lint printed nothing; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as CfnLintMatch[];
}

test('cfn-lint finds no error and no unacknowledged warning in any variant, option or region', () => {
  // GIVEN every template of every combination, each checked against its own region
  const byRegion = new Map<string, string[]>();
  for (const template of templates) {
    byRegion.set(template.region, [...(byRegion.get(template.region) ?? []), template.file]);
  }
  expect(templates.length).toBe(3 + 2 + 2 + 3 + 2 + 2 + 2);

  // WHEN
  const matches = [...byRegion].flatMap(([region, files]) => cfnLint(files, [region]));

  // THEN nothing is reported (each finding named with its combination)
  const findings = matches.map((match) => {
    const template = templates.find((candidate) => candidate.file === match.Filename);
    return `${template?.combination ?? match.Filename} (${template?.region}): ${match.Level} ${match.Rule.Id} ${match.Message} at ${JSON.stringify(match.Location.Path)}`;
  });
  expect(findings).toEqual([]);
});
