/**
 * The faults a running local cloud can inject, in one façade over the pieces that carry them: the
 * per-region fault proxies in front of DynamoDB and SQS, the functions, the alarms, the regions'
 * API listeners and the global tables' replication. Every change is logged with a timestamp.
 */
import type { AlarmRegistry, AlarmState } from '../alarms/alarm-registry';
import { findRegionFunction } from '../lambda/function-reference';
import type { FunctionFault } from '../lambda/local-function';
import type { GlobalTableReplication } from '../replication/global-table-replication';
import type { RegionRuntime } from '../region-runtime';
import type { ApiListener } from './api-listener';
import type { DependencyFault, FaultProxy } from './fault-proxy';

/** The faults a running local cloud can inject; each is logged with a timestamp. */
export interface LocalCloudFaults {
  /** Breaks DynamoDB for the functions of one region (every region when omitted); `{}` heals it. */
  setDynamoDbFault(fault: DependencyFault, region?: string): Promise<void>;
  /**
   * Breaks SQS in one region (every region when omitted) for its API, its functions and its event
   * source mappings; `{}` heals it. Messages already queued stay.
   */
  setQueueFault(fault: DependencyFault, region?: string): Promise<void>;
  /** Makes a share of a function's invocations fail or adds latency; `{}` heals it. */
  setFunctionFault(functionReference: string, fault: FunctionFault): void;
  /**
   * Forces an alarm (name, ARN, logical id or `<stack>/<logical id>`) into a state; rules on its
   * state changes run their functions (e.g. the load shedder) before this resolves.
   */
  setAlarmState(alarmReference: string, state: AlarmState): Promise<void>;
  /**
   * Takes a region's APIs down (connections refused, open ones dropped) or brings them back; its
   * functions, queues and tables keep running behind them.
   */
  setRegionDown(region: string, down: boolean): Promise<void>;
  /** Pauses or resumes the replication of every global table; changes wait in the streams. */
  setReplicationPaused(paused: boolean): void;
  /** Heals everything (alarms return to OK). */
  clear(): Promise<void>;
  /** The faults in force, for status output. */
  describe(): Record<string, unknown>;
}

/** What the façade acts on. */
export interface LocalCloudFaultTargets {
  /** The fault proxy in front of DynamoDB, by region. */
  readonly dynamoDbProxies: ReadonlyMap<string, FaultProxy>;
  /** The fault proxy in front of SQS, by region. */
  readonly sqsProxies: ReadonlyMap<string, FaultProxy>;
  readonly regions: readonly RegionRuntime[];
  /** The listeners of a region's APIs. */
  readonly regionApis: (region: string) => readonly ApiListener[];
  readonly alarms: AlarmRegistry;
  /** Whether the alarms are evaluated from metrics (else `clear` sets them to OK). */
  readonly alarmsEvaluated: boolean;
  readonly replications: readonly GlobalTableReplication[];
  readonly log: (line: string) => void;
}

export function createLocalCloudFaults(targets: LocalCloudFaultTargets): LocalCloudFaults {
  const { dynamoDbProxies, sqsProxies, regions, regionApis, alarms, alarmsEvaluated, replications, log } =
    targets;
  const regionNames = regions.map((runtime) => runtime.region);
  const regionsDown = (): string[] =>
    regionNames.filter((region) => regionApis(region).some((api) => api.down));
  /** Sets a dependency's fault in one region, or in every region when none is named. */
  const setProxyFault = async (
    proxies: ReadonlyMap<string, FaultProxy>,
    dependency: string,
    fault: DependencyFault,
    region: string | undefined,
  ): Promise<void> => {
    for (const target of region === undefined ? [...proxies.keys()] : [region]) {
      const proxy = proxies.get(target);
      if (!proxy) throw new Error(`No local region ${target} (running: ${regionNames.join(', ')})`);
      await proxy.setFault(fault);
      log(`${new Date().toISOString()} fault ${dependency} ${target} ${describeFault(fault)}`);
    }
  };
  const functionFaults = new Map<string, FunctionFault>();
  const faults: LocalCloudFaults = {
    setDynamoDbFault: (fault, region) => setProxyFault(dynamoDbProxies, 'dynamodb', fault, region),
    setQueueFault: (fault, region) => setProxyFault(sqsProxies, 'sqs', fault, region),
    setFunctionFault(reference, fault) {
      const fn = findRegionFunction(regions, reference);
      fn.setFault(fault);
      functionFaults.set(`${fn.definition.stackName}/${fn.definition.logicalId}`, fault);
      log(`${new Date().toISOString()} fault lambda ${fn.definition.functionName} ${describeFault(fault)}`);
    },
    async setAlarmState(reference, state) {
      const alarm = await alarms.setState(reference, state, 'Forced by npm run chaos');
      log(`${new Date().toISOString()} alarm ${alarm.stackName}/${alarm.logicalId} ${state} (forced)`);
    },
    async setRegionDown(region, down) {
      const apis = regionApis(region);
      if (apis.length === 0)
        throw new Error(`No local region ${region} (running: ${regionNames.join(', ')})`);
      for (const api of apis) await api.setDown(down);
      log(`${new Date().toISOString()} fault region ${region} ${down ? 'down' : 'up'}`);
    },
    setReplicationPaused(paused) {
      if (replications.length === 0) throw new Error('No global table has replicas in two local regions');
      for (const replication of replications) {
        if (paused) replication.pause();
        else replication.resume();
      }
      log(`${new Date().toISOString()} fault replication ${paused ? 'paused' : 'resumed'}`);
    },
    async clear() {
      if (!alarmsEvaluated) {
        for (const alarm of alarms.list()) {
          if (alarm.state !== 'OK') await faults.setAlarmState(alarm.alarmArn, 'OK');
        }
      } else if (alarms.list().some((alarm) => alarm.forced)) {
        // A forced state ends at the next evaluation, as on AWS: evaluate now.
        alarms.evaluate();
        await alarms.delivered();
      }
      for (const [region, proxy] of dynamoDbProxies) {
        if (Object.keys(proxy.fault).length > 0) await faults.setDynamoDbFault({}, region);
      }
      for (const [region, proxy] of sqsProxies) {
        if (Object.keys(proxy.fault).length > 0) await faults.setQueueFault({}, region);
      }
      for (const reference of [...functionFaults.keys()]) faults.setFunctionFault(reference, {});
      functionFaults.clear();
      for (const region of regionsDown()) await faults.setRegionDown(region, false);
      if (replications.some((replication) => replication.paused)) faults.setReplicationPaused(false);
    },
    describe() {
      return {
        dynamodb: Object.fromEntries([...dynamoDbProxies].map(([region, proxy]) => [region, proxy.fault])),
        sqs: Object.fromEntries([...sqsProxies].map(([region, proxy]) => [region, proxy.fault])),
        lambda: Object.fromEntries(functionFaults),
        alarms: Object.fromEntries(
          alarms
            .list()
            .filter((alarm) => alarm.forced)
            .map((alarm) => [`${alarm.stackName}/${alarm.logicalId}`, alarm.state]),
        ),
        regionsDown: regionsDown(),
        replicationPaused: replications.some((replication) => replication.paused),
      };
    },
  };
  return faults;
}

function describeFault(fault: DependencyFault | FunctionFault): string {
  const parts = Object.entries(fault)
    .filter(([, value]) => value !== undefined && value !== false && value !== 0)
    .map(([key, value]) => `${key}=${String(value)}`);
  return parts.length === 0 ? 'healed' : parts.join(' ');
}
