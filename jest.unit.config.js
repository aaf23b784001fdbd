/** `npm run test:unit`: the tests that need nothing but Node.js; no emulators, no global setup. */
const { INTEGRATION_TESTS } = require('./jest.integration-tests');
const { globalSetup: _setup, globalTeardown: _teardown, ...config } = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...config, testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION_TESTS] };
