#!/usr/bin/env node
/**
 * The CDK app. This is the only file that reads CDK context and the environment:
 *   npx cdk synth  -c variant=sync|async|multi  [-c regions=us-east-1,us-west-2]
 */
import { App } from 'aws-cdk-lib';
import { PLACEHOLDER_ACCOUNT, resolveAppConfig } from '../lib/config';
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

const config = resolveAppConfig({
  variant: contextString('variant'),
  regions: contextString('regions'),
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
if (config.placeholderAccount) {
  console.error(
    `No AWS account configured: synthesizing for placeholder account ${PLACEHOLDER_ACCOUNT} in ${config.regions.join(', ')}. ` +
      'Deploying needs credentials (the CLI then fills in your account and region).',
  );
}

addVariantStacks(app, config);
addNagChecks(app);
app.synth();
