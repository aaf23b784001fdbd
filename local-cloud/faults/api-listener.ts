/**
 * A local API Gateway's HTTP listener that can be taken down and brought back on the same port: a
 * region that is down refuses connections (and drops the open ones), as an unreachable regional
 * endpoint does, while its functions, queues and tables keep running behind it.
 */
import type { ApiGatewayEmulator, RunningApiGateway } from '../apigateway';

/** The listener of one stack's local API. */
export interface ApiListener {
  /** `http://127.0.0.1:<port>`, the same while down. */
  readonly url: string;
  readonly down: boolean;
  /** Stops listening (`true`) or listens again on the same port (`false`). */
  setDown(down: boolean): Promise<void>;
  /** Stops listening for good; safe to call twice. */
  close(): Promise<void>;
}

/** Wraps a running gateway's listener. */
export function apiListenerOf(gateway: ApiGatewayEmulator, started: RunningApiGateway): ApiListener {
  let running: RunningApiGateway | undefined = started;
  let closed = false;
  // One change at a time, so a quick down/up cannot listen twice.
  let changing: Promise<void> = Promise.resolve();
  const change = (next: () => Promise<void>): Promise<void> => (changing = changing.then(next));
  return {
    url: started.url,
    get down() {
      return running === undefined;
    },
    setDown: (down) =>
      change(async () => {
        if (closed) throw new Error('The API listener is closed');
        if (down && running) {
          const current = running;
          running = undefined;
          await current.close();
        }
        if (!down && !running) running = await gateway.listen(started.port, new URL(started.url).hostname);
      }),
    close: () =>
      change(async () => {
        if (closed) return;
        closed = true;
        const current = running;
        running = undefined;
        await current?.close();
      }),
  };
}
