/**
 * What the local cloud adds when its stacks span regions: the replicas of each global table in
 * every region that has one, replication between them over DynamoDB Streams, and the Route 53
 * stand-in (health checks and one front door per record name) in front of the regions' APIs.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resourcesOfType, type AssemblyStack } from './assembly/cloud-assembly';
import type { LocalCredentials } from './lambda/function-definitions';
import type { RegionRuntime, StackRuntime } from './region-runtime';
import {
  startGlobalTableReplication,
  type GlobalTableReplication,
  type ReplicationStatus,
} from './replication/global-table-replication';
import { createLocalTable, tableDefinitionsOf } from './resources/dynamodb-tables';
import type { AlarmStateReader } from './route53/health-checks';
import {
  startLocalRoute53,
  type GlobalEndpoint,
  type LocalApiTarget,
  type LocalRoute53,
  type Route53Event,
  type Route53Status,
} from './route53/local-route53';
import { readRoute53Model } from './route53/route53-model';

const GLOBAL_TABLE_TYPE = 'AWS::DynamoDB::GlobalTable';

/** A global table replica the local cloud created in a region other than its owning stack's. */
export interface ReplicaTable {
  readonly tableName: string;
  readonly region: string;
  /** The stack that declares the global table. */
  readonly ownerStackName: string;
}

/**
 * Creates each global table's replicas in the other regions that run locally. The runtime of the
 * owning stack's region creates the table there; the stacks of the other regions only import their
 * replica by name, so without this their functions would find no table.
 */
export async function createGlobalTableReplicas(
  regions: readonly RegionRuntime[],
  options: {
    readonly dynamodbEndpoint: string;
    readonly credentials: LocalCredentials;
    readonly namePrefix?: string;
  },
): Promise<ReplicaTable[]> {
  const created: ReplicaTable[] = [];
  for (const owner of regions) {
    for (const stackRuntime of owner.stacks.values()) {
      for (const target of regions) {
        if (target === owner) continue;
        const definitions = tableDefinitionsOf(stackRuntime.stack, {
          resolver: stackRuntime.resolver,
          region: target.region,
          namePrefix: options.namePrefix,
        }).filter((definition) => definition.type === GLOBAL_TABLE_TYPE);
        if (definitions.length === 0) continue;
        const client = new DynamoDBClient({
          endpoint: options.dynamodbEndpoint,
          region: target.region,
          credentials: options.credentials,
        });
        try {
          for (const definition of definitions) {
            const table = await createLocalTable(
              client,
              definition,
              target.region,
              accountIdOf(stackRuntime),
            );
            created.push({
              tableName: table.tableName,
              region: target.region,
              ownerStackName: stackRuntime.stack.stackName,
            });
          }
        } finally {
          client.destroy();
        }
      }
    }
  }
  return created;
}

/** A stack's API as the multi-region services need it. */
export interface MultiRegionStack {
  readonly stack: AssemblyStack;
  readonly region: string;
  readonly runtime: StackRuntime;
  readonly api: LocalApiTarget;
}

/** Options of {@link startMultiRegion}. */
export interface MultiRegionOptions {
  readonly stacks: readonly MultiRegionStack[];
  /** The global table replicas in the regions besides their owners' (from {@link createGlobalTableReplicas}). */
  readonly replicaTables: readonly ReplicaTable[];
  /** DynamoDB endpoint of each region, through which replication reads and writes. */
  readonly dynamodbEndpoints: ReadonlyMap<string, string>;
  readonly credentials: LocalCredentials;
  readonly alarmState: AlarmStateReader;
  /** See {@link LocalRoute53Options.healthCheckIntervalMillis}. */
  readonly healthCheckIntervalMillis?: number;
  /** See {@link GlobalTableReplicationOptions.pollIntervalMillis}. */
  readonly replicationPollIntervalMillis?: number;
  /** Port of the first front door. @default 0 */
  readonly port?: number;
  readonly log: (line: string) => void;
}

/** The running multi-region services. */
export interface MultiRegion {
  /** One front door per record name (none when the templates have no Route 53 records). */
  readonly globalEndpoints: readonly GlobalEndpoint[];
  readonly route53: LocalRoute53 | undefined;
  readonly replications: readonly GlobalTableReplication[];
  stop(): Promise<void>;
}

/** Starts replication for every global table with two or more local replicas, and the Route 53 stand-in. */
export async function startMultiRegion(options: MultiRegionOptions): Promise<MultiRegion> {
  const replications: GlobalTableReplication[] = [];
  let route53: LocalRoute53 | undefined;
  const stop = async (): Promise<void> => {
    await route53?.stop();
    await Promise.all(replications.map((replication) => replication.stop()));
  };
  try {
    for (const [tableName, regions] of globalTableReplicas(options)) {
      if (regions.length < 2) continue;
      replications.push(
        await startGlobalTableReplication({
          replicas: regions.map((region) => ({
            region,
            tableName,
            dynamodbEndpoint: endpointOf(options.dynamodbEndpoints, region),
          })),
          credentials: options.credentials,
          pollIntervalMillis: options.replicationPollIntervalMillis,
          log: options.log,
        }),
      );
    }
    const model = readRoute53Model(
      options.stacks.map(({ stack, region, runtime }) => ({ stack, region, resolver: runtime.resolver })),
    );
    if (model.records.length > 0) {
      route53 = await startLocalRoute53({
        model,
        targets: options.stacks.map((stack) => stack.api),
        alarmState: options.alarmState,
        healthCheckIntervalMillis: options.healthCheckIntervalMillis,
        port: options.port,
        log: options.log,
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { globalEndpoints: route53?.endpoints ?? [], route53, replications, stop };
}

/** What the experiment runner and `npm run chaos -- status` read about the multi-region services. */
export interface MultiRegionView {
  readonly globalEndpoints: readonly GlobalEndpoint[];
  /** Health checks and the region each name is answered with now. */
  route53Status(): Route53Status | undefined;
  /** Health and answer changes since the start, oldest first: the failover timeline. */
  route53Events(): readonly Route53Event[];
  /** Each global table's replication: paused, pending changes, lag per target region. */
  replicationStatus(): ReplicationStatus[];
  /** Resolves once every change written before the call has been replicated (rejects while paused). */
  whenReplicationCaughtUp(timeoutMillis: number): Promise<void>;
}

/** The read-only view of {@link MultiRegion}. */
export function viewOf(multiRegion: MultiRegion): MultiRegionView {
  return {
    globalEndpoints: multiRegion.globalEndpoints,
    route53Status: () => multiRegion.route53?.status(),
    route53Events: () => multiRegion.route53?.events() ?? [],
    replicationStatus: () => multiRegion.replications.map((replication) => replication.status()),
    whenReplicationCaughtUp: async (timeoutMillis) => {
      await Promise.all(
        multiRegion.replications.map((replication) => replication.whenCaughtUp(timeoutMillis)),
      );
    },
  };
}

/** Each global table's name and the regions that hold a local replica, owner first. */
function globalTableReplicas(options: MultiRegionOptions): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const { runtime, region } of options.stacks) {
    for (const table of runtime.tables) {
      const resource = runtime.stack.template.Resources[table.logicalId];
      if (resource?.Type !== GLOBAL_TABLE_TYPE) continue;
      tables.set(table.tableName, [region]);
    }
  }
  for (const replica of options.replicaTables) tables.get(replica.tableName)?.push(replica.region);
  return tables;
}

function endpointOf(endpoints: ReadonlyMap<string, string>, region: string): string {
  const endpoint = endpoints.get(region);
  if (endpoint === undefined) throw new Error(`No DynamoDB endpoint for region ${region}`);
  return endpoint;
}

function accountIdOf(stackRuntime: StackRuntime): string {
  return stackRuntime.accountId;
}

/** The custom domain names of a stack's APIs (`AWS::ApiGateway::DomainName`), lowercase. */
export function customDomainNamesOf(runtime: StackRuntime): string[] {
  return resourcesOfType(runtime.stack.template, 'AWS::ApiGateway::DomainName').map(
    ({ logicalId, resource }) =>
      runtime.resolver
        .resolveString(resource.Properties?.DomainName, `${logicalId}.DomainName`)
        .toLowerCase(),
  );
}
