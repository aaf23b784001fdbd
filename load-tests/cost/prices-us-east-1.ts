/**
 * AWS list prices for us-east-1 (US East, N. Virginia) that the cost model uses by default. To use
 * other prices, write another `PriceTable` (same shape) and pass it to `estimateVariantCost`.
 */
import type { PriceTable } from './price-table';

export const PRICES_US_EAST_1: PriceTable = {
  region: 'us-east-1',
  source:
    'AWS public pricing pages: https://aws.amazon.com/api-gateway/pricing/, https://aws.amazon.com/lambda/pricing/, ' +
    'https://aws.amazon.com/sqs/pricing/, https://aws.amazon.com/dynamodb/pricing/on-demand/, ' +
    'https://aws.amazon.com/cloudwatch/pricing/, https://aws.amazon.com/xray/pricing/, ' +
    'https://aws.amazon.com/route53/pricing/, https://aws.amazon.com/kms/pricing/, https://aws.amazon.com/ec2/pricing/on-demand/ (data transfer)',
  retrievedOn: '2026-11-22',
  caveat:
    'Written down from the pricing pages as known on the date above, not fetched live (this machine has no ' +
    'internet access). First-tier list prices, free tiers ignored. DynamoDB on-demand and replicated write ' +
    'prices are those after the November 2024 price reduction. Lambda provisioned concurrency prices (added ' +
    '2026-12-07): x86 from the AWS price list (rate codes "Lambda Provisioned-Concurrency" and "Lambda ' +
    'Duration-Provisioned"), arm64 from published tables that agree with each other; provisioned concurrency ' +
    'is billed from enable to disable, rounded up to 5 minutes. API Gateway cache prices per hour (added ' +
    '2026-12-08) as the API Gateway pricing page lists them by size; only the 0.5 GB one was found in two ' +
    'sources here. Check the pages before relying on a figure.',

  apiGatewayRestPerMillionRequests: 3.5,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecondArm64: 0.0000133334,
  lambdaPerGbSecondX86: 0.0000166667,
  lambdaProvisionedDurationPerGbSecondArm64: 0.0000077778,
  lambdaProvisionedDurationPerGbSecondX86: 0.0000097222,
  sqsStandardPerMillionRequests: 0.4,
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  dynamoDbPerMillionReplicatedWriteUnits: 0.625,
  interRegionTransferPerGb: 0.02,
  cloudWatchLogsIngestionPerGb: 0.5,
  xRayPerMillionTracesRecorded: 5.0,

  lambdaProvisionedConcurrencyPerGbSecondArm64: 0.0000033334,
  lambdaProvisionedConcurrencyPerGbSecondX86: 0.0000041667,

  apiGatewayCachePerHourBySize: {
    '0.5': 0.02,
    '1.6': 0.038,
    '6.1': 0.2,
    '13.5': 0.25,
    '28.4': 0.5,
    '58.2': 1.0,
    '118': 1.9,
    '237': 3.8,
  },

  cloudWatchAlarmPerMetricMonth: 0.1,
  cloudWatchHighResolutionAlarmPerMetricMonth: 0.3,
  cloudWatchCompositeAlarmPerMonth: 0.5,
  cloudWatchDashboardPerMonth: 3.0,
  route53HealthCheckPerMonth: 0.5,
  route53HealthCheckOptionalFeaturePerMonth: 1.0,
  kmsKeyPerMonth: 1.0,
};
