import { chooseRecord } from '../../../local-cloud/route53/record-routing';
import { readRoute53Model, type DnsRecord } from '../../../local-cloud/route53/route53-model';
import { regionStackSource } from './synthetic-templates';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

function latencyRecords(): DnsRecord[] {
  return [...readRoute53Model(REGIONS.map((region) => regionStackSource(region))).records];
}

function failoverRecords(): DnsRecord[] {
  return [
    ...readRoute53Model([
      regionStackSource('us-east-1', { failover: 'PRIMARY' }),
      regionStackSource('us-west-2', { failover: 'SECONDARY' }),
    ]).records,
  ];
}

const healthyExcept =
  (...unhealthyRegions: string[]) =>
  (record: DnsRecord) =>
    !unhealthyRegions.includes(record.region);

describe('chooseRecord', () => {
  test('latency routing answers with the nearest healthy region', () => {
    // GIVEN latency records in three regions and a caller nearest to us-west-2, then eu-west-1
    const records = latencyRecords();
    const caller = ['us-west-2', 'eu-west-1', 'us-east-1'];

    // THEN the nearest answers while healthy, the next nearest once it is not
    expect(chooseRecord(records, healthyExcept(), caller)?.region).toBe('us-west-2');
    expect(chooseRecord(records, healthyExcept('us-west-2'), caller)?.region).toBe('eu-west-1');
  });

  test('latency routing answers with the nearest region when every region is unhealthy', () => {
    // GIVEN every record unhealthy
    const records = latencyRecords();

    // THEN Route 53 treats them all as healthy and answers with the nearest
    expect(chooseRecord(records, healthyExcept(...REGIONS), REGIONS)?.region).toBe('us-east-1');
  });

  test('failover routing answers with the primary while healthy, else the secondary', () => {
    // GIVEN a primary and a secondary record
    const records = failoverRecords();

    // THEN the caller's region order does not matter, only health and role do
    expect(chooseRecord(records, healthyExcept(), ['us-west-2'])?.region).toBe('us-east-1');
    expect(chooseRecord(records, healthyExcept('us-east-1'), ['us-west-2'])?.region).toBe('us-west-2');
    expect(chooseRecord(records, healthyExcept('us-east-1', 'us-west-2'), [])?.region).toBe('us-east-1');
  });

  test('fails if the records of a name mix routing policies', () => {
    // GIVEN a latency record and a failover record of one name
    const [latency] = latencyRecords();
    const [primary] = failoverRecords();

    // THEN there is no answer Route 53 would give
    expect(() => chooseRecord([latency, primary], healthyExcept(), REGIONS)).toThrow(
      /mix routing policies \(latency, failover\)/,
    );
  });
});
