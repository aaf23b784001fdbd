/** The experiment's metrics: pure functions over request records and fault windows. */
export * from './request-record';
export * from './outcome';
export * from './latency';
export * from './request-metrics';
export * from './operations';
export * from './fault-metrics';
export * from './resilience-score';
export * from './lost-acknowledgements';
export * from './cold-starts';
