/**
 * Typed configuration of the deployable variants. `bin/app.ts` reads CDK context and the
 * environment and turns them into an {@link AppConfig} with {@link resolveAppConfig}; nothing else
 * reads context or `process.env`.
 */

import { DEFAULT_CAPACITY, type CapacityConfig } from './capacity-config';
import type { ResilienceConfig } from './resilience-config';

/** The deployable variants. */
export const VARIANTS = ['sync', 'async', 'multi'] as const;

/** A deployable variant: `sync` (API → Lambda → DynamoDB), `async` (API → SQS → Lambda → DynamoDB), `multi` (async in several regions). */
export type Variant = (typeof VARIANTS)[number];

/** How an order is accepted: written before the answer (`sync`) or queued and written later (`async`). */
export type OrderPath = 'sync' | 'async';

/** Account used to synthesize when no AWS account is configured; deploying to it fails, on purpose. */
export const PLACEHOLDER_ACCOUNT = '123456789012';

/** Region used to synthesize when none is configured. */
export const DEFAULT_REGION = 'us-east-1';

/** Regions of the multi-region variant when none are configured. */
export const DEFAULT_MULTI_REGIONS = ['us-east-1', 'us-west-2'];

/** Everything the app needs to build its stacks. */
export interface AppConfig {
  readonly variant: Variant;
  /** The AWS account, or {@link PLACEHOLDER_ACCOUNT}. */
  readonly account: string;
  /** Whether {@link account} is the placeholder (no credentials were found). */
  readonly placeholderAccount: boolean;
  /** Regions to deploy to: one for `sync`/`async`, two or more for `multi` (the first is primary). */
  readonly regions: string[];
  readonly capacity: CapacityConfig;
  /** The handlers' resilience knobs (circuit breaker, stale cache, health thresholds). */
  readonly resilience: ResilienceConfig;
}

/** Raw inputs of {@link resolveAppConfig}, as strings from context or the environment. */
export interface AppConfigInputs {
  readonly variant?: string;
  readonly regions?: string;
  readonly account?: string;
  readonly region?: string;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Validates raw inputs and fills in defaults; throws with a message that says what is allowed. */
export function resolveAppConfig(inputs: AppConfigInputs): AppConfig {
  const variant = parseVariant(inputs.variant ?? 'sync');
  const singleRegion = inputs.region ?? DEFAULT_REGION;
  const regions =
    variant === 'multi' ? parseRegions(inputs.regions ?? DEFAULT_MULTI_REGIONS.join(',')) : [singleRegion];
  for (const region of regions) {
    if (!REGION_PATTERN.test(region)) {
      throw new Error(`Region must look like us-east-1 (given ${JSON.stringify(region)})`);
    }
  }
  return {
    variant,
    account: inputs.account ?? PLACEHOLDER_ACCOUNT,
    placeholderAccount: inputs.account === undefined,
    regions,
    capacity: DEFAULT_CAPACITY,
    resilience: {},
  };
}

function parseVariant(value: string): Variant {
  if ((VARIANTS as readonly string[]).includes(value)) return value as Variant;
  throw new Error(`variant must be one of ${VARIANTS.join(', ')} (given ${JSON.stringify(value)})`);
}

function parseRegions(value: string): string[] {
  const regions = value
    .split(',')
    .map((region) => region.trim())
    .filter((region) => region !== '');
  if (regions.length < 2) {
    throw new Error(
      `The multi variant needs at least two regions, e.g. -c regions=us-east-1,us-west-2 (given ${JSON.stringify(value)})`,
    );
  }
  if (new Set(regions).size !== regions.length) {
    throw new Error(`Regions must be unique (given ${JSON.stringify(value)})`);
  }
  return regions;
}
