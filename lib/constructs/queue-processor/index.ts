export * from './queue-processor';
