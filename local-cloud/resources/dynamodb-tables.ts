/**
 * DynamoDB tables from `AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable` resources, created
 * in DynamoDB Local in the region of the stack.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { resourcesOfType, type AssemblyStack } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import { localResourceName } from './local-names';

/** The table types this module creates. */
export const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'] as const;

/** DynamoDB's limit on table names. */
const MAX_TABLE_NAME_LENGTH = 255;

/** What a table of the template becomes locally. */
export interface LocalTableDefinition {
  readonly logicalId: string;
  readonly type: string;
  /** The `CreateTable` input: keys, attribute definitions, indexes, streams; always on-demand. */
  readonly createTableInput: CreateTableCommandInput & { readonly TableName: string };
  /** TTL attribute, when the template enables TTL. */
  readonly timeToLiveAttribute: string | undefined;
}

/** A table created (or found) in DynamoDB Local. */
export interface LocalTable {
  readonly logicalId: string;
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string | undefined;
  /** False when the table already existed (e.g. a restarted region keeps its data). */
  readonly created: boolean;
}

/** Options of reading the table definitions of a stack. */
export interface TableDefinitionOptions {
  /** The resolver of the stack, for properties written as intrinsic functions. */
  readonly resolver: IntrinsicResolver;
  /** Region the tables are created in; a global table must have a replica there. */
  readonly region: string;
  /**
   * Prefix of generated table names (not of names the template sets).
   * @default ''
   */
  readonly namePrefix?: string;
}

/**
 * The local definition of every table of a stack. A global table is created once, in the region
 * of this runtime, and only if it has a replica there; the other replicas are the business of the
 * runtimes of their regions.
 */
export function tableDefinitionsOf(
  stack: AssemblyStack,
  options: TableDefinitionOptions,
): LocalTableDefinition[] {
  return TABLE_TYPES.flatMap((type) => resourcesOfType(stack.template, type)).flatMap(
    ({ logicalId, resource }) => {
      const properties = resolvedTableProperties(resource.Properties ?? {}, options.resolver);
      if (resource.Type === 'AWS::DynamoDB::GlobalTable' && !hasReplicaIn(properties, options.region)) {
        return [];
      }
      const tableName = localResourceName({
        templateName: properties.TableName,
        stackName: stack.stackName,
        logicalId,
        prefix: options.namePrefix,
        maxLength: MAX_TABLE_NAME_LENGTH,
        kind: 'table',
      });
      const ttl = properties.TimeToLiveSpecification;
      return [
        {
          logicalId,
          type: resource.Type,
          createTableInput: createTableInputOf(tableName, properties),
          timeToLiveAttribute:
            ttl?.Enabled === true || ttl?.Enabled === 'true' ? ttl.AttributeName : undefined,
        },
      ];
    },
  );
}

/**
 * Creates a table in DynamoDB Local, with TTL when the definition has it. A table that already
 * exists is kept as it is, so that restarting a region keeps its data.
 *
 * @param accountId the account in the table's ARN (DynamoDB Local reports a fixed account)
 */
export async function createLocalTable(
  client: DynamoDBClient,
  definition: LocalTableDefinition,
  region: string,
  accountId: string,
): Promise<LocalTable> {
  const tableName = definition.createTableInput.TableName;
  let created = true;
  let streamArn: string | undefined;
  try {
    const output = await client.send(new CreateTableCommand(definition.createTableInput));
    streamArn = output.TableDescription?.LatestStreamArn;
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) {
      throw new Error(`Creating table ${tableName} (${definition.logicalId}) in DynamoDB Local failed`, {
        cause: error,
      });
    }
    created = false;
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    streamArn = Table?.LatestStreamArn;
  }
  if (created && definition.timeToLiveAttribute !== undefined) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return {
    logicalId: definition.logicalId,
    tableName,
    tableArn: `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}`,
    streamArn,
    created,
  };
}

/** Options of creating the tables of a stack. */
export interface CreateTablesOptions extends TableDefinitionOptions {
  /** A DynamoDB client on DynamoDB Local, in the region of the stack. */
  readonly client: DynamoDBClient;
  /** The account in the tables' ARNs. */
  readonly accountId: string;
}

/**
 * Creates every table of a stack and registers each in the resolver: `Ref` is the table name,
 * `Arn` and `StreamArn` as in AWS.
 */
export async function createStackTables(
  stack: AssemblyStack,
  options: CreateTablesOptions,
): Promise<LocalTable[]> {
  const tables = await Promise.all(
    tableDefinitionsOf(stack, options).map((definition) =>
      createLocalTable(options.client, definition, options.region, options.accountId),
    ),
  );
  for (const table of tables) {
    options.resolver.register(table.logicalId, {
      ref: table.tableName,
      attributes: {
        Arn: table.tableArn,
        ...(table.streamArn === undefined ? {} : { StreamArn: table.streamArn }),
      },
    });
  }
  return tables;
}

/** The template properties of both table types that matter locally (already resolved). */
interface TableProperties {
  readonly TableName?: string;
  readonly AttributeDefinitions?: AttributeDefinition[];
  readonly KeySchema?: KeySchemaElement[];
  readonly GlobalSecondaryIndexes?: readonly TemplateIndex[];
  readonly LocalSecondaryIndexes?: readonly TemplateIndex[];
  readonly StreamSpecification?: { readonly StreamViewType?: string; readonly StreamEnabled?: boolean };
  readonly TimeToLiveSpecification?: { readonly AttributeName?: string; readonly Enabled?: boolean | string };
  readonly Replicas?: readonly { readonly Region?: string }[];
}

interface TemplateIndex {
  readonly IndexName: string;
  readonly KeySchema: KeySchemaElement[];
  readonly Projection: Projection;
}

/**
 * Resolves only the properties that matter locally, so that a reference in one that does not (a KMS
 * key of a replica, say) cannot fail the table.
 */
function resolvedTableProperties(
  properties: Record<string, unknown>,
  resolver: IntrinsicResolver,
): TableProperties {
  const replicas = Array.isArray(properties.Replicas)
    ? (properties.Replicas as Record<string, unknown>[])
    : [];
  return {
    ...(resolver.resolve({
      TableName: properties.TableName,
      AttributeDefinitions: properties.AttributeDefinitions,
      KeySchema: properties.KeySchema,
      GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
      LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
      StreamSpecification: properties.StreamSpecification,
      TimeToLiveSpecification: properties.TimeToLiveSpecification,
    }) as TableProperties),
    Replicas: replicas.map((replica) => ({
      Region: resolver.resolveString(replica.Region, 'Replicas[].Region'),
    })),
  };
}

function hasReplicaIn(properties: TableProperties, region: string): boolean {
  return (properties.Replicas ?? []).some((replica) => replica.Region === region);
}

function createTableInputOf(
  tableName: string,
  properties: TableProperties,
): CreateTableCommandInput & { TableName: string } {
  // On-demand locally whatever the template says: DynamoDB Local does not throttle on capacity.
  const indexes = <T extends GlobalSecondaryIndex | LocalSecondaryIndex>(
    templateIndexes: readonly TemplateIndex[] | undefined,
  ): T[] | undefined =>
    templateIndexes?.map(
      (index) =>
        ({ IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection }) as T,
    );
  const streamViewType = properties.StreamSpecification?.StreamViewType;
  return {
    TableName: tableName,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: indexes<GlobalSecondaryIndex>(properties.GlobalSecondaryIndexes),
    LocalSecondaryIndexes: indexes<LocalSecondaryIndex>(properties.LocalSecondaryIndexes),
    StreamSpecification:
      streamViewType === undefined
        ? undefined
        : { StreamEnabled: true, StreamViewType: streamViewType as StreamViewType },
  };
}
