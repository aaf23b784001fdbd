import { Match, Template } from 'aws-cdk-lib/assertions';
import { resolveAppConfig } from '../../../lib/config';
import { addVariantStacks } from '../../../lib/stacks';
import { testApp } from '../../helpers/app';

function synthVariant(variant: string, regions?: string) {
  const app = testApp();
  const stacks = addVariantStacks(app, resolveAppConfig({ variant, regions, account: '111111111111' }));
  return { app, stacks, templates: stacks.map((stack) => Template.fromStack(stack)) };
}

/** Logical ids of stateful resources are a contract: changing one replaces the resource and loses its data. */
const STATEFUL_LOGICAL_IDS = {
  ordersTable: 'OrdersTable1F8332C7',
  idempotencyTable: 'IdempotencyTable48612DF4',
  queue: 'OrderQueue598C9801',
  deadLetterQueue: 'OrderQueueDeadLetterQueueB70A0DEF',
};

describe('sync variant', () => {
  const { stacks, templates } = synthVariant('sync');
  const [template] = templates;

  test('is one stack named ResilientApi-sync', () => {
    expect(stacks.map((s) => s.stackName)).toEqual(['ResilientApi-sync']);
  });

  test('POST /orders invokes the create-order function through a Lambda proxy integration', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ApiKeyRequired: true,
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  test('GET /health needs no API key (Route 53 health checkers cannot send one)', () => {
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET' } });
    const keyRequired = Object.values(methods).map((m) => m.Properties.ApiKeyRequired);
    expect(keyRequired.sort()).toEqual([false, true]);
  });

  test('outputs ApiUrl, HealthUrl, OrdersTableName and ApiKeyId', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'ApiKeyId',
      'ApiUrl',
      'HealthUrl',
      'OrdersTableName',
    ]);
  });

  test('keeps the logical ids of its tables', () => {
    template.templateMatches({
      Resources: {
        [STATEFUL_LOGICAL_IDS.ordersTable]: { Type: 'AWS::DynamoDB::GlobalTable', DeletionPolicy: 'Retain' },
        [STATEFUL_LOGICAL_IDS.idempotencyTable]: { Type: 'AWS::DynamoDB::GlobalTable' },
      },
    });
  });
});

describe('async variant', () => {
  const { stacks, templates } = synthVariant('async');
  const [template] = templates;

  test('is one stack named ResilientApi-async', () => {
    expect(stacks.map((s) => s.stackName)).toEqual(['ResilientApi-async']);
  });

  test('POST /orders writes straight to SQS; the consumer is mapped to the queue', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({ Type: 'AWS' }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // The consumer's 30 s timeout sets the visibility timeout.
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180 });
  });

  test('the health check knows the queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^GET /health'),
      Environment: { Variables: Match.objectLike({ ORDERS_QUEUE_URL: Match.anyValue() }) },
    });
  });

  test('outputs the queue and dead-letter queue URLs too', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'ApiKeyId',
      'ApiUrl',
      'DlqUrl',
      'HealthUrl',
      'OrdersTableName',
      'QueueUrl',
    ]);
  });

  test('keeps the logical ids of its tables and queues', () => {
    template.templateMatches({
      Resources: {
        [STATEFUL_LOGICAL_IDS.ordersTable]: { Type: 'AWS::DynamoDB::GlobalTable' },
        [STATEFUL_LOGICAL_IDS.idempotencyTable]: { Type: 'AWS::DynamoDB::GlobalTable' },
        [STATEFUL_LOGICAL_IDS.queue]: { Type: 'AWS::SQS::Queue' },
        [STATEFUL_LOGICAL_IDS.deadLetterQueue]: { Type: 'AWS::SQS::Queue' },
      },
    });
  });
});

describe('multi variant', () => {
  const { app, stacks, templates } = synthVariant('multi', 'us-east-1,us-west-2,eu-west-1');

  test('is one async stack per region; the first owns the global table with replicas in the others', () => {
    expect(stacks.map((s) => [s.stackName, s.region])).toEqual([
      ['ResilientApi-multi-us-east-1', 'us-east-1'],
      ['ResilientApi-multi-us-west-2', 'us-west-2'],
      ['ResilientApi-multi-eu-west-1', 'eu-west-1'],
    ]);
    templates[0].hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'ResilientApi-multi-orders',
      Replicas: Match.arrayWith([
        Match.objectLike({ Region: 'us-west-2' }),
        Match.objectLike({ Region: 'eu-west-1' }),
        Match.objectLike({ Region: 'us-east-1' }),
      ]),
    });
  });

  test('the other regions use their replica and create no orders table of their own', () => {
    for (const template of templates.slice(1)) {
      template.hasOutput('OrdersTableName', { Value: 'ResilientApi-multi-orders' });
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1); // the idempotency table only
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        Integration: Match.objectLike({ Type: 'AWS' }),
      });
    }
    expect(stacks[1].dependencies).toContain(stacks[0]);
  });

  test('without a hosted zone, says so in a synth-time info annotation', () => {
    const assembly = app.synth();
    const messages = assembly.getStackByName('ResilientApi-multi-us-east-1').messages;
    expect(messages.map((m) => m.entry.data)).toContainEqual(
      expect.stringContaining('No hosted zone configured'),
    );
  });
});
