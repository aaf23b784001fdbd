/**
 * The load shedder: EventBridge invokes it when the queue-age alarm changes state, and it sets the
 * API stage's shedding variable, which the async edge's mapping template reads on every request
 * (503 with Retry-After while it is `true`). Nothing in the request path polls the queue or the alarm.
 *
 * EventBridge may deliver two state changes out of order; the alarm's next transition corrects the
 * switch (see the README's load-shedding trade-offs).
 */
import { apiGatewayClient, ApiStage } from '../shared/api-stage';
import { ENVIRONMENT, requireEnvironment } from '../shared/environment';
import { LOAD_SHEDDING_STAGE_VARIABLE } from '../shared/load-shedding';
import { logger } from '../shared/logger';
import { decideShedding, type AlarmStateChangeEvent, type SheddingDecision } from './shedding-switch';

const stage = new ApiStage(
  apiGatewayClient,
  requireEnvironment(ENVIRONMENT.restApiId),
  requireEnvironment(ENVIRONMENT.stageName),
);

export const handler = async (event: AlarmStateChangeEvent): Promise<SheddingDecision> => {
  const decision = decideShedding(event);
  await stage.setVariable(LOAD_SHEDDING_STAGE_VARIABLE, decision.shedding);
  logger.info('Load shedding switched', { ...decision });
  return decision;
};
