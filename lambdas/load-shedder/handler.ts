/**
 * The load shedder: sets the API stage's shedding variable, which the async edge's mapping template
 * reads on every request (503 with Retry-After while it is `true`), from the queue-age alarm's
 * state. Nothing in the request path polls the queue or the alarm.
 *
 * EventBridge invokes it when the alarm changes state and on a schedule. Either way it reads the
 * alarm's current state and writes the variable only when it differs, so the switch converges:
 * events delivered late or out of order, a failed invocation or a stack update that reset the
 * variable are corrected within one schedule interval.
 */
import { AlarmStates, cloudWatchClient } from '../platform/alarm-state';
import { apiGatewayClient, ApiStage } from '../platform/api-stage';
import { ENVIRONMENT, requireEnvironment } from '../contract/environment';
import { LOAD_SHEDDING_STAGE_VARIABLE, NOT_SHEDDING } from '../contract/load-shedding';
import { logger } from '../platform/logger';
import { decideShedding, triggerOf, type SheddingDecision, type SwitchEvent } from './shedding-switch';

const stage = new ApiStage(
  apiGatewayClient,
  requireEnvironment(ENVIRONMENT.restApiId),
  requireEnvironment(ENVIRONMENT.stageName),
);
const alarms = new AlarmStates(cloudWatchClient);
const alarmName = requireEnvironment(ENVIRONMENT.sheddingAlarmName);

/** What the switch did: its decision, and whether it had to change the variable. */
export interface SwitchResult extends SheddingDecision {
  readonly changed: boolean;
}

export const handler = async (event: SwitchEvent): Promise<SwitchResult> => {
  const trigger = triggerOf(event);
  const decision = decideShedding(alarmName, await alarms.stateOf(alarmName));
  // A stage without the variable accepts orders: the template does not set it (see LoadShedder).
  const current = (await stage.getVariable(LOAD_SHEDDING_STAGE_VARIABLE)) ?? NOT_SHEDDING;
  const changed = current !== decision.shedding;
  if (changed) await stage.setVariable(LOAD_SHEDDING_STAGE_VARIABLE, decision.shedding);
  logger.info(changed ? 'Load shedding switched' : 'Load shedding unchanged', {
    ...decision,
    changed,
    trigger,
  });
  return { ...decision, changed };
};
