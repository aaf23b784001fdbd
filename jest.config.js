/**
 * Two projects: `unit` needs nothing but Node.js (npm run test:unit, the quick loop); `integration`
 * synthesizes whole variants, starts DynamoDB Local and the SQS emulator (its global setup), runs
 * the local cloud or spawns processes. `npm test` runs both.
 */

/** Tests of the integration project, by path (regular expressions). */
const INTEGRATION = [
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

/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    // Type checking runs once in `npm run typecheck`; ts-jest only transpiles here to keep the suite fast.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
  },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION],
    },
    {
      ...shared,
      displayName: 'integration',
      // Only the test files INTEGRATION names.
      testRegex: INTEGRATION.map((pattern) =>
        pattern.endsWith('\\.test\\.ts$') ? pattern : `${pattern}.*\\.test\\.ts$`,
      ),
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};
