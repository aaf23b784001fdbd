export * from './load-shedder';
