/**
 * The REST APIs of the fidelity cases, synthesized by aws-cdk-lib and served by the local API
 * Gateway: a one-method API with a Lambda proxy integration (a stand-in function answers), and APIs
 * of `MOCK` integrations described by a case.
 */
import * as http from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  createApiGatewayEmulator,
  type StackTemplate,
  type FunctionInvocationResult,
} from '../../local-cloud/apigateway';
import { TEST_ACCOUNT } from '../harness/local-aws';

/** What the API looks like. */
export interface ProxyApiShape {
  /** The resource the method is on, e.g. `/{proxy+}` or `/items/{id}`. */
  readonly resourcePath: string;
  readonly stage: string;
  readonly binaryMediaTypes?: readonly string[];
}

const templates = new Map<string, StackTemplate>();

/** A template synthesized once per shape. */
function cachedTemplate<S>(kind: string, shape: S, synthesize: (shape: S) => StackTemplate) {
  const key = `${kind} ${JSON.stringify(shape)}`;
  const template = templates.get(key) ?? synthesize(shape);
  templates.set(key, template);
  return template;
}

/** The synthesized template of an API of that shape (cached). */
export function proxyApiTemplate(shape: ProxyApiShape): StackTemplate {
  return cachedTemplate('proxy', shape, synthesizeProxyApi);
}

function synthesizeProxyApi(shape: ProxyApiShape): StackTemplate {
  const app = new App();
  const stack = new Stack(app, 'Fidelity', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const fn = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  const api = new apigateway.RestApi(stack, 'Api', {
    deployOptions: { stageName: shape.stage },
    binaryMediaTypes: shape.binaryMediaTypes ? [...shape.binaryMediaTypes] : undefined,
  });
  let resource: apigateway.IResource = api.root;
  for (const part of shape.resourcePath.split('/').filter(Boolean)) {
    resource = resource.getResource(part) ?? resource.addResource(part);
  }
  resource.addMethod('ANY', new apigateway.LambdaIntegration(fn));
  return app.synth().getStackByName('Fidelity').template as StackTemplate;
}

/** A method of a `MOCK` API, as a fidelity case describes it (API Gateway's own field names). */
export interface MockMethodShape {
  /** The resource's full path, `/` for the root. */
  readonly path: string;
  readonly method: string;
  readonly requestParameters?: Record<string, boolean>;
  readonly requestValidator?: {
    readonly validateRequestBody?: boolean;
    readonly validateRequestParameters?: boolean;
  };
  /** Content type → the name of a model of the API. */
  readonly requestModels?: Record<string, string>;
  readonly integration: {
    readonly type: 'MOCK';
    readonly requestTemplates?: Record<string, string>;
    readonly passthroughBehavior?: string;
    readonly integrationResponses?: ReadonlyArray<{
      readonly statusCode: string;
      readonly selectionPattern?: string;
      readonly responseTemplates?: Record<string, string>;
      readonly responseParameters?: Record<string, string>;
    }>;
  };
  readonly methodResponses?: ReadonlyArray<{
    readonly statusCode: string;
    readonly responseParameters?: Record<string, boolean>;
  }>;
}

/** A REST API of `MOCK` integrations. */
export interface MockApiShape {
  readonly stage: string;
  readonly resources: readonly MockMethodShape[];
  readonly models?: Record<
    string,
    { readonly contentType: string; readonly schema: Record<string, unknown> }
  >;
}

/** The synthesized template of a `MOCK` API of that shape (cached). */
export function mockApiTemplate(shape: MockApiShape): StackTemplate {
  return cachedTemplate('mock', shape, synthesizeMockApi);
}

function synthesizeMockApi(shape: MockApiShape): StackTemplate {
  const app = new App();
  const stack = new Stack(app, 'Fidelity', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: shape.stage } });
  const models = new Map<string, apigateway.IModel>();
  for (const [name, model] of Object.entries(shape.models ?? {})) {
    models.set(
      name,
      api.addModel(name, {
        modelName: name,
        contentType: model.contentType,
        // `{restApiId}` in a `$ref` stands for the API's own id.
        schema: JSON.parse(
          JSON.stringify(model.schema).replaceAll('{restApiId}', api.restApiId),
        ) as apigateway.JsonSchema,
      }),
    );
  }
  shape.resources.forEach((method, index) => {
    const resource = method.path === '/' ? api.root : api.root.resourceForPath(method.path);
    const { integration } = method;
    resource.addMethod(
      method.method,
      new apigateway.MockIntegration({
        requestTemplates: integration.requestTemplates,
        passthroughBehavior: integration.passthroughBehavior as apigateway.PassthroughBehavior | undefined,
        integrationResponses: integration.integrationResponses?.map((response) => ({ ...response })),
      }),
      {
        requestParameters: method.requestParameters,
        requestValidator: method.requestValidator
          ? new apigateway.RequestValidator(stack, `Validator${index}`, {
              restApi: api,
              ...method.requestValidator,
            })
          : undefined,
        requestModels: method.requestModels
          ? Object.fromEntries(
              Object.entries(method.requestModels).map(([type, name]) => {
                const model = models.get(name);
                if (!model) throw new Error(`The case names a model ${name} it does not define`);
                return [type, model];
              }),
            )
          : undefined,
        methodResponses: method.methodResponses?.map((response) => ({ ...response })),
      },
    );
  });
  return app.synth().getStackByName('Fidelity').template as StackTemplate;
}

/** A raw HTTP answer. */
export interface RawAnswer {
  readonly status: number;
  /** Header name → value (several values joined with ", "). */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A request sent with its path exactly as given (no normalisation by an HTTP client). */
export interface RawRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | null;
}

/**
 * Serves the API locally, sends one request, and returns what the function received and what the
 * client got.
 */
export async function callProxyApi(
  shape: ProxyApiShape,
  request: RawRequest,
  answer: (event: APIGatewayProxyEvent) => FunctionInvocationResult,
): Promise<{ readonly events: APIGatewayProxyEvent[]; readonly answer: RawAnswer }> {
  const events: APIGatewayProxyEvent[] = [];
  const raw = await callApi(proxyApiTemplate(shape), request, (event) => {
    events.push(event);
    return answer(event);
  });
  return { events, answer: raw };
}

/** Serves a template's API locally and sends one request. */
export async function callApi(
  template: StackTemplate,
  request: RawRequest,
  answer: (event: APIGatewayProxyEvent) => FunctionInvocationResult = () => {
    throw new Error('no function in this API');
  },
): Promise<RawAnswer> {
  const emulator = createApiGatewayEmulator({
    template,
    stackName: 'Fidelity',
    region: 'us-east-1',
    accountId: TEST_ACCOUNT,
    invokeFunction: (_logicalId, event) => Promise.resolve(answer(event)),
    sendSqsMessage: () => Promise.reject(new Error('no SQS in the fidelity API')),
  });
  const running = await emulator.listen();
  try {
    return await new Promise<RawAnswer>((resolve, reject) => {
      const outgoing = http.request(
        {
          host: '127.0.0.1',
          port: running.port,
          method: request.method,
          path: request.rawPath,
          headers: request.headers,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: incoming.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body ?? undefined);
    });
  } finally {
    await running.close();
  }
}
