export * from './resilient-api';
