/**
 * A one-method REST API with a Lambda proxy integration, synthesized by aws-cdk-lib for the
 * fidelity cases, and served by the local API Gateway with a stand-in function.
 */
import * as http from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  createApiGatewayEmulator,
  type CloudFormationTemplate,
  type FunctionInvocationResult,
} from '../../local-cloud/apigateway';

/** What the API looks like. */
export interface ProxyApiShape {
  /** The resource the method is on, e.g. `/{proxy+}` or `/items/{id}`. */
  readonly resourcePath: string;
  readonly stage: string;
  readonly binaryMediaTypes?: readonly string[];
}

const templates = new Map<string, CloudFormationTemplate>();

/** The synthesized template of an API of that shape (cached). */
export function proxyApiTemplate(shape: ProxyApiShape): CloudFormationTemplate {
  const key = JSON.stringify(shape);
  const cached = templates.get(key);
  if (cached) return cached;
  const app = new App();
  const stack = new Stack(app, 'Fidelity', { env: { account: '111111111111', region: 'us-east-1' } });
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
  const template = app.synth().getStackByName('Fidelity').template as CloudFormationTemplate;
  templates.set(key, template);
  return template;
}

/** A raw HTTP answer. */
export interface RawAnswer {
  readonly status: number;
  /** Header name → value (several values joined with ", "). */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * Serves the API locally, sends one request with its path exactly as given (no normalisation by an
 * HTTP client), and returns what the function received and what the client got.
 */
export async function callProxyApi(
  shape: ProxyApiShape,
  request: {
    readonly method: string;
    readonly rawPath: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | null;
  },
  answer: (event: APIGatewayProxyEvent) => FunctionInvocationResult,
): Promise<{ readonly events: APIGatewayProxyEvent[]; readonly answer: RawAnswer }> {
  const events: APIGatewayProxyEvent[] = [];
  const emulator = createApiGatewayEmulator({
    template: proxyApiTemplate(shape),
    stackName: 'Fidelity',
    region: 'us-east-1',
    accountId: '111111111111',
    invokeFunction: (_logicalId, event) => {
      events.push(event);
      return Promise.resolve(answer(event));
    },
    sendSqsMessage: () => Promise.reject(new Error('no SQS in the fidelity API')),
  });
  const running = await emulator.listen();
  try {
    const raw = await new Promise<RawAnswer>((resolve, reject) => {
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
    return { events, answer: raw };
  } finally {
    await running.close();
  }
}
