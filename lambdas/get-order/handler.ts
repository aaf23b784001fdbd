/**
 * `GET /orders/{orderId}`: API Gateway proxy event in, order (200, possibly a stale copy) or error out.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handleApiRequest } from '../platform/api-handler';
import { DependencyCircuitBreaker, readCircuitBreakerSettings } from '../platform/circuit-breaker';
import { documentClient } from '../platform/clients';
import { ENVIRONMENT, requireEnvironment } from '../contract/environment';
import { jsonResponse } from '../platform/http';
import { requestOwner } from '../orders/order-owner';
import { OrdersRepository } from '../orders/orders-repository';
import { getOrder, staleResponseHeaders, type GetOrderDependencies } from './get-order';
import { LastGoodCopies, readLastGoodCopiesSettings } from './last-good-copies';

// Per container: every Lambda execution environment keeps its own breaker and its own last good
// copies (see circuit-breaker.ts and last-good-copies.ts).
const dependencies: GetOrderDependencies = {
  repository: new OrdersRepository(documentClient, requireEnvironment(ENVIRONMENT.ordersTableName)),
  breaker: new DependencyCircuitBreaker('orders table', readCircuitBreakerSettings()),
  lastGoodCopies: new LastGoodCopies(readLastGoodCopiesSettings()),
};

/** Lambda entry point of `GET /orders/{orderId}`. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  return handleApiRequest(event, context, async () => {
    const read = await getOrder(dependencies, event.pathParameters?.orderId, requestOwner(event));
    return jsonResponse(200, read.order, read.stale ? staleResponseHeaders(read.stale.ageSeconds) : {});
  });
}
