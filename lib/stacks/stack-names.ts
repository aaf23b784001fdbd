/**
 * The names of the app's stacks, in one place: the stacks are created under them and the load
 * tests, the experiment and the benchmark find them by them. Pure (no aws-cdk-lib), so the load
 * generator's bundle can use it.
 */
import type { Variant } from '../config/variant-config';

/** Name prefix of every stack this app deploys. */
export const STACK_PREFIX = 'ResilientApi';

/** The multi variant's global table: the same name in every region. */
export const MULTI_ORDERS_TABLE_NAME = `${STACK_PREFIX}-multi-orders`;

/** The name of a variant's stack: `ResilientApi-sync`, `ResilientApi-async`, `ResilientApi-multi-<region>`. */
export function variantStackName(variant: Variant, region?: string): string {
  if (variant !== 'multi') return `${STACK_PREFIX}-${variant}`;
  if (region === undefined) throw new Error('A stack of the multi variant is named by its region');
  return `${STACK_PREFIX}-multi-${region}`;
}

/** Which of the given stack names are the variant's, in their order. */
export function variantStackNames(names: readonly string[], variant: Variant): string[] {
  return variant === 'multi'
    ? names.filter((name) => name.startsWith(`${STACK_PREFIX}-multi-`))
    : names.filter((name) => name === variantStackName(variant));
}
