/**
 * Route 53's health check semantics, without timers or HTTP: endpoint checks change status after
 * `FailureThreshold` consecutive results of the other kind, alarm checks follow their alarm's state,
 * calculated checks count their healthy children against `HealthThreshold`.
 */
import type { AlarmState } from '../alarms/alarm-registry';
import type {
  AlarmHealthCheck,
  AlarmReference,
  HealthCheckDefinition,
  HealthCheckKey,
  Route53Model,
} from './route53-model';

/** Reads an alarm's current state. */
export type AlarmStateReader = (alarm: AlarmReference) => AlarmState;

/** The status of one health check. */
export interface HealthCheckStatus {
  readonly key: HealthCheckKey;
  readonly kind: HealthCheckDefinition['kind'];
  readonly healthy: boolean;
  /** Endpoint checks: consecutive results that disagree with the status (the way to a change). */
  readonly consecutiveDisagreeing?: number;
  /** Endpoint checks: the last observation and its detail (status code or error). */
  readonly lastObservation?: { readonly at: number; readonly success: boolean; readonly detail: string };
  /** Alarm checks: the alarm's state. */
  readonly alarmState?: AlarmState;
}

interface EndpointState {
  healthy: boolean;
  disagreeing: number;
  last?: { at: number; success: boolean; detail: string };
}

/**
 * The health of every check of a model. Endpoint checks start healthy, as Route 53 treats a check
 * without enough data yet, and change status only after `FailureThreshold` consecutive disagreeing
 * results (in both directions, as Route 53 does).
 */
export class HealthCheckEvaluator {
  private readonly endpoints = new Map<HealthCheckKey, EndpointState>();
  /** Alarm checks with `LastKnownStatus` remember their last status outside INSUFFICIENT_DATA. */
  private readonly lastKnownAlarmHealth = new Map<HealthCheckKey, boolean>();

  constructor(
    private readonly model: Route53Model,
    private readonly alarmState: AlarmStateReader,
  ) {
    for (const check of model.healthChecks.values()) {
      if (check.kind === 'endpoint') this.endpoints.set(check.key, { healthy: true, disagreeing: 0 });
    }
  }

  /**
   * Records one result of an endpoint check.
   *
   * @returns whether the check's own status changed
   */
  public recordEndpointResult(
    key: HealthCheckKey,
    success: boolean,
    detail: string,
    at = Date.now(),
  ): boolean {
    const state = this.endpoints.get(key);
    const check = this.model.healthChecks.get(key);
    if (state === undefined || check?.kind !== 'endpoint') throw new Error(`No endpoint health check ${key}`);
    state.last = { at, success, detail };
    // An inverted check is healthy when its endpoint fails.
    const healthyResult = success !== check.inverted;
    if (healthyResult === state.healthy) {
      state.disagreeing = 0;
      return false;
    }
    state.disagreeing += 1;
    if (state.disagreeing < check.failureThreshold) return false;
    state.healthy = healthyResult;
    state.disagreeing = 0;
    return true;
  }

  /** Whether a check is healthy now. */
  public isHealthy(key: HealthCheckKey): boolean {
    return this.evaluate(key, new Set());
  }

  /** The status of every check, in model order. */
  public statuses(): HealthCheckStatus[] {
    return [...this.model.healthChecks.values()].map((check) => {
      const healthy = this.isHealthy(check.key);
      if (check.kind === 'endpoint') {
        const state = this.endpoints.get(check.key) as EndpointState;
        return {
          key: check.key,
          kind: check.kind,
          healthy,
          consecutiveDisagreeing: state.disagreeing,
          ...(state.last ? { lastObservation: { ...state.last } } : {}),
        };
      }
      if (check.kind === 'alarm')
        return { key: check.key, kind: check.kind, healthy, alarmState: this.alarmState(check.alarm) };
      return { key: check.key, kind: check.kind, healthy };
    });
  }

  private evaluate(key: HealthCheckKey, visiting: Set<HealthCheckKey>): boolean {
    const check = this.model.healthChecks.get(key);
    if (check === undefined) throw new Error(`No health check ${key}`);
    if (visiting.has(key)) throw new Error(`Health check ${key} is its own descendant`);
    switch (check.kind) {
      case 'endpoint':
        return (this.endpoints.get(key) as EndpointState).healthy;
      case 'alarm':
        return this.alarmHealth(check);
      case 'calculated': {
        const path = new Set(visiting).add(key);
        const healthyChildren = check.children.filter((child) => this.evaluate(child, path)).length;
        return healthyChildren >= check.healthThreshold !== check.inverted;
      }
    }
  }

  private alarmHealth(check: AlarmHealthCheck): boolean {
    const state = this.alarmState(check.alarm);
    if (state === 'INSUFFICIENT_DATA') {
      if (check.insufficientDataHealthStatus === 'Healthy') return !check.inverted;
      if (check.insufficientDataHealthStatus === 'Unhealthy') return check.inverted;
      // Last known status; a check that never had data counts as healthy, as Route 53 starts.
      return this.lastKnownAlarmHealth.get(check.key) ?? !check.inverted;
    }
    const healthy = (state === 'OK') !== check.inverted;
    this.lastKnownAlarmHealth.set(check.key, healthy);
    return healthy;
  }
}
