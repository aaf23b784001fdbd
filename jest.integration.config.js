/** `npm run test:integration`: the tests jest.integration-tests.js names, with the global setup. */
const { INTEGRATION_TEST_REGEX } = require('./jest.integration-tests');
const { testMatch: _all, ...config } = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...config, testRegex: INTEGRATION_TEST_REGEX };
