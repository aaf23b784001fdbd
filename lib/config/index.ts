export * from './variant-config';
