/** The shape of a price table the cost model reads. Prices in USD, list prices without free tiers. */
export interface PriceTable {
  /** AWS region the prices are for. */
  readonly region: string;
  /** Where the prices come from (pages, with URLs). */
  readonly source: string;
  /** When they were read (ISO date). */
  readonly retrievedOn: string;
  /** How they were read, and anything a reader must know before trusting them. */
  readonly caveat: string;

  // Per request or per unit of use.
  /** API Gateway REST API, per million requests (first tier). */
  readonly apiGatewayRestPerMillionRequests: number;
  /** Lambda, per million invocations. */
  readonly lambdaPerMillionRequests: number;
  /** Lambda compute per GB-second, Arm (`arm64`). */
  readonly lambdaPerGbSecondArm64: number;
  /** Lambda compute per GB-second, x86 (`x86_64`). */
  readonly lambdaPerGbSecondX86: number;
  /** Lambda compute per GB-second of an invocation on provisioned concurrency, Arm. */
  readonly lambdaProvisionedDurationPerGbSecondArm64: number;
  /** Lambda compute per GB-second of an invocation on provisioned concurrency, x86. */
  readonly lambdaProvisionedDurationPerGbSecondX86: number;
  /** SQS standard queue, per million requests (each 64 KiB chunk of a payload is one request). */
  readonly sqsStandardPerMillionRequests: number;
  /** DynamoDB on-demand, per million write request units. */
  readonly dynamoDbPerMillionWriteUnits: number;
  /** DynamoDB on-demand, per million read request units. */
  readonly dynamoDbPerMillionReadUnits: number;
  /** DynamoDB global tables on-demand, per million replicated write request units. */
  readonly dynamoDbPerMillionReplicatedWriteUnits: number;
  /** Data transfer between regions (global table replication), per GB. */
  readonly interRegionTransferPerGb: number;
  /** CloudWatch Logs standard ingestion, per GB. */
  readonly cloudWatchLogsIngestionPerGb: number;
  /** X-Ray, per million traces recorded. */
  readonly xRayPerMillionTracesRecorded: number;

  // Per second configured.
  /** Lambda provisioned concurrency, per GB-second it is configured, Arm. */
  readonly lambdaProvisionedConcurrencyPerGbSecondArm64: number;
  /** Lambda provisioned concurrency, per GB-second it is configured, x86. */
  readonly lambdaProvisionedConcurrencyPerGbSecondX86: number;

  // Per hour.
  /** API Gateway cache cluster, per hour, by size in GB (`'0.5'`, `'1.6'`, … as CloudFormation names them). */
  readonly apiGatewayCachePerHourBySize: Readonly<Record<string, number>>;

  // Per month.
  /** CloudWatch standard-resolution alarm, per alarm metric per month. */
  readonly cloudWatchAlarmPerMetricMonth: number;
  /** CloudWatch high-resolution alarm (period under 60 s), per alarm metric per month. */
  readonly cloudWatchHighResolutionAlarmPerMetricMonth: number;
  /** CloudWatch composite alarm, per month. */
  readonly cloudWatchCompositeAlarmPerMonth: number;
  /** CloudWatch dashboard, per month. */
  readonly cloudWatchDashboardPerMonth: number;
  /** Route 53 health check of an AWS endpoint, per month. */
  readonly route53HealthCheckPerMonth: number;
  /** Route 53 optional health-check feature (HTTPS, string matching, fast interval, latency), each, per month. */
  readonly route53HealthCheckOptionalFeaturePerMonth: number;
  /** KMS customer managed key, per month. */
  readonly kmsKeyPerMonth: number;
}
