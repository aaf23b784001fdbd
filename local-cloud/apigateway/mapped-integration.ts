/**
 * Integrations with mapping templates (`AWS` to SQS, and `MOCK`): choosing the request template by
 * content type, what SQS does with the `SendMessage` query request the template produces, and the
 * integration response selected by the integration's status code.
 */
import { randomUUID } from 'node:crypto';
import { parameterValue, type RenderedResponse } from './gateway-responses';
import type { IntegrationResponseSpec, MockIntegration, SqsIntegration } from './rest-api-model';
import {
  JavaString,
  javaRegex,
  renderTemplate,
  type ResponseOverride,
  type TemplateVariables,
} from './velocity';

/** A message attribute of `SendMessage`. */
export interface SqsMessageAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  /** Base64, as in the query request. */
  readonly binaryValue?: string;
}

/** A `SendMessage` request as the local SQS receives it. */
export interface SqsSendMessageInput {
  readonly messageBody: string;
  readonly messageAttributes: Readonly<Record<string, SqsMessageAttribute>>;
  readonly delaySeconds?: number;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

/**
 * Sends a message to a queue of the template, by logical id (or by name for a queue outside it).
 * To fail with a client error, reject with an error whose `statusCode` (or AWS SDK
 * `$metadata.httpStatusCode`) is 4xx; any other rejection is a 500 from SQS.
 */
export type SendSqsMessage = (queue: string, message: SqsSendMessageInput) => Promise<{ messageId: string }>;

/** The integration's own answer, before the integration response maps it. */
export interface IntegrationAnswer {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The request template for a content type, or `unsupported` when passthrough is not allowed (415). */
export function selectRequestTemplate(
  integration: SqsIntegration | MockIntegration,
  contentType: string,
): { template: string | undefined } | 'unsupported' {
  const templates = Object.entries(integration.requestTemplates);
  const match = templates.find(([type]) => type.toLowerCase() === contentType);
  if (match) return { template: match[1] };
  switch (integration.passthroughBehavior) {
    case 'NEVER':
      return 'unsupported';
    case 'WHEN_NO_TEMPLATES':
      return templates.length > 0 ? 'unsupported' : { template: undefined };
    default:
      return { template: undefined };
  }
}

/**
 * What SQS answers a `SendMessage` query request (form-encoded `Action=SendMessage&MessageBody=…`):
 * a missing body or an unknown action is SQS's 400 and nothing is sent.
 */
export async function sendToSqs(
  queue: string,
  queryRequest: string,
  sendSqsMessage: SendSqsMessage,
): Promise<IntegrationAnswer> {
  const form = new URLSearchParams(queryRequest.trim());
  const action = form.get('Action');
  if (action !== 'SendMessage') {
    return sqsError(400, 'InvalidAction', `The action ${action ?? '(none)'} is not valid for this endpoint.`);
  }
  const messageBody = form.get('MessageBody');
  if (messageBody === null || messageBody === '') {
    return sqsError(400, 'MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  const messageAttributes: Record<string, SqsMessageAttribute> = {};
  // SQS takes both spellings of the prefix (recorded on AWS: test/fidelity, apigw-template-messageattribute*-prefix).
  const attributePrefix = form.has('MessageAttributes.1.Name') ? 'MessageAttributes' : 'MessageAttribute';
  for (let index = 1; form.has(`${attributePrefix}.${index}.Name`); index++) {
    const prefix = `${attributePrefix}.${index}`;
    const name = form.get(`${prefix}.Name`) ?? '';
    const dataType = form.get(`${prefix}.Value.DataType`);
    if (!dataType) {
      return sqsError(
        400,
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a DataType.`,
      );
    }
    messageAttributes[name] = {
      dataType,
      stringValue: form.get(`${prefix}.Value.StringValue`) ?? undefined,
      binaryValue: form.get(`${prefix}.Value.BinaryValue`) ?? undefined,
    };
  }
  const delaySeconds = form.get('DelaySeconds');
  try {
    const { messageId } = await sendSqsMessage(queue, {
      messageBody,
      messageAttributes,
      delaySeconds: delaySeconds === null ? undefined : Number(delaySeconds),
      messageGroupId: form.get('MessageGroupId') ?? undefined,
      messageDeduplicationId: form.get('MessageDeduplicationId') ?? undefined,
    });
    const body = {
      SendMessageResponse: {
        SendMessageResult: { MessageId: messageId },
        ResponseMetadata: { RequestId: randomUUID() },
      },
    };
    return { statusCode: 200, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
  } catch (error) {
    const statusCode = statusOf(error);
    // The SDK names a service error after SQS's error code (InvalidMessageContents, KMS.…).
    const name = error instanceof Error && error.name !== 'Error' ? error.name : undefined;
    return sqsError(
      statusCode,
      name ?? (statusCode < 500 ? 'InvalidParameterValue' : 'InternalError'),
      error instanceof Error ? error.message : String(error),
    );
  }
}

/** A `MOCK` integration's answer: the status code its request template names. */
export function mockAnswer(renderedRequest: string | undefined): IntegrationAnswer {
  let statusCode = 200;
  try {
    const parsed = JSON.parse(renderedRequest ?? '{}') as { statusCode?: unknown };
    if (typeof parsed.statusCode === 'number') statusCode = parsed.statusCode;
  } catch {
    // API Gateway treats an unreadable mock request as status 200 too.
  }
  return { statusCode, body: '', headers: {} };
}

/**
 * The integration response whose selection pattern matches the status code (the whole of it, as
 * Java's `String.matches`), else the default one (no pattern). Undefined when none applies.
 */
export function selectIntegrationResponse(
  responses: readonly IntegrationResponseSpec[],
  statusCode: number,
): IntegrationResponseSpec | undefined {
  const status = String(statusCode);
  return (
    responses.find(
      (response) =>
        response.selectionPattern !== undefined &&
        javaRegex(response.selectionPattern, { whole: true }).test(status),
    ) ?? responses.find((response) => response.selectionPattern === undefined)
  );
}

/**
 * Renders the selected integration response: its status, template (`$input.body` is the
 * integration's answer, `$input.params` still the method request) and header mappings.
 */
export function renderIntegrationResponse(
  response: IntegrationResponseSpec,
  answer: IntegrationAnswer,
  variables: TemplateVariables,
  /** What the request template already set in `$context.responseOverride`. */
  requestTemplateOverride: ResponseOverride = { header: {} },
): RenderedResponse {
  const templates = response.responseTemplates;
  const contentType =
    'application/json' in templates ? 'application/json' : (Object.keys(templates)[0] ?? 'application/json');
  const template = templates[contentType];
  const responseOverride: ResponseOverride = {
    ...requestTemplateOverride,
    header: { ...requestTemplateOverride.header },
  };
  const body =
    template === undefined || template === ''
      ? answer.body
      : renderTemplate(template, {
          ...variables,
          input: { ...variables.input, body: answer.body },
          responseOverride,
        });
  const headers: Record<string, string[]> = { 'Content-Type': [contentType] };
  for (const [name, source] of Object.entries(response.responseParameters)) {
    const header = /^method\.response\.header\.(.+)$/.exec(name)?.[1];
    if (!header) continue;
    const fromIntegration = /^integration\.response\.header\.(.+)$/.exec(source)?.[1];
    const value = fromIntegration
      ? Object.entries(answer.headers).find(
          ([key]) => key.toLowerCase() === fromIntegration.toLowerCase(),
        )?.[1]
      : parameterValue(source, variables.input);
    if (value !== undefined) headers[header] = [value];
  }
  // What the template set in $context.responseOverride wins over the integration response's mapping.
  for (const [header, value] of Object.entries(responseOverride.header)) headers[header] = [String(value)];
  const overriddenStatus = Number(
    responseOverride.status instanceof JavaString
      ? responseOverride.status.toString()
      : responseOverride.status,
  );
  const statusCode =
    Number.isInteger(overriddenStatus) && overriddenStatus >= 100 && overriddenStatus <= 599
      ? overriddenStatus
      : Number(response.statusCode);
  return { statusCode, headers, body: Buffer.from(body, 'utf8') };
}

function sqsError(statusCode: number, code: string, message: string): IntegrationAnswer {
  const body = {
    Error: { Type: statusCode < 500 ? 'Sender' : 'Receiver', Code: code, Message: message },
    RequestId: randomUUID(),
  };
  return { statusCode, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
}

function statusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null) {
    const candidate = error as { statusCode?: unknown; $metadata?: { httpStatusCode?: unknown } };
    const status = candidate.statusCode ?? candidate.$metadata?.httpStatusCode;
    if (typeof status === 'number' && status >= 400 && status <= 599) return status;
  }
  return 500;
}
