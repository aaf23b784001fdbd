#!/usr/bin/env node
/**
 * The CDK app. This is the only file that reads CDK context and the environment:
 *   npx cdk synth  -c variant=sync|async|multi  [-c regions=us-east-1,us-west-2]
 *     [-c hostedZoneId=Z… -c zoneName=example.com -c domainName=api.example.com   (multi, all three)
 *      -c routing=latency|failover -c healthCheckIntervalSeconds=10|30 -c healthCheckFailureThreshold=3]
 *     [-c apiKeyValuesSecretName=<Secrets Manager secret with {"<tier>":"<key value>"}>]
 *     [-c chaos=true   (AWS FIS experiment templates in every stack)]  [-c waf=true   (AWS WAF web ACL)]
 *     [-c jwtIssuerUrl=https://… -c jwtAudience=a,b [-c jwtJwksUri=https://…]   (OIDC token authorizer)]
 *     [-c capacity=path/to/capacity.json   (throttles, reserved concurrency, client tiers)]
 * Every key is in CONTEXT_KEYS (lib/config/variant-config.ts); any other key is refused.
 */
import * as fs from 'node:fs';
import { App } from 'aws-cdk-lib';
import {
  type AppConfig,
  CONTEXT_KEYS,
  PLACEHOLDER_ACCOUNT,
  resolveAppConfig,
  unknownContextKeys,
} from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { addVariantStacks } from '../lib/stacks';

const app = new App();
const contextString = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new Error(`Context ${key} must be a string (given ${JSON.stringify(value)})`);
  return value;
};

/** The capacity file `-c capacity=<path>` names, parsed (its keys are checked by the config). */
function capacityFile(): { path: string; json: unknown } | undefined {
  const file = contextString('capacity');
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `capacity: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    return { path: file, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new Error(`capacity: ${file} is not JSON (${(error as Error).message})`);
  }
}

function readConfig(): AppConfig {
  try {
    const unknown = unknownContextKeys(Object.keys(app.node.getAllContext()));
    if (unknown.length > 0) {
      throw new Error(
        `unknown context key ${unknown.join(', ')}; the app reads ${Object.keys(CONTEXT_KEYS).join(', ')} (and the CDK its own @aws-cdk/… flags)`,
      );
    }
    return resolveAppConfig({
      variant: contextString('variant'),
      regions: contextString('regions'),
      hostedZoneId: contextString('hostedZoneId'),
      zoneName: contextString('zoneName'),
      domainName: contextString('domainName'),
      routing: contextString('routing'),
      healthCheckIntervalSeconds: contextString('healthCheckIntervalSeconds'),
      healthCheckFailureThreshold: contextString('healthCheckFailureThreshold'),
      apiKeyValuesSecretName: contextString('apiKeyValuesSecretName'),
      chaos: contextString('chaos'),
      waf: contextString('waf'),
      jwtIssuerUrl: contextString('jwtIssuerUrl'),
      jwtAudience: contextString('jwtAudience'),
      jwtJwksUri: contextString('jwtJwksUri'),
      capacityFile: capacityFile(),
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    });
  } catch (error) {
    // A configuration mistake is the user's to fix: say what is wrong, without a stack trace.
    console.error(`Invalid configuration: ${(error as Error).message}`);
    process.exit(1);
  }
}

const config = readConfig();
if (config.placeholderAccount) {
  console.error(
    `No AWS account configured: synthesizing for placeholder account ${PLACEHOLDER_ACCOUNT} in ${config.regions.join(', ')}. ` +
      'Deploying needs credentials (the CLI then fills in your account and region).',
  );
}

addVariantStacks(app, config);
addNagChecks(app);
app.synth();
