// @ts-check
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', 'reports/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      'no-console': 'off',
    },
  },
  // The layers: bin/scripts → load-tests → local-cloud → lib → lambdas. A layer imports only the ones
  // after it, and from lambdas/ only the pure contract modules (lambdas/contract/), so that
  // synthesizing a stack loads no runtime code.
  ...layerRules([
    { files: ['lambdas/**/*.ts'], forbidden: ['lib', 'local-cloud', 'load-tests', 'bin', 'scripts', 'test'] },
    {
      files: ['lib/**/*.ts'],
      forbidden: ['local-cloud', 'load-tests', 'bin', 'scripts', 'test'],
      contractOnly: true,
    },
    {
      files: ['local-cloud/**/*.ts'],
      forbidden: ['load-tests', 'bin', 'scripts', 'test'],
      contractOnly: true,
    },
    { files: ['load-tests/**/*.ts'], forbidden: ['bin', 'scripts', 'test'], contractOnly: true },
    { files: ['bin/**/*.ts', 'scripts/**/*.ts'], forbidden: ['test'], contractOnly: true },
  ]),
  {
    // Tests read synthesized CloudFormation templates, which are untyped JSON.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Tests that can fail: none skipped, focused or disabled, and every test asserts.
    files: ['test/**/*.test.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-disabled-tests': 'error',
      'jest/no-focused-tests': 'error',
      'jest/expect-expect': [
        'error',
        // Helpers that assert: the fidelity corpus's case runner, aws-cdk-lib's template checks.
        {
          assertFunctionNames: [
            'expect',
            'expect*',
            'runCase',
            'assert*',
            // aws-cdk-lib/assertions: Template and Annotations checks throw on a mismatch.
            '**.has*',
            '**.resourceCountIs',
            '**.resourcePropertiesCountIs',
            '**.templateMatches',
          ],
        },
      ],
    },
  },
  {
    // The corpus runners check exactly the parts of an answer that AWS recorded for a case, which
    // differ from case to case: conditional expectations are their point.
    files: ['test/fidelity/**/*.ts'],
    rules: { 'jest/no-conditional-expect': 'off' },
  },
);

/**
 * `no-restricted-imports` rules for the layers: a relative import that climbs into a forbidden
 * top-level folder, or (contractOnly) into lambdas/ anywhere but lambdas/contract/, is an error.
 * @param {Array<{ files: string[]; forbidden: string[]; contractOnly?: boolean }>} layers
 */
function layerRules(layers) {
  return layers.map(({ files, forbidden, contractOnly }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `Layers: ${files[0].split('/')[0]}/ may not import ${forbidden.join(', ')} (bin → load-tests → local-cloud → lib → lambdas).`,
            },
            ...(contractOnly
              ? [
                  {
                    regex: '^(\\.\\./)+lambdas/(?!contract/)',
                    message:
                      'Layers: outside lambdas/, import only the pure contract modules of lambdas/contract/ (runtime code stays in the bundles).',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  }));
}
