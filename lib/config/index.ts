export * from './capacity-config';
export * from './resilience-config';
export * from './variant-config';
export * from './capacity-file';
