/**
 * The load-shedding switch, shared by the construct that builds the async edge's mapping template
 * and the function that flips it: a stage variable, read by API Gateway on every request, so the
 * request path never polls anything.
 */

/** Stage variable that is `'true'` while the async API sheds new orders. */
export const LOAD_SHEDDING_STAGE_VARIABLE = 'shedding';

/** Value of {@link LOAD_SHEDDING_STAGE_VARIABLE} while shedding. */
export const SHEDDING = 'true';

/** Value of {@link LOAD_SHEDDING_STAGE_VARIABLE} while accepting orders. */
export const NOT_SHEDDING = 'false';
