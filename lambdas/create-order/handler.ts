/**
 * `POST /orders`, synchronous variant: API Gateway proxy event in, order (201) or error out.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handleApiRequest } from '../platform/api-handler';
import { DependencyCircuitBreaker, readCircuitBreakerSettings } from '../platform/circuit-breaker';
import { documentClient, dynamoDbClient } from '../platform/clients';
import { ENVIRONMENT, requireEnvironment } from '../contract/environment';
import { jsonResponse } from '../platform/http';
import { OrderPlacement } from '../orders/order-placement';
import { OrdersRepository } from '../orders/orders-repository';
import { createOrder } from './create-order';

const placement = new OrderPlacement({
  repository: new OrdersRepository(documentClient, requireEnvironment(ENVIRONMENT.ordersTableName)),
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: requireEnvironment(ENVIRONMENT.idempotencyTableName),
    awsSdkV3Client: dynamoDbClient,
  }),
});

// Per container: every Lambda execution environment keeps its own breaker (see circuit-breaker.ts).
const breaker = new DependencyCircuitBreaker('orders store', readCircuitBreakerSettings());

/** Lambda entry point of `POST /orders` (synchronous variant). */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  return handleApiRequest(event, context, async () => {
    placement.registerLambdaContext(context);
    const order = await createOrder(event, placement, breaker);
    return jsonResponse(201, order);
  });
}
