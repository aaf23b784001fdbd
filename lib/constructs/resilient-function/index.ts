export * from './resilient-function';
