/**
 * The integration tests, by path (regular expressions): those that synthesize whole variants, need
 * DynamoDB Local and the SQS emulator (the global setup starts them), run the local cloud or spawn
 * processes. Every other test is a unit test (`npm run test:unit`).
 */

const INTEGRATION_TESTS = [
  // Handlers against DynamoDB Local and the SQS emulator; bundle sizes (esbuild).
  '/test/lambdas/(create-order|get-order|health|process-orders)/(handler|handler-[a-z-]+|dead-letter-redrive)\\.test\\.ts$',
  '/test/lambdas/bundle-size\\.test\\.ts$',
  // Whole variants synthesized: stacks, cdk-nag, cfn-lint, the docs' examples compiled.
  '/test/lib/(cfn-lint|nag)\\.test\\.ts$',
  '/test/lib/stacks/',
  '-in-stacks\\.test\\.ts$',
  '/test/docs/examples\\.test\\.ts$',
  '/test/load-tests/cost/',
  '/test/load-tests/artillery-runner\\.test\\.ts$',
  '/test/local-cloud/apigateway/(api-gateway-emulator|rest-api-model|sqs-integration|throttling)\\.test\\.ts$',
  // The local cloud, its emulators and processes; the commands; the package; the AWS corpus.
  '/test/local-cloud/(local-cloud|interactions|multi-region|bad-input-fuzz|region-runtime)\\.test\\.ts$',
  '/test/local-cloud/(lambda|event-sources|replication|resources|faults)/',
  '/test/bin/',
  '/test/packaging/',
  '/test/fidelity/',
  '/test/load-tests/(smoke|experiment/experiment|report/write-report)\\.test\\.ts$',
];

/** The same patterns for `testRegex`: each names test files. */
const INTEGRATION_TEST_REGEX = INTEGRATION_TESTS.map((pattern) =>
  pattern.endsWith('\\.test\\.ts$') ? pattern : `${pattern}.*\\.test\\.ts$`,
);

module.exports = { INTEGRATION_TESTS, INTEGRATION_TEST_REGEX };
