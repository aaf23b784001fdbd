/**
 * What each `AWS::Lambda::Function` of a template becomes locally: its bundle in the cloud assembly,
 * handler, limits and the complete process environment (the template's variables resolved, plus
 * what the Lambda runtime sets and the endpoints of the local emulators).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  customResourceProviderIds,
  resourcesOfType,
  type AssemblyStack,
  type TemplateResource,
} from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import { localResourceName } from '../resources/local-names';
import { FUNCTION_TYPE, functionQualifiersOf, LOCAL_VERSION_NUMBER, type TemplateAlias } from './qualifiers';

/** Lambda's limit on function names. */
const MAX_FUNCTION_NAME_LENGTH = 64;
/** Lambda's defaults when the template sets no timeout or memory. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_SIZE_MB = 128;
/** Where the CDK records the staged folder of an asset in the cloud assembly. */
const ASSET_PATH_METADATA = 'aws:asset:path';

/** Fake credentials for the local emulators; DynamoDB Local only accepts alphanumeric keys. */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A function of the template, ready to run locally. */
export interface LocalFunctionDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /**
   * The version its aliases run: the published version's number (1 locally, see `qualifiers.ts`)
   * when the template publishes one, `$LATEST` otherwise. Workers have it as
   * `AWS_LAMBDA_FUNCTION_VERSION`; an unqualified invocation's context says `$LATEST`.
   */
  readonly version: string;
  /** Its aliases (invokers calling `<functionArn>:<alias>` reach this function). */
  readonly aliases: readonly TemplateAlias[];
  readonly runtime: string;
  /** Absolute path of the handler module without extension, e.g. `<assembly>/asset.<hash>/index`. */
  readonly handlerModulePath: string;
  /** The exported handler, e.g. `handler`. */
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** The function's reserved concurrency, when the template sets one. */
  readonly reservedConcurrentExecutions: number | undefined;
  /** The complete environment of the worker processes. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Options of reading the functions of a stack. */
export interface FunctionDefinitionOptions {
  /** The resolver of the stack: tables and queues must be registered in it already. */
  readonly resolver: IntrinsicResolver;
  /** Folder of the cloud assembly, where the `asset.<hash>/` folders are. */
  readonly assemblyDirectory: string;
  readonly region: string;
  readonly accountId: string;
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  /**
   * Endpoint of the local API Gateway control plane (`UpdateStage`), for functions that call it.
   * @default - none: such calls would go to AWS and fail
   */
  readonly apiGatewayEndpoint?: string;
  /**
   * Endpoint of the local CloudWatch API (`DescribeAlarms`), for functions that call it.
   * @default - none: such calls would go to AWS and fail
   */
  readonly cloudWatchEndpoint?: string;
  readonly credentials: LocalCredentials;
  /**
   * Prefix of generated function names (not of names the template sets).
   * @default ''
   */
  readonly namePrefix?: string;
}

/**
 * Reads every function of a stack and registers each in the resolver (`Ref` is the name, `Arn` the
 * ARN) before resolving any environment, so that functions may refer to each other; likewise its
 * published versions (`Ref` and `FunctionArn` the version's ARN, `Version` its number) and aliases
 * (`Ref` and `AliasArn` the alias ARN). Functions that serve custom resources are left out (see
 * `customResourceProviderIds`).
 */
export function functionDefinitionsOf(
  stack: AssemblyStack,
  options: FunctionDefinitionOptions,
): LocalFunctionDefinition[] {
  const providers = customResourceProviderIds(stack.template);
  const runnable = resourcesOfType(stack.template, FUNCTION_TYPE).filter(
    ({ logicalId }) => !providers.has(logicalId),
  );
  const qualifiers = functionQualifiersOf(stack.template);
  const functions = runnable.map(({ logicalId, resource }) => {
    const properties = resource.Properties ?? {};
    const templateName =
      properties.FunctionName === undefined
        ? undefined
        : options.resolver.resolveString(properties.FunctionName, `${logicalId}.FunctionName`);
    const functionName = localResourceName({
      templateName,
      stackName: stack.stackName,
      logicalId,
      prefix: options.namePrefix,
      maxLength: MAX_FUNCTION_NAME_LENGTH,
      kind: 'function',
    });
    const functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${functionName}`;
    options.resolver.register(logicalId, { ref: functionName, attributes: { Arn: functionArn } });
    const { versionLogicalIds = [], aliases = [] } = qualifiers.get(logicalId) ?? {};
    const version = versionLogicalIds.length > 0 ? LOCAL_VERSION_NUMBER : '$LATEST';
    for (const versionLogicalId of versionLogicalIds) {
      const versionArn = `${functionArn}:${LOCAL_VERSION_NUMBER}`;
      options.resolver.register(versionLogicalId, {
        ref: versionArn,
        attributes: { Version: LOCAL_VERSION_NUMBER, FunctionArn: versionArn },
      });
    }
    for (const alias of aliases) {
      const aliasArn = `${functionArn}:${alias.name}`;
      options.resolver.register(alias.logicalId, { ref: aliasArn, attributes: { AliasArn: aliasArn } });
    }
    return { logicalId, resource, names: { functionName, functionArn, version, aliases } };
  });
  return functions.map(({ logicalId, resource, names }) =>
    definitionOf(stack, logicalId, resource, names, options),
  );
}

/** What a function is called: its name, ARN, the version its invokers run and its aliases. */
type FunctionNames = Pick<LocalFunctionDefinition, 'functionName' | 'functionArn' | 'version' | 'aliases'>;

function definitionOf(
  stack: AssemblyStack,
  logicalId: string,
  resource: TemplateResource,
  names: FunctionNames,
  options: FunctionDefinitionOptions,
): LocalFunctionDefinition {
  const { functionName, version } = names;
  const properties = resource.Properties ?? {};
  const what = `${stack.stackName}/${logicalId}`;
  const runtime = typeof properties.Runtime === 'string' ? properties.Runtime : '';
  if (!runtime.startsWith('nodejs')) {
    throw new Error(
      `${what} has runtime ${runtime || '(none)'}; the local cloud runs only Node.js functions`,
    );
  }
  const handler = options.resolver.resolveString(properties.Handler, `${what}.Handler`);
  const separator = handler.lastIndexOf('.');
  if (separator <= 0) throw new Error(`${what} has handler ${handler}; expected <module>.<export>`);
  const bundleDirectory = bundleDirectoryOf(what, resource, options.assemblyDirectory);

  const timeoutSeconds = numberOf(options.resolver.resolve(properties.Timeout), DEFAULT_TIMEOUT_SECONDS);
  const memorySizeMb = numberOf(options.resolver.resolve(properties.MemorySize), DEFAULT_MEMORY_SIZE_MB);
  const reserved = options.resolver.resolve(properties.ReservedConcurrentExecutions);
  const templateVariables = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(templateVariables ?? {})) {
    variables[name] = options.resolver.resolveString(value, `${what}.Environment.Variables.${name}`);
  }

  return {
    stackName: stack.stackName,
    logicalId,
    ...names,
    runtime,
    handlerModulePath: path.join(bundleDirectory, handler.slice(0, separator)),
    handlerExport: handler.slice(separator + 1),
    timeoutSeconds,
    memorySizeMb,
    reservedConcurrentExecutions: reserved === undefined ? undefined : Number(reserved),
    environment: {
      ...variables,
      // What the Lambda runtime sets (reserved: a template cannot override these).
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      LAMBDA_TASK_ROOT: bundleDirectory,
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
      // The local emulators instead of the AWS endpoints; the SDK in the bundles honours these.
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SQS: options.sqsEndpoint,
      ...(options.apiGatewayEndpoint ? { AWS_ENDPOINT_URL_API_GATEWAY: options.apiGatewayEndpoint } : {}),
      ...(options.cloudWatchEndpoint ? { AWS_ENDPOINT_URL_CLOUDWATCH: options.cloudWatchEndpoint } : {}),
      // The template's runtime (e.g. nodejs24.x) may be newer than the local Node.js; the SDK's
      // warning about the local version says nothing about the deployed function.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  };
}

/**
 * The staged bundle folder of a function: the CDK records it in the resource's metadata
 * (`aws:asset:path`); without it, the S3 key `<hash>.zip` names the folder `asset.<hash>`.
 */
function bundleDirectoryOf(what: string, resource: TemplateResource, assemblyDirectory: string): string {
  const code = (resource.Properties?.Code ?? {}) as { S3Key?: unknown; ZipFile?: unknown };
  const assetPath = resource.Metadata?.[ASSET_PATH_METADATA];
  let folder: string | undefined;
  if (typeof assetPath === 'string') {
    folder = assetPath;
  } else if (typeof code.S3Key === 'string') {
    folder = `asset.${code.S3Key.replace(/\.zip$/, '')}`;
  }
  if (folder === undefined) {
    throw new Error(
      `${what} has no bundled asset in the cloud assembly (inline code and prebuilt S3 objects are not supported locally)`,
    );
  }
  const directory = path.resolve(assemblyDirectory, folder);
  if (!existsSync(directory)) {
    throw new Error(
      `The bundle of ${what} is missing: ${directory} does not exist (was the app synthesized with bundling skipped?)`,
    );
  }
  return directory;
}

function numberOf(value: unknown, defaultValue: number): number {
  return value === undefined ? defaultValue : Number(value);
}
