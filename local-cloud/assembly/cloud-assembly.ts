/**
 * Reading a synthesized cloud assembly (`cdk.out`): its stacks, their environments and templates.
 * The local cloud runs exactly what is in here and keeps no other description of the stacks.
 */
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** A CloudFormation template parameter. */
export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
}

/** The parts of a CloudFormation template the local cloud reads. */
export interface StackTemplate {
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Parameters?: Readonly<Record<string, TemplateParameter>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown; readonly Description?: string }>>;
}

/** One stack of the assembly. */
export interface AssemblyStack {
  /** The CloudFormation stack name, e.g. `ResilientApi-async`. */
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly templatePath: string;
  /** Target account; `undefined` for an environment-agnostic stack. */
  readonly account: string | undefined;
  /** Target region; `undefined` for an environment-agnostic stack. */
  readonly region: string | undefined;
  /** The parsed template. */
  readonly template: StackTemplate;
}

/** A resource of a stack, with its logical id. */
export interface LogicalResource {
  readonly logicalId: string;
  readonly resource: TemplateResource;
}

/** The stacks of a synthesized cloud assembly. */
export interface LocalCloudAssembly {
  /** Absolute path of the assembly folder (where the `asset.<hash>/` folders live). */
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
}

/** The CDK writes this for a stack synthesized without an explicit account or region. */
const UNKNOWN_ENVIRONMENT = /^unknown-(account|region)$/;

/**
 * Reads `manifest.json` of a cloud assembly and loads the template of every stack. The manifest is
 * read by aws-cdk-lib's own reader, which also checks that its schema version is one it understands.
 */
export function readCloudAssembly(directory: string): LocalCloudAssembly {
  const assembly = new CloudAssembly(directory);
  return {
    directory: assembly.directory,
    stacks: assembly.stacks.map((artifact) => ({
      stackName: artifact.stackName,
      templatePath: artifact.templateFullPath,
      account: known(artifact.environment.account),
      region: known(artifact.environment.region),
      template: artifact.template as StackTemplate,
    })),
  };
}

/** The stack of the given name; fails naming the stacks the assembly does have. */
export function stackByName(assembly: LocalCloudAssembly, stackName: string): AssemblyStack {
  const stack = assembly.stacks.find((candidate) => candidate.stackName === stackName);
  if (stack === undefined) {
    const names = assembly.stacks.map((candidate) => candidate.stackName).join(', ');
    throw new Error(
      `The cloud assembly in ${assembly.directory} has no stack ${stackName} (it has: ${names})`,
    );
  }
  return stack;
}

/** The resources of a template of the given CloudFormation type, in template order. */
export function resourcesOfType(template: StackTemplate, type: string): LogicalResource[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, resource }));
}

/**
 * Logical ids of the functions that serve custom resources (a `ServiceToken` of a `Custom::…` or
 * `AWS::CloudFormation::CustomResource` resource names their ARN): CloudFormation runs them during
 * a deployment, and there is no deployment locally, so the local cloud does not run them.
 */
export function customResourceProviderIds(template: StackTemplate): Set<string> {
  const ids = new Set<string>();
  for (const resource of Object.values(template.Resources)) {
    if (!resource.Type.startsWith('Custom::') && resource.Type !== 'AWS::CloudFormation::CustomResource')
      continue;
    const token = (resource.Properties ?? {}).ServiceToken as { 'Fn::GetAtt'?: unknown } | undefined;
    const getAtt = token?.['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.add(getAtt[0]);
  }
  return ids;
}

function known(value: string): string | undefined {
  return UNKNOWN_ENVIRONMENT.test(value) ? undefined : value;
}
