/**
 * The environment of a handler under test, named as the constructs name it: the variable names come
 * from `ENVIRONMENT` (`lambdas/contract/environment.ts`), so a test cannot drift from the names the
 * constructs set and the handlers read.
 */
import { ENVIRONMENT } from '../../lambdas/contract/environment';

/**
 * A handler's settings by their `ENVIRONMENT` key, e.g. `ordersTableName`. A number is set as its
 * decimal string; `undefined` removes the variable (a variant without it, such as `ordersQueueUrl`
 * in the sync variant).
 */
export type HandlerSettings = {
  readonly [Key in keyof typeof ENVIRONMENT]?: string | number | undefined;
};

/**
 * The environment variables of `settings`, for `loadWithEnvironment`. `TestTables` is itself a
 * `HandlerSettings` (`handlerEnvironment(tables)` sets both table names); variables that are not
 * the project's own, such as `AWS_ENDPOINT_URL_DYNAMODB`, are spread in beside it.
 */
export function handlerEnvironment(settings: HandlerSettings): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => {
      // An object with more members than its type (a spread, a wider interface) must not set `undefined`.
      if (!Object.hasOwn(ENVIRONMENT, key)) throw new Error(`${key} is not a key of ENVIRONMENT`);
      return [ENVIRONMENT[key as keyof typeof ENVIRONMENT], value === undefined ? undefined : String(value)];
    }),
  );
}
