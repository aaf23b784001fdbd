#!/usr/bin/env node
/**
 * The CDK app. This is the only file that reads CDK context and the environment:
 *   npx cdk synth  -c variant=sync|async|multi  [-c regions=us-east-1,us-west-2]
 *     [-c hostedZoneId=Z… -c zoneName=example.com -c domainName=api.example.com   (multi, all three)
 *      -c routing=latency|failover -c healthCheckIntervalSeconds=10|30 -c healthCheckFailureThreshold=3]
 *     [-c apiKeyValuesSecretName=<Secrets Manager secret with {"<tier>":"<key value>"}>]
 *     [-c chaos=true   (AWS FIS experiment templates in every stack)]
 */
import { App } from 'aws-cdk-lib';
import { type AppConfig, PLACEHOLDER_ACCOUNT, resolveAppConfig } from '../lib/config';
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

function readConfig(): AppConfig {
  try {
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
