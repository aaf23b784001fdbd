export * from './regional-endpoint';
