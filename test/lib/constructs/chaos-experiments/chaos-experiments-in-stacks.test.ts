import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DEFAULT_CAPACITY, resolveAppConfig } from '../../../../lib/config';
import { OrderApiStack, addVariantStacks } from '../../../../lib/stacks';
import { projectFunctions, testApp } from '../../../harness/app';
import { TEST_ACCOUNT } from '../../../harness/local-aws';

function logicalIdOf(construct: IConstruct): string {
  const resource = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  return Stack.of(construct).getLogicalId(resource as CfnElement);
}

const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });

function stacksOf(variant: string, chaos?: string): OrderApiStack[] {
  const app = testApp();
  return addVariantStacks(
    app,
    resolveAppConfig({ variant, account: TEST_ACCOUNT, chaos }),
  ) as OrderApiStack[];
}

/** Every finding the AwsSolutions and Serverless packs report on the variant's stacks, warnings included. */
function nagFindings(variant: string, chaos: string): string[] {
  const app = testApp();
  addVariantStacks(app, resolveAppConfig({ variant, account: TEST_ACCOUNT, chaos }));
  app.synth();
  return [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
    pack
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`)),
  );
}

describe.each(['sync', 'async', 'multi'])('cdk-nag on the %s variant with chaos experiments', (variant) => {
  test('the experiments add no unacknowledged AwsSolutions or Serverless finding, warnings included', () => {
    // GIVEN the findings without experiments (test/lib/nag.test.ts holds those to none)
    const baseline = nagFindings(variant, 'false');
    // WHEN the experiments, the extension and its bucket are added
    const withChaos = nagFindings(variant, 'true');
    // THEN the packs report nothing more
    expect(withChaos.filter((finding) => !baseline.includes(finding))).toEqual([]);
    expect(withChaos.some((finding) => finding.includes('ChaosExperiments'))).toBe(false);
  });
});

describe('chaos experiments in the order API stacks', () => {
  test('are off by default: no template, no bucket, no FIS extension on any function', () => {
    // GIVEN / WHEN
    const [stack] = stacksOf('async');
    // THEN
    expect(stack.chaosExperiments).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::FIS::ExperimentTemplate', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    for (const fn of Object.values(projectFunctions(template))) {
      expect(fn.Properties.Layers).toBeUndefined();
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('AWS_LAMBDA_EXEC_WRAPPER');
      expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain(
        'AWS_FIS_CONFIGURATION_LOCATION',
      );
    }
    expect(Object.keys(template.toJSON().Outputs).filter((id) => id.startsWith('Chaos'))).toEqual([]);
  });

  test('sync: target the order handlers only, stop on the SLO alarms, and output the template ids', () => {
    // GIVEN / WHEN
    const [stack] = stacksOf('sync', 'true');
    // THEN
    const template = Template.fromStack(stack);
    const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
    const handlerIds = functionIds.filter((id) => /^(CreateOrder|GetOrder)Function/.test(id)).sort();
    expect(handlerIds).toHaveLength(2);
    const templates = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'));
    expect(templates).toHaveLength(2);
    for (const resource of templates) {
      const targets = resource.Properties.Targets.Functions.ResourceArns.map(
        (arn: { 'Fn::GetAtt': [string, string] }) => arn['Fn::GetAtt'][0],
      );
      expect(targets.sort()).toEqual(handlerIds);
      expect(resource.Properties.StopConditions).toEqual(
        stack.monitoring.sloAlarms.map((alarm) => ({ Source: 'aws:cloudwatch:alarm', Value: arnOf(alarm) })),
      );
    }
    // The 5XX rate and p99 latency alarms: a sync stack has no dead-letter queue.
    expect(stack.monitoring.sloAlarms).toHaveLength(2);
    const outputs = template.toJSON().Outputs;
    expect(outputs.ChaosInvocationDelayTemplateId.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.chaosExperiments!.invocationDelayTemplate!), 'Id'],
    });
    expect(outputs.ChaosInvocationErrorTemplateId.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.chaosExperiments!.invocationErrorTemplate!), 'Id'],
    });
    expect(outputs.ChaosReplicationPauseTemplateId).toBeUndefined();
  });

  test('multi: only the primary, which owns the global table, pauses its replication', () => {
    // GIVEN / WHEN
    const [primary, replica] = stacksOf('multi', 'true');
    // THEN
    const primaryTemplate = Template.fromStack(primary);
    primaryTemplate.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: {
        Tables: {
          ResourceType: 'aws:dynamodb:global-table',
          ResourceArns: [arnOf(primary.ordersTable.table)],
          SelectionMode: 'ALL',
        },
      },
    });
    expect(primaryTemplate.toJSON().Outputs.ChaosReplicationPauseTemplateId.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(primary.chaosExperiments!.replicationPauseTemplate!), 'Id'],
    });
    // The async stacks also stop on dead letters.
    expect(primary.monitoring.sloAlarms).toHaveLength(3);

    const replicaTemplate = Template.fromStack(replica);
    replicaTemplate.resourceCountIs('AWS::FIS::ExperimentTemplate', 2);
    expect(replica.chaosExperiments!.replicationPauseTemplate).toBeUndefined();
    expect(replicaTemplate.toJSON().Outputs.ChaosReplicationPauseTemplateId).toBeUndefined();
  });

  test('options given to the stack reach the experiments', () => {
    // GIVEN
    const app = testApp();
    // WHEN
    const stack = new OrderApiStack(app, 'Api', {
      env: { account: TEST_ACCOUNT, region: 'eu-west-1' },
      orderPath: 'async',
      capacity: DEFAULT_CAPACITY,
      chaosExperiments: { errorInvocationPercentage: 5 },
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        InvocationError: {
          ActionId: 'aws:lambda:invocation-error',
          Parameters: { duration: 'PT5M', invocationPercentage: '5', preventExecution: 'true' },
          Targets: { Functions: 'Functions' },
          Description: 'Mark invocations as failed, like a crashing handler',
        },
      },
    });
  });
});
