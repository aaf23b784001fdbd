import type { StackTemplate } from '../../../local-cloud/assembly/cloud-assembly';
import {
  IntrinsicResolver,
  UnresolvableReferenceError,
} from '../../../local-cloud/assembly/intrinsic-resolver';
import { TEST_ACCOUNT } from '../../harness/local-aws';

const TEMPLATE: StackTemplate = {
  Parameters: {
    BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/version' },
    NoDefault: { Type: 'String' },
  },
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue' },
    Table: { Type: 'AWS::DynamoDB::Table' },
    Topic: { Type: 'AWS::SNS::Topic' },
  },
};

function resolver(): IntrinsicResolver {
  const resolver = new IntrinsicResolver({
    stackName: 'Stack',
    template: TEMPLATE,
    region: 'us-west-2',
    accountId: TEST_ACCOUNT,
  });
  resolver.register('Queue', {
    ref: 'http://127.0.0.1:9324/000000000000/Stack-Queue',
    attributes: { Arn: 'arn:aws:sqs:us-west-2:000000000000:Stack-Queue', QueueName: 'Stack-Queue' },
  });
  resolver.register('Table', {
    ref: 'Stack-Table',
    attributes: { Arn: 'arn:aws:dynamodb:us-west-2:111111111111:table/Stack-Table' },
  });
  return resolver;
}

describe('IntrinsicResolver', () => {
  test('Ref resolves a local resource, a pseudo parameter and a parameter default', () => {
    // GIVEN
    const subject = resolver();
    // WHEN / THEN
    expect(subject.resolve({ Ref: 'Table' })).toBe('Stack-Table');
    expect(subject.resolve({ Ref: 'AWS::Region' })).toBe('us-west-2');
    expect(subject.resolve({ Ref: 'AWS::AccountId' })).toBe(TEST_ACCOUNT);
    expect(subject.resolve({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(subject.resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(subject.resolve({ Ref: 'AWS::StackName' })).toBe('Stack');
    expect(subject.resolve({ Ref: 'BootstrapVersion' })).toBe('/cdk-bootstrap/version');
  });

  test('Fn::GetAtt resolves both the list and the dotted form', () => {
    const subject = resolver();
    expect(subject.resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe(
      'arn:aws:sqs:us-west-2:000000000000:Stack-Queue',
    );
    expect(subject.resolve({ 'Fn::GetAtt': 'Queue.QueueName' })).toBe('Stack-Queue');
  });

  test('Fn::Join, Fn::Select and Fn::Split compose', () => {
    const subject = resolver();
    // WHEN
    const joined = subject.resolve({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'Table' }],
      ],
    });
    const selected = subject.resolve({
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Table', 'Arn'] }] }],
    });
    // THEN
    expect(joined).toBe('arn:aws:lambda:us-west-2:Stack-Table');
    expect(selected).toBe('Stack-Table');
  });

  test('Fn::Sub resolves references, attributes, pseudo parameters, variables and literals', () => {
    const subject = resolver();
    expect(subject.resolve({ 'Fn::Sub': '${AWS::Region}/${Table}/${Queue.QueueName}/${!Literal}' })).toBe(
      'us-west-2/Stack-Table/Stack-Queue/${Literal}',
    );
    expect(subject.resolve({ 'Fn::Sub': ['${Name}-${AWS::AccountId}', { Name: { Ref: 'Table' } }] })).toBe(
      'Stack-Table-111111111111',
    );
  });

  test('resolves deeply and drops AWS::NoValue', () => {
    const subject = resolver();
    expect(
      subject.resolve({
        Variables: { TABLE: { Ref: 'Table' }, GONE: { Ref: 'AWS::NoValue' } },
        List: [{ Ref: 'Table' }, { Ref: 'AWS::NoValue' }, 3],
      }),
    ).toEqual({ Variables: { TABLE: 'Stack-Table' }, List: ['Stack-Table', 3] });
  });

  test('fails if a resource has no local counterpart, naming the logical id and property', () => {
    const subject = resolver();
    expect(() => subject.resolve({ 'Fn::GetAtt': ['Topic', 'TopicArn'] })).toThrow(
      new UnresolvableReferenceError(
        'Fn::GetAtt Topic.TopicArn in stack Stack: Topic (AWS::SNS::Topic) has no local counterpart ' +
          '(the type is not emulated, or the resource was not created yet)',
      ),
    );
    expect(() => subject.resolve({ Ref: 'Missing' })).toThrow(
      'Ref Missing in stack Stack: the template has no resource or parameter Missing',
    );
  });

  test('fails if a local resource lacks the attribute, listing the ones it has', () => {
    expect(() => resolver().resolve({ 'Fn::GetAtt': ['Queue', 'QueueUrl'] })).toThrow(
      'Fn::GetAtt Queue.QueueUrl in stack Stack: the local Queue (AWS::SQS::Queue) has no attribute QueueUrl (it has: Arn, QueueName)',
    );
  });

  test('fails if a parameter has no default', () => {
    expect(() => resolver().resolve({ Ref: 'NoDefault' })).toThrow(/the parameter has no default/);
  });

  test('fails if a condition function is used', () => {
    expect(() => resolver().resolve({ 'Fn::If': ['IsProd', 'a', 'b'] })).toThrow(
      /Fn::If in stack Stack is not supported by the local cloud/,
    );
  });

  test('fails if a value that must be a string is not one', () => {
    expect(() => resolver().resolveString({ 'Fn::Split': [',', 'a,b'] }, 'Function.Handler')).toThrow(
      'Function.Handler in stack Stack must resolve to a string (got ["a","b"])',
    );
  });

  test('with placeholders, an unregistered resource of the template resolves to a readable placeholder', () => {
    // GIVEN a resolver for a part served on its own (a gateway without its functions)
    const standalone = new IntrinsicResolver({
      stackName: 'Stack',
      template: TEMPLATE,
      region: 'us-west-2',
      accountId: TEST_ACCOUNT,
      placeholders: true,
    });
    standalone.register('Table', { ref: 'Stack-Table' });

    // WHEN / THEN a registered resource keeps its value; the others get placeholders
    expect(standalone.resolve({ Ref: 'Table' })).toBe('Stack-Table');
    expect(standalone.resolve({ Ref: 'Topic' })).toBe('Stack-Topic');
    expect(standalone.resolve({ 'Fn::GetAtt': ['Queue', 'Arn'] })).toBe(
      `arn:aws:local:us-west-2:${TEST_ACCOUNT}:Queue`,
    );
    expect(standalone.resolve({ 'Fn::GetAtt': 'Queue.QueueName' })).toBe('Stack-Queue');
    // and a resource that is not in the template is still an error
    expect(() => standalone.resolve({ Ref: 'Missing' })).toThrow(
      'Ref Missing in stack Stack: the template has no resource or parameter Missing',
    );
  });
});
