/** The experiment report: results shape, tables, charts and the files written per run. */
export * from './results';
export * from './run-metadata';
export * from './published-figures';
export * from './tables';
export * from './charts';
export * from './render';
export * from './write-report';
export * from './variant-results';
