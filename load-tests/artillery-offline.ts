/**
 * Preloaded into the Artillery process (`node --require`) by `artillery-runner.ts`. Artillery sends
 * an anonymous telemetry event when a run ends, even with `ARTILLERY_DISABLE_TELEMETRY` set, and
 * without a network it retries it for about 12 s before exiting: longer than a smoke run. This
 * replaces its telemetry client (PostHog) with one that sends nothing, before Artillery loads it.
 */
import Module from 'node:module';
import * as path from 'node:path';

const artilleryFolder = path.dirname(require.resolve('artillery/package.json'));
const telemetryClientFile = require.resolve('posthog-node', { paths: [artilleryFolder] });

/** A PostHog client that sends nothing. */
class SilentTelemetryClient {
  capture(): void {}
  async shutdownAsync(): Promise<void> {}
}

const silent = new Module(telemetryClientFile);
silent.filename = telemetryClientFile;
silent.loaded = true;
silent.exports = { PostHog: SilentTelemetryClient };
require.cache[telemetryClientFile] = silent;
