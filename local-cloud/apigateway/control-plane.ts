/**
 * The part of the API Gateway control plane that functions of the stacks call: `GetStage` and
 * `UpdateStage` of stage variables (`/variables/<name>`), which the load shedder uses to switch
 * shedding. Functions reach it through `AWS_ENDPOINT_URL_API_GATEWAY`; anything else answers
 * `NotFoundException`, so a function that needs more fails loudly rather than silently.
 */
import * as http from 'node:http';
import { listenLocally } from '../emulators/local-server';
import type { ApiGatewayEmulator } from './api-gateway-emulator';

/** A running control plane. */
export interface ApiGatewayControlPlane {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Makes a REST API's stages reachable (by its `restApiId`). */
  register(gateway: ApiGatewayEmulator): void;
  close(): Promise<void>;
}

interface PatchOperation {
  readonly op?: string;
  readonly path?: string;
  readonly value?: string;
}

class ControlPlaneError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlPlaneError';
  }
}

const STAGE_PATH = /^\/restapis\/([^/]+)\/stages\/([^/]+)$/;
const VARIABLE_PATH = /^\/variables\/([A-Za-z0-9_.:/?#&=,-]+)$/;

/** Starts the control plane on a free port of 127.0.0.1. */
export async function startApiGatewayControlPlane(): Promise<ApiGatewayControlPlane> {
  const gateways = new Map<string, ApiGatewayEmulator>();

  const stageOf = (pathname: string): { gateway: ApiGatewayEmulator; stageName: string } => {
    const match = STAGE_PATH.exec(pathname);
    if (!match)
      throw new ControlPlaneError(
        404,
        'NotFoundException',
        `No local control-plane operation at ${pathname}`,
      );
    const [restApiId, stageName] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])];
    const gateway = gateways.get(restApiId);
    if (!gateway)
      throw new ControlPlaneError(404, 'NotFoundException', `Invalid API identifier specified ${restApiId}`);
    if (!gateway.stageNames.includes(stageName)) {
      throw new ControlPlaneError(
        404,
        'NotFoundException',
        `Invalid stage identifier specified ${stageName}`,
      );
    }
    return { gateway, stageName };
  };

  const stageDescription = (gateway: ApiGatewayEmulator, stageName: string) => ({
    stageName,
    variables: gateway.stageVariables(stageName),
    lastUpdatedDate: Math.floor(Date.now() / 1000),
  });

  const handle = (method: string, pathname: string, body: string): unknown => {
    const { gateway, stageName } = stageOf(pathname);
    if (method === 'GET') return stageDescription(gateway, stageName);
    if (method !== 'PATCH') {
      throw new ControlPlaneError(404, 'NotFoundException', `${method} ${pathname} is not emulated locally`);
    }
    const operations = parsePatch(body);
    const changes: Record<string, string | undefined> = {};
    for (const operation of operations) {
      const variable = VARIABLE_PATH.exec(operation.path ?? '');
      if (!variable) {
        throw new ControlPlaneError(
          400,
          'BadRequestException',
          `Only /variables/<name> patches are emulated locally (given ${String(operation.path)})`,
        );
      }
      if (operation.op === 'replace' || operation.op === 'add') {
        if (typeof operation.value !== 'string') {
          throw new ControlPlaneError(
            400,
            'BadRequestException',
            `${operation.op} ${operation.path} needs a value`,
          );
        }
        changes[variable[1]] = operation.value;
      } else if (operation.op === 'remove') {
        changes[variable[1]] = undefined;
      } else {
        throw new ControlPlaneError(
          400,
          'BadRequestException',
          `Unsupported patch operation ${String(operation.op)}`,
        );
      }
    }
    gateway.updateStageVariables(stageName, changes);
    return stageDescription(gateway, stageName);
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
      try {
        const result = handle(request.method ?? 'GET', pathname, Buffer.concat(chunks).toString('utf8'));
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (error) {
        const failure =
          error instanceof ControlPlaneError
            ? error
            : new ControlPlaneError(
                500,
                'InternalFailure',
                error instanceof Error ? error.message : String(error),
              );
        response
          .writeHead(failure.statusCode, {
            'content-type': 'application/json',
            'x-amzn-errortype': failure.errorType,
          })
          .end(JSON.stringify({ message: failure.message }));
      }
    });
  });
  const listening = await listenLocally(server);
  return {
    endpoint: listening.url,
    register: (gateway) => gateways.set(gateway.restApiId, gateway),
    close: () => listening.close(),
  };
}

function parsePatch(body: string): PatchOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ControlPlaneError(400, 'BadRequestException', 'The UpdateStage body is not JSON');
  }
  const operations = (parsed as { patchOperations?: unknown }).patchOperations;
  if (!Array.isArray(operations)) {
    throw new ControlPlaneError(400, 'BadRequestException', 'The UpdateStage body needs patchOperations');
  }
  return operations as PatchOperation[];
}
