/** Cost per million requests of a variant, from its synthesized templates and a price table. */
export * from './price-table';
export * from './prices-us-east-1';
export * from './template-inventory';
export * from './cost-model';
