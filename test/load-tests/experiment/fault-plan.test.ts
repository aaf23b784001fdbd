import { faultPlan, FAULT_NAMES } from '../../../load-tests/experiment/fault-plan';
import type { LocalCloud } from '../../../local-cloud/local-cloud';

/** A local cloud whose faults only record what they were asked to do. */
function recordingCloud() {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push(`${name} ${JSON.stringify(args)}`);
      return Promise.resolve();
    };
  const cloud = {
    faults: {
      setDynamoDbFault: record('dynamodb'),
      setFunctionFault: record('lambda'),
      setQueueFault: record('sqs'),
      setRegionDown: record('region'),
    },
  } as unknown as LocalCloud;
  return { cloud, calls };
}

describe('faultPlan', () => {
  test('maps the five events onto a multi-region variant, primary region first', async () => {
    // GIVEN a two-region layout
    const { cloud, calls } = recordingCloud();
    const plan = faultPlan(cloud, {
      variant: 'multi',
      regions: ['us-east-1', 'us-west-2'],
      stackNames: ['ResilientApi-multi-us-east-1', 'ResilientApi-multi-us-west-2'],
    });
    // WHEN every fault is injected and healed
    for (const fault of plan) {
      await fault.inject();
      await fault.heal();
    }
    // THEN all five events hit the primary region, and each heal undoes its injection
    expect(plan.map((fault) => fault.name)).toEqual([...FAULT_NAMES]);
    expect(calls).toEqual([
      'lambda ["ResilientApi-multi-us-east-1/ProcessOrders",{"errorRate":0.3}]',
      'lambda ["ResilientApi-multi-us-east-1/ProcessOrders",{}]',
      'sqs [{"down":true},"us-east-1"]',
      'sqs [{},"us-east-1"]',
      'dynamodb [{"down":true},"us-east-1"]',
      'dynamodb [{},"us-east-1"]',
      'dynamodb [{"latencyMs":400},"us-east-1"]',
      'dynamodb [{},"us-east-1"]',
      'region ["us-east-1",true]',
      'region ["us-east-1",false]',
    ]);
  });

  test('a single-region variant skips health misrouting (there is no other region) and crashes its order writer', () => {
    const { cloud } = recordingCloud();
    const plan = faultPlan(cloud, {
      variant: 'sync',
      regions: ['us-east-1'],
      stackNames: ['ResilientApi-sync'],
    });
    expect(plan.map((fault) => fault.name)).toEqual([
      'function-crash',
      'dependency-outage',
      'latency-injection',
      'region-outage',
    ]);
    expect(plan.find((fault) => fault.name === 'function-crash')?.description).toMatch(/CreateOrder/);
    expect(plan.find((fault) => fault.name === 'region-outage')?.description).toMatch(/no other region/);
  });
});
