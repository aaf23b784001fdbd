import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  OrderQueue,
  type OrderQueueDeadLetterQueueDerivedKey,
  type OrderQueueProps,
  type OrderQueueQueueDerivedKey,
} from '../../../../lib/constructs/order-queue';
import { renderTemplate } from '../../../../local-cloud/apigateway/velocity';
import { ORDER_MESSAGE_ATTRIBUTES } from '../../../../lambdas/contract/order-message';
import { ResilientFunction } from '../../../../lib/constructs/resilient-function';
import { testStack } from '../../../harness/app';
import { passThroughReadmeSection } from '../../../harness/pass-through';

const entry = path.join(__dirname, '../../../fixtures/echo-handler.ts');

function build(props: Partial<OrderQueueProps> = {}, consumerTimeout = Duration.seconds(30)) {
  const stack = testStack();
  const consumer = new ResilientFunction(stack, 'Consumer', { entry, timeout: consumerTimeout });
  const api = new apigateway.RestApi(stack, 'Api');
  const processor = new OrderQueue(stack, 'Orders', {
    consumer,
    resource: api.root.addResource('orders'),
    ...props,
  });
  return { stack, processor, template: () => Template.fromStack(stack) };
}

describe('OrderQueue', () => {
  test('derives the visibility timeout as six times the consumer timeout', () => {
    // GIVEN a consumer with a 30 s timeout
    const { template } = build();
    // THEN the queue hides a received message for 180 s
    template().hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
  });

  test('encrypts both queues and refuses requests without TLS', () => {
    const { template } = build();
    const queues = template().findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const queue of Object.values(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
    template().resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template().hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('keeps dead letters for 14 days', () => {
    const { template } = build();
    template().hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1_209_600 });
  });

  test('maps the queue to the consumer with partial batch failures, batch size, window and max concurrency', () => {
    const { template } = build({ batchSize: 25, maxBatchingWindow: Duration.seconds(2), maxConcurrency: 4 });
    template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('integrates API Gateway with SQS directly and answers 202', () => {
    const { template } = build();
    template().hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        PassthroughBehavior: 'NEVER',
        Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':sqs:path/')])] },
        RequestTemplates: { 'application/json': Match.stringLikeRegexp('Action=SendMessage&MessageBody=') },
        IntegrationResponses: Match.arrayWith([
          Match.objectLike({ StatusCode: '202', SelectionPattern: '2\\d{2}' }),
          Match.objectLike({ StatusCode: '400', SelectionPattern: '400' }),
          Match.objectLike({ StatusCode: '503', SelectionPattern: Match.absent() }),
        ]),
      }),
    });
  });

  test('selects exactly one integration response for every SQS status: only 400 can be a client error', () => {
    // GIVEN the integration responses (AWS matches the selection pattern against the service's
    // status code, and takes the one without a pattern when none matches; which of several matches
    // wins is undocumented, so none may overlap)
    const { template } = build();
    const responses = Object.values(template().findResources('AWS::ApiGateway::Method'))[0].Properties
      .Integration.IntegrationResponses as Array<{ StatusCode: string; SelectionPattern?: string }>;
    expect(responses.filter((response) => response.SelectionPattern === undefined)).toHaveLength(1);

    // THEN each status from 200 to 599 selects one response, and only 400 selects the 400 one
    const selected = new Map<number, string[]>();
    for (let status = 200; status <= 599; status++) {
      const matching = responses.filter(
        (response) =>
          response.SelectionPattern !== undefined &&
          new RegExp(`^(?:${response.SelectionPattern})$`).test(String(status)),
      );
      const chosen =
        matching.length > 0 ? matching : responses.filter((r) => r.SelectionPattern === undefined);
      selected.set(
        status,
        chosen.map((response) => response.StatusCode),
      );
    }
    expect([...selected].filter(([, matches]) => matches.length !== 1)).toEqual([]);
    expect(selected.get(202)).toEqual(['202']);
    expect(selected.get(400)).toEqual(['400']);
    expect(selected.get(403)).toEqual(['503']);
    expect(selected.get(404)).toEqual(['503']);
    expect(selected.get(500)).toEqual(['503']);
  });

  describe('the SendMessage request template', () => {
    const key = '7b0d5c4e-3f1a-4c2b-9d8e-0a1b2c3d4e5f';
    /** Renders the template for a request made with the API key `apiKey` (id `<apiKey>-id`), or none. */
    function render(
      apiKey: string | null,
      idempotencyKey = key,
      stageVariables: Record<string, string> = {},
      headerName = 'Idempotency-Key',
    ): URLSearchParams {
      const { template } = build();
      const methods = template().findResources('AWS::ApiGateway::Method');
      const requestTemplate: string =
        Object.values(methods)[0].Properties.Integration.RequestTemplates['application/json'];
      const rendered = renderTemplate(requestTemplate, {
        context: {
          requestId: 'req-1',
          identity: { apiKey, apiKeyId: apiKey === null || apiKey === '' ? apiKey : `${apiKey}-id` },
        },
        input: {
          body: '{"a":1}',
          path: {},
          querystring: {},
          header: { [headerName]: idempotencyKey },
          exactHeaderNames: true,
        },
        stageVariables,
      });
      return new URLSearchParams(rendered.trim());
    }
    function attributes(params: URLSearchParams): Record<string, string | null> {
      const result: Record<string, string | null> = {};
      for (let i = 1; params.has(`MessageAttribute.${i}.Name`); i++) {
        result[params.get(`MessageAttribute.${i}.Name`)!] = params.get(
          `MessageAttribute.${i}.Value.StringValue`,
        );
      }
      return result;
    }

    test('carries the Idempotency-Key, the request id, the API key value (the owner) and its id as message attributes', () => {
      // WHEN a request made with an API key is mapped
      const params = render('key-1');
      // THEN the message carries the body and all four attributes
      expect(params.get('Action')).toBe('SendMessage');
      expect(params.get('MessageBody')).toBe('{"a":1}');
      expect(attributes(params)).toEqual({
        [ORDER_MESSAGE_ATTRIBUTES.idempotencyKey]: key,
        [ORDER_MESSAGE_ATTRIBUTES.requestId]: 'req-1',
        [ORDER_MESSAGE_ATTRIBUTES.apiKey]: 'key-1',
        [ORDER_MESSAGE_ATTRIBUTES.apiKeyId]: 'key-1-id',
      });
    });

    test.each([
      ['null', null],
      ['empty', ''],
    ])(
      'leaves out the API key and its id when the key is %s (SQS refuses an empty attribute value)',
      (_, apiKey) => {
        // WHEN a request without an API key is mapped
        const params = render(apiKey);
        // THEN only the Idempotency-Key and request id are attributes
        expect(attributes(params)).toEqual({
          [ORDER_MESSAGE_ATTRIBUTES.idempotencyKey]: key,
          [ORDER_MESSAGE_ATTRIBUTES.requestId]: 'req-1',
        });
      },
    );

    test('reads the Idempotency-Key under its lower-case name (HTTP/2) even if header lookup were case-sensitive', () => {
      // WHEN the header arrives as idempotency-key and the lookup is exact
      const params = render('key-1', key, {}, 'idempotency-key');
      // THEN the message is sent with the key
      expect(params.get('MessageBody')).toBe('{"a":1}');
      expect(attributes(params)[ORDER_MESSAGE_ATTRIBUTES.idempotencyKey]).toBe(key);
    });

    test('leaves out the body when the Idempotency-Key is not a UUID, so SQS answers 400', () => {
      const params = render('key-1', 'not-a-uuid');
      expect(params.get('Action')).toBe('SendMessage');
      expect(params.has('MessageBody')).toBe(false);
    });

    test('leaves out the body while the stage sheds load, so nothing is queued', () => {
      // WHEN a valid request is mapped while the stage variable shedding is true
      const shedding = render('key-1', key, { shedding: 'true' });
      // THEN SQS gets no body; with shedding false the message goes through
      expect(shedding.has('MessageBody')).toBe(false);
      expect(render('key-1', key, { shedding: 'false' }).get('MessageBody')).toBe('{"a":1}');
    });
  });

  describe('the 4XX response template', () => {
    const key = '7b0d5c4e-3f1a-4c2b-9d8e-0a1b2c3d4e5f';
    /** SQS's query-protocol error answer with `code` (the integration response's body). */
    const sqsError = (code: string) =>
      `<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>${code}</Code><Message>refused</Message><Detail/></Error><RequestId>r-1</RequestId></ErrorResponse>`;
    function respond(
      idempotencyKey: string,
      stageVariables: Record<string, string>,
      sqsAnswer = sqsError('MissingParameter'),
      header: Record<string, string> = { 'Idempotency-Key': idempotencyKey },
    ) {
      const { template } = build({ sheddingRetryAfter: Duration.seconds(45) });
      const method = Object.values(template().findResources('AWS::ApiGateway::Method'))[0];
      const rejected = (
        method.Properties.Integration.IntegrationResponses as Array<{
          StatusCode: string;
          ResponseTemplates: Record<string, string>;
        }>
      ).find((response) => response.StatusCode === '400')!;
      const responseOverride = { header: {} } as {
        status?: unknown;
        header: Record<string, unknown>;
      };
      const body = renderTemplate(rejected.ResponseTemplates['application/json'], {
        context: { requestId: 'req-1' },
        input: {
          body: sqsAnswer,
          path: {},
          querystring: {},
          header,
          exactHeaderNames: true,
        },
        stageVariables,
        responseOverride,
      });
      return { body: JSON.parse(body) as { error: { code: string } }, responseOverride };
    }

    test('answers 503 OVERLOADED with the configured Retry-After while shedding', () => {
      const { body, responseOverride } = respond(key, { shedding: 'true' });
      expect(responseOverride.status).toBe(503);
      expect(responseOverride.header['Retry-After']).toBe('45');
      expect(body.error.code).toBe('OVERLOADED');
    });

    test('still names a bad Idempotency-Key with 400 while shedding (a client mistake is not load)', () => {
      const { body, responseOverride } = respond('nope', { shedding: 'true' });
      expect(responseOverride.status).toBeUndefined();
      expect(body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
    });

    test.each(['MissingParameter', 'InvalidMessageContents'])(
      'answers 400 BAD_REQUEST when not shedding and SQS refused the message for the client: %s',
      (code) => {
        const { body, responseOverride } = respond(key, { shedding: 'false' }, sqsError(code));
        expect(responseOverride.status).toBeUndefined();
        expect(body.error.code).toBe('BAD_REQUEST');
      },
    );

    test.each([
      'KMS.DisabledException',
      'KMS.AccessDeniedException',
      'AWS.SimpleQueueService.NonExistentQueue',
    ])(
      "answers 500 INTERNAL_ERROR when SQS's 400 is its own fault (503 with the queue's 400 is shedding): %s",
      (code) => {
        const { body, responseOverride } = respond(key, { shedding: 'false' }, sqsError(code));
        expect(responseOverride.status).toBe(500);
        expect(body.error.code).toBe('INTERNAL_ERROR');
      },
    );

    test('reads the Idempotency-Key under its lower-case name (HTTP/2) even if header lookup were case-sensitive', () => {
      const { body } = respond('nope', { shedding: 'false' }, sqsError('MissingParameter'), {
        'idempotency-key': 'nope',
      });
      expect(body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
      const valid = respond(key, { shedding: 'true' }, sqsError('MissingParameter'), {
        'idempotency-key': key,
      });
      expect(valid.body.error.code).toBe('OVERLOADED');
    });
  });

  test('lets API Gateway only send messages to this queue', () => {
    const { template } = build();
    const policies = template().findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('OrdersIntegrationRole') }] },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersQueue/), 'Arn'] },
      },
    ]);
  });

  test('without a resource, creates the queue and consumer but no API method', () => {
    const stack = testStack();
    const consumer = new ResilientFunction(stack, 'Consumer', { entry });
    const processor = new OrderQueue(stack, 'Orders', { consumer });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Method', 0);
    expect(processor.method).toBeUndefined();
  });

  test('fails if the visibility timeout is less than six times the consumer timeout', () => {
    expect(() => build({ visibilityTimeout: Duration.seconds(60) }, Duration.seconds(30))).toThrow(
      'Queue visibility timeout must be at least 6 times the consumer timeout (180 seconds for a 30-second timeout) (given 60 seconds)',
    );
  });

  test('fails if max concurrency is below the event source minimum of 2', () => {
    expect(() => build({ maxConcurrency: 1 })).toThrow(
      'Maximum concurrency must be between 2 and 1000 inclusive (given 1)',
    );
  });

  test('fails if the consumer reserves less concurrency than the event source may use', () => {
    // GIVEN a consumer that reserves 3
    const stack = testStack();
    const consumer = new ResilientFunction(stack, 'Consumer', { entry, reservedConcurrentExecutions: 3 });
    // THEN a maximum concurrency of 4 would be throttled
    expect(() => new OrderQueue(stack, 'Orders', { consumer, maxConcurrency: 4 })).toThrow(
      "The consumer's reserved concurrency must be at least the maximum concurrency (4) (given 3)",
    );
  });

  test('fails if the batch size is over 10 without a batching window', () => {
    expect(() => build({ batchSize: 11, maxBatchingWindow: Duration.seconds(0) })).toThrow(
      'Maximum batch size must be between 1 and 10 inclusive (given 11)',
    );
  });

  test('fails if the shedding Retry-After is over an hour', () => {
    expect(() => build({ sheddingRetryAfter: Duration.hours(2) })).toThrow(
      'Shedding Retry-After (seconds) must be between 1 and 3600 inclusive (given 7200)',
    );
  });

  test('fails if max receive count is 0', () => {
    expect(() => build({ maxReceiveCount: 0 })).toThrow(
      'Maximum receive count must be between 1 and 1000 inclusive (given 0)',
    );
  });

  describe('pass-through queue props', () => {
    test('passes keys the construct does not derive through, and keeps the derived ones', () => {
      // GIVEN a consumer with a 30 s timeout
      // WHEN the queue gets a delivery delay and the dead-letter queue a visibility timeout
      const { template } = build({
        queueProps: { deliveryDelay: Duration.seconds(5) },
        deadLetterQueueProps: { visibilityTimeout: Duration.seconds(45) },
      });
      // THEN the queue keeps its derived visibility timeout and redrive policy
      template().hasResourceProperties('AWS::SQS::Queue', {
        DelaySeconds: 5,
        VisibilityTimeout: 180,
        RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
      });
      template().hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: 45,
        MessageRetentionPeriod: 1_209_600,
      });
    });

    test("fails if queueProps sets the visibility timeout, which is derived from the consumer's timeout", () => {
      // GIVEN a consumer with a 30 s timeout
      // WHEN queueProps asks for 60 s, less than the six times the timeout the construct checks
      const create = () =>
        build({
          queueProps: {
            // @ts-expect-error -- visibilityTimeout is omitted from queueProps: it has its own prop
            visibilityTimeout: Duration.seconds(60),
          },
        });
      // THEN
      expect(create).toThrow(
        "queueProps.visibilityTimeout is derived from the consumer's timeout; set visibilityTimeout on OrderQueueProps instead (given queueProps.visibilityTimeout)",
      );
    });

    test('fails if queueProps names the visibility timeout even as undefined, which spreading would erase', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          queueProps: {
            // @ts-expect-error -- visibilityTimeout is omitted from queueProps
            visibilityTimeout: undefined,
          },
        });
      // THEN
      expect(create).toThrow('(given queueProps.visibilityTimeout)');
    });

    test('fails if queueProps sets the dead-letter queue', () => {
      // GIVEN
      const stack = testStack();
      const consumer = new ResilientFunction(stack, 'Consumer', { entry });
      const other = new sqs.Queue(stack, 'Other');
      // WHEN
      const create = () =>
        new OrderQueue(stack, 'Orders', {
          consumer,
          queueProps: {
            // @ts-expect-error -- deadLetterQueue is omitted from queueProps: the construct creates it
            deadLetterQueue: { queue: other, maxReceiveCount: 2 },
          },
        });
      // THEN
      expect(create).toThrow(
        'queueProps.deadLetterQueue would replace the dead-letter queue OrderQueue creates; set maxReceiveCount, and deadLetterQueueProps for the dead-letter queue itself, on OrderQueueProps instead (given queueProps.deadLetterQueue)',
      );
    });

    test('fails if queueProps sets the retention period', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          queueProps: {
            // @ts-expect-error -- retentionPeriod is omitted from queueProps: it has its own prop
            retentionPeriod: Duration.days(1),
          },
        });
      // THEN
      expect(create).toThrow(
        'queueProps.retentionPeriod has its own prop; set retentionPeriod on OrderQueueProps instead (given queueProps.retentionPeriod)',
      );
    });

    test('fails if deadLetterQueueProps sets the retention period', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          deadLetterQueueProps: {
            // @ts-expect-error -- retentionPeriod is omitted from deadLetterQueueProps: it has its own prop
            retentionPeriod: Duration.days(1),
          },
        });
      // THEN
      expect(create).toThrow(
        'deadLetterQueueProps.retentionPeriod has its own prop; set deadLetterRetentionPeriod on OrderQueueProps instead (given deadLetterQueueProps.retentionPeriod)',
      );
    });

    test('fails if queueProps sets enforceSSL, which the construct guarantees', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          queueProps: {
            // @ts-expect-error -- enforceSSL is omitted from queueProps: the construct guarantees it
            enforceSSL: false,
          },
        });
      // THEN
      expect(create).toThrow(
        'queueProps.enforceSSL is always true: OrderQueue guarantees that both queues refuse requests without TLS; remove it (given queueProps.enforceSSL)',
      );
    });

    test('fails if deadLetterQueueProps sets enforceSSL, which the construct guarantees', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          deadLetterQueueProps: {
            // @ts-expect-error -- enforceSSL is omitted from deadLetterQueueProps
            enforceSSL: false,
          },
        });
      // THEN
      expect(create).toThrow('deadLetterQueueProps.enforceSSL is always true');
    });

    test.each(['queueProps', 'deadLetterQueueProps'] as const)(
      'fails if %s would leave the queue unencrypted (the construct guarantees encryption at rest)',
      (propsName) => {
        // GIVEN / WHEN
        const create = () => build({ [propsName]: { encryption: sqs.QueueEncryption.UNENCRYPTED } });
        // THEN
        expect(create).toThrow(
          `${propsName}.encryption must keep the queue encrypted at rest, which OrderQueue guarantees; use SQS_MANAGED (the default), KMS_MANAGED or KMS (given UNENCRYPTED)`,
        );
      },
    );

    test('the README names every refused key', () => {
      // GIVEN every refused key (the types make the lists complete)
      const queueKeys: Record<OrderQueueQueueDerivedKey, true> = {
        visibilityTimeout: true,
        deadLetterQueue: true,
        retentionPeriod: true,
        enforceSSL: true,
      };
      const deadLetterQueueKeys: Record<OrderQueueDeadLetterQueueDerivedKey, true> = {
        retentionPeriod: true,
        enforceSSL: true,
      };
      const section = passThroughReadmeSection('order-queue');
      // THEN
      for (const key of Object.keys(queueKeys)) expect(section).toContain(`\`queueProps.${key}\``);
      for (const key of Object.keys(deadLetterQueueKeys))
        expect(section).toContain(`\`deadLetterQueueProps.${key}\``);
    });

    test('with a customer-managed key, lets API Gateway use the key to send', () => {
      // GIVEN
      const stack = testStack();
      const consumer = new ResilientFunction(stack, 'Consumer', { entry });
      const key = new kms.Key(stack, 'Key');
      const api = new apigateway.RestApi(stack, 'Api');
      // WHEN
      new OrderQueue(stack, 'Orders', {
        consumer,
        resource: api.root.addResource('orders'),
        queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key },
      });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('OrdersIntegrationRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
            }),
          ]),
        },
      });
    });
  });
});
