/**
 * A fault proxy in front of DynamoDB Local for the handler tests that take DynamoDB down, slow it or
 * make it hang (see `local-cloud/faults/fault-proxy.ts`).
 */
import {
  DYNAMODB_INTERNAL_ERROR,
  startFaultProxy,
  type FaultProxy,
} from '../../local-cloud/faults/fault-proxy';
import { localEndpoints } from './local-aws';

/** What a test file uses of its fault proxy: the endpoint to point handlers at, and the fault switch. */
export type TestFaultProxy = Pick<FaultProxy, 'endpoint' | 'setFault'>;

/**
 * A fault proxy in front of DynamoDB Local for the whole test file, injecting DynamoDB's own 500
 * error: started before the file's first test, healed (`setFault({})`) after each test so that no
 * fault outlives its test, stopped after the last.
 *
 * Call it at the top of the file, before the file's own `beforeAll`: hooks run in the order they are
 * declared, so a `beforeAll` declared later can already read `endpoint`. Handlers reach the proxy
 * through `AWS_ENDPOINT_URL_DYNAMODB`, which the SDK reads at a client's first call, so such tests
 * live in a file of their own.
 */
export function dynamoDbFaultProxy(): TestFaultProxy {
  let proxy: FaultProxy | undefined;
  const started = (): FaultProxy => {
    if (proxy === undefined) {
      throw new Error('The fault proxy has not started: use it in a hook or a test, not at the top level');
    }
    return proxy;
  };

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: localEndpoints().dynamoDb, ...DYNAMODB_INTERNAL_ERROR });
  });
  afterEach(async () => {
    await proxy?.setFault({});
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  return {
    get endpoint() {
      return started().endpoint;
    },
    setFault: (fault) => started().setFault(fault),
  };
}
