export * from './order-api-stack';
export * from './variant-stacks';
export * from './stack-names';
