/**
 * cdk-resilient-api: constructs for a resilient serverless API, and the stacks of the order API's
 * deployable variants built from them.
 */
export * from './constructs/resilient-api';
export * from './constructs/resilient-function';
export * from './constructs/order-queue';
export * from './constructs/load-shedder';
export * from './constructs/orders-table';
export * from './constructs/idempotency-table';
export * from './constructs/resilience-monitoring';
export * from './constructs/chaos-experiments';
export * from './constructs/regional-endpoint';
export * from './config';
export * from './stacks';
export { handlerEntry, type HandlerName } from './lambda-entries';
export {
  createOrderRequestSchema,
  IDEMPOTENCY_KEY_HEADER,
  ORDER_LIMITS,
} from '../lambdas/contract/order-schema';
export { ENVIRONMENT } from '../lambdas/contract/environment';
export * from './versions/schema-compatibility';
