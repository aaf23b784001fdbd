/**
 * `npm test` runs every test in one Jest run. `npm run test:unit` (jest.unit.config.js) runs the
 * tests that need nothing but Node.js, `npm run test:integration` (jest.integration.config.js) the
 * others; jest.integration-tests.js says which are which. One run rather than two Jest projects: a
 * project transpiles every module again, which cost a minute of the suite.
 */

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once in `npm run typecheck`; ts-jest only transpiles here to keep the suite fast.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
  },
  // DynamoDB Local, the SQS emulator and where the shared bundled assembly goes, for the integration tests.
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 60_000,
};
