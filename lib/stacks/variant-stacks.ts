import { Annotations, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { AppConfig } from '../config';
import { OrderApiStack } from './order-api-stack';
import { MULTI_ORDERS_TABLE_NAME, variantStackName } from './stack-names';

/**
 * Adds the stacks of the configured variant to the app: one {@link OrderApiStack} for `sync` and
 * `async`; for `multi`, one async stack per region sharing a global orders table that the first
 * (primary) region's stack owns.
 */
export function addVariantStacks(scope: Construct, config: AppConfig): Stack[] {
  const { variant, account, capacity, resilience, globalDns, apiKeyValuesSecretName, chaosExperiments } =
    config;
  // What every stack of the variant shares, whatever its region.
  const common = {
    capacity,
    resilience,
    apiKeyValuesSecretName,
    chaosExperiments,
    webAclEnabled: config.webAcl,
    jwtIssuerUrl: config.jwtAuthorizer?.issuerUrl,
    jwtAudience: config.jwtAuthorizer?.audience,
    jwtJwksUri: config.jwtAuthorizer?.jwksUri,
  };
  if (variant === 'sync' || variant === 'async') {
    return [
      new OrderApiStack(scope, variantStackName(variant), {
        env: { account, region: config.regions[0] },
        description: `Resilient order API, ${variant} variant`,
        orderPath: variant,
        ...common,
      }),
    ];
  }

  const [primaryRegion, ...replicaRegions] = config.regions;
  // A global table has the same name in every region; the replicas' stacks import it by that name.
  const ordersTableName = MULTI_ORDERS_TABLE_NAME;
  const primary = new OrderApiStack(scope, variantStackName('multi', primaryRegion), {
    env: { account, region: primaryRegion },
    description: `Resilient order API, multi-region variant, ${primaryRegion} (owns the global table)`,
    orderPath: 'async',
    ...common,
    globalDns,
    globalDnsFailover: route53.Failover.PRIMARY,
    ordersTableName,
    ordersReplicaRegions: replicaRegions,
    ordersRemovalPolicy: RemovalPolicy.RETAIN,
  });
  const stacks: Stack[] = [primary];
  for (const region of replicaRegions) {
    const stack = new OrderApiStack(scope, variantStackName('multi', region), {
      env: { account, region },
      description: `Resilient order API, multi-region variant, ${region}`,
      orderPath: 'async',
      ...common,
      globalDns,
      // Failover routing has exactly two regions (the config checks): this one is the secondary.
      globalDnsFailover: route53.Failover.SECONDARY,
      ordersReplicaOf: ordersTableName,
    });
    // The replica this stack uses is created by the primary stack.
    stack.addStackDependency(primary);
    stacks.push(stack);
  }
  if (globalDns === undefined) {
    Annotations.of(primary).addInfo(
      'No hosted zone configured: the multi variant deploys without DNS failover records; each region outputs its own ApiUrl.',
    );
  }
  return stacks;
}
