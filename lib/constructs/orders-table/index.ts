export * from './orders-table';
