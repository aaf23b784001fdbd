export * from './order-queue';
