export * from './resilience-monitoring';
