export * from './chaos-experiments';
