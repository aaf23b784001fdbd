/**
 * What the local cloud does with each resource of a template: emulated (and by what) or not
 * emulated (and why). Every resource lands in one of the two lists; nothing is dropped silently.
 */
import { customResourceProviderIds, type AssemblyStack } from '../assembly/cloud-assembly';

/** A resource the local cloud runs. */
export interface EmulatedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** What runs it, e.g. `dynamodb-local`, `fauxqs`, `lambda-runtime`. */
  readonly emulator: string;
}

/** A resource the local cloud does not run, with the consequence for a local user. */
export interface NotEmulatedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

/** Both lists for a set of stacks. */
export interface EmulationReport {
  readonly emulated: readonly EmulatedResource[];
  readonly notEmulated: readonly NotEmulatedResource[];
}

/** The resource types the region runtime itself emulates, and with what. */
export const REGION_RUNTIME_EMULATORS: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'dynamodb-local',
  'AWS::DynamoDB::GlobalTable': 'dynamodb-local',
  'AWS::SQS::Queue': 'fauxqs',
  'AWS::Lambda::Function': 'lambda-runtime',
  // One code per function locally: a version or alias runs the function's (see lambda/qualifiers.ts).
  'AWS::Lambda::Version': 'lambda-runtime',
  'AWS::Lambda::Alias': 'lambda-runtime',
  'AWS::Lambda::EventSourceMapping': 'sqs-event-source',
};

/**
 * Why a type is not emulated, by type or by service prefix (the most specific match wins). The
 * reasons say what a local user loses, so a status table can show them as they are.
 */
const CUSTOM_RESOURCE_REASON =
  'custom resources run during a CloudFormation deployment; there is none locally';

const NOT_EMULATED_REASONS: Readonly<Record<string, string>> = {
  'AWS::IAM::': 'IAM is not enforced locally: every function may call every local resource',
  'AWS::Lambda::Permission': 'invoke permissions are not enforced locally',
  'AWS::Logs::': 'function logs go to the local cloud output, not to log groups',
  'AWS::CloudWatch::Dashboard': 'dashboards are not drawn locally (npm run local lists the alarms)',
  'AWS::CloudWatch::': 'not evaluated locally (alarm states come from the metrics the local cloud computes)',
  'AWS::SNS::': 'no SNS locally (alarm notifications are not sent)',
  'AWS::KMS::': 'no encryption at rest locally',
  'AWS::SQS::QueuePolicy': 'queue policies are not enforced locally',
  'AWS::WAFv2::': 'no web application firewall locally',
  'AWS::Route53::': 'no DNS locally',
  'AWS::CDK::Metadata': 'CDK usage metadata, nothing to run',
  'Custom::': CUSTOM_RESOURCE_REASON,
  'AWS::CloudFormation::CustomResource': CUSTOM_RESOURCE_REASON,
};

/** Why a function that serves custom resources is not run. */
const CUSTOM_RESOURCE_PROVIDER_REASON =
  'serves custom resources, which CloudFormation runs during a deployment; there is none locally';

const UNKNOWN_TYPE_REASON = 'the local cloud has no emulation for this resource type';

/**
 * Sorts every resource of the stacks into emulated and not emulated.
 *
 * @param otherEmulators resource types emulated outside the region runtime (e.g. API Gateway
 *   types by the gateway emulator), with the name of their emulator
 */
export function emulationReportOf(
  stacks: readonly AssemblyStack[],
  otherEmulators: Readonly<Record<string, string>> = {},
): EmulationReport {
  const emulators = { ...REGION_RUNTIME_EMULATORS, ...otherEmulators };
  const emulated: EmulatedResource[] = [];
  const notEmulated: NotEmulatedResource[] = [];
  for (const stack of stacks) {
    const providers = customResourceProviderIds(stack.template);
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      const emulator = providers.has(logicalId) ? undefined : emulators[resource.Type];
      if (emulator !== undefined) {
        emulated.push({ stackName: stack.stackName, logicalId, type: resource.Type, emulator });
      } else {
        notEmulated.push({
          stackName: stack.stackName,
          logicalId,
          type: resource.Type,
          reason: providers.has(logicalId)
            ? CUSTOM_RESOURCE_PROVIDER_REASON
            : notEmulatedReason(resource.Type),
        });
      }
    }
  }
  return { emulated, notEmulated };
}

/** Why a resource type is not emulated. */
export function notEmulatedReason(type: string): string {
  const match = Object.keys(NOT_EMULATED_REASONS)
    .filter((key) => type === key || (key.endsWith('::') && type.startsWith(key)))
    .sort((a, b) => b.length - a.length)[0];
  return match === undefined ? UNKNOWN_TYPE_REASON : (NOT_EMULATED_REASONS[match] ?? UNKNOWN_TYPE_REASON);
}
