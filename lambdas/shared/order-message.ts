/**
 * The shape of an order message on the queue, shared by the API Gateway → SQS request template
 * (QueueProcessor) and the consumer: the body is the raw `POST /orders` JSON body; these message
 * attributes carry what the edge knows about the request.
 */
export const ORDER_MESSAGE_ATTRIBUTES = {
  /** The Idempotency-Key header: the order id. */
  idempotencyKey: 'idempotencyKey',
  /** API Gateway's request id: the correlation id in logs. */
  requestId: 'requestId',
  /** Id of the API key the request was made with: the order's owner. */
  apiKeyId: 'apiKeyId',
} as const;
