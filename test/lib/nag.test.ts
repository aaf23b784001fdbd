import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { resolveAppConfig } from '../../lib/config';
import { addVariantStacks } from '../../lib/stacks';
import { testApp } from '../helpers/app';

describe.each(['sync', 'async', 'multi'])('cdk-nag on the %s variant', (variant) => {
  test('has no unacknowledged AwsSolutions or Serverless finding, warnings included', () => {
    // GIVEN the variant's stacks with both rule packs registered before synthesis
    const app = testApp();
    const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
    Validations.of(app).addPlugins(...packs);
    addVariantStacks(app, resolveAppConfig({ variant, account: '111111111111' }));

    // WHEN / THEN synthesis passes policy validation (it throws on error findings)...
    expect(() => app.synth()).not.toThrow();
    // ...and no pack reports anything, not even a warning
    for (const pack of packs) {
      const violations = pack
        .validateScope(app)
        .violations.map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
        );
      expect(violations).toEqual([]);
    }
  });
});
