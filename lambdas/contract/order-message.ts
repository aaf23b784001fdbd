/**
 * The shape of an order message on the queue, shared by the API Gateway → SQS request template
 * (OrderQueue) and the consumer: the body is the raw `POST /orders` JSON body; these message
 * attributes carry what the edge knows about the request.
 */
export const ORDER_MESSAGE_ATTRIBUTES = {
  /** The Idempotency-Key header: the order id. */
  idempotencyKey: 'idempotencyKey',
  /** API Gateway's request id: the correlation id in logs. */
  requestId: 'requestId',
  /**
   * Value of the API key the request was made with: the consumer derives the order's owner from it
   * (see `order-owner.ts`) and never stores or logs it. The queue is encrypted at rest.
   */
  apiKey: 'apiKey',
  /** Regional id of that API key: the owner of orders queued by earlier versions, and for logs. */
  apiKeyId: 'apiKeyId',
} as const;
