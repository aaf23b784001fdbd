import { PLACEHOLDER_ACCOUNT, resolveAppConfig } from '../../../lib/config';

describe('resolveAppConfig', () => {
  test('defaults to the sync variant in us-east-1 with a placeholder account', () => {
    expect(resolveAppConfig({})).toMatchObject({
      variant: 'sync',
      regions: ['us-east-1'],
      account: PLACEHOLDER_ACCOUNT,
      placeholderAccount: true,
    });
  });

  test('uses the account and region the CLI found', () => {
    expect(
      resolveAppConfig({ variant: 'async', account: '222222222222', region: 'eu-west-1' }),
    ).toMatchObject({
      variant: 'async',
      regions: ['eu-west-1'],
      account: '222222222222',
      placeholderAccount: false,
    });
  });

  test('multi defaults to us-east-1 and us-west-2, first is primary', () => {
    expect(resolveAppConfig({ variant: 'multi' }).regions).toEqual(['us-east-1', 'us-west-2']);
    expect(
      resolveAppConfig({ variant: 'multi', regions: 'eu-west-1, eu-central-1,ap-southeast-2' }).regions,
    ).toEqual(['eu-west-1', 'eu-central-1', 'ap-southeast-2']);
  });

  test('fails if the variant is unknown', () => {
    expect(() => resolveAppConfig({ variant: 'fast' })).toThrow(
      'variant must be one of sync, async, multi (given "fast")',
    );
  });

  test('fails if multi has fewer than two regions', () => {
    expect(() => resolveAppConfig({ variant: 'multi', regions: 'us-east-1' })).toThrow(
      'The multi variant needs at least two regions',
    );
  });

  test('fails if a region is listed twice or malformed', () => {
    expect(() => resolveAppConfig({ variant: 'multi', regions: 'us-east-1,us-east-1' })).toThrow(
      'Regions must be unique',
    );
    expect(() => resolveAppConfig({ variant: 'multi', regions: 'us-east-1,mars' })).toThrow(
      'Region must look like us-east-1 (given "mars")',
    );
  });
});
