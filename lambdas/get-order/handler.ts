/**
 * `GET /orders/{orderId}`: API Gateway proxy event in, order (200) or error out.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handleApiRequest } from '../shared/api-handler';
import { documentClient } from '../shared/clients';
import { ENVIRONMENT, requireEnvironment } from '../shared/environment';
import { jsonResponse } from '../shared/http';
import { OrdersRepository } from '../shared/orders-repository';
import { getOrder } from './get-order';

const repository = new OrdersRepository(documentClient, requireEnvironment(ENVIRONMENT.ordersTableName));

/** Lambda entry point of `GET /orders/{orderId}`. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  return handleApiRequest(event, context, async () => {
    const order = await getOrder(repository, event.pathParameters?.orderId);
    return jsonResponse(200, order);
  });
}
