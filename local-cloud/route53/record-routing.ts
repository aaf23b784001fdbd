/**
 * Route 53's answer for one name: which of its records a query gets, given the records' health.
 */
import type { DnsRecord } from './route53-model';

/**
 * The record Route 53 answers a query for a name with.
 *
 * - failover: the PRIMARY while it is healthy, else the SECONDARY while it is healthy;
 * - latency: the healthy record of the region nearest the caller; locally "nearest" is the order of
 *   `callerRegions` (regions not in it come after, in template order);
 * - a record without a health check is always healthy;
 * - when every record is unhealthy, Route 53 considers them all healthy (it answers rather than
 *   leaving the name without an answer), so the choice falls back to the PRIMARY or the nearest.
 *
 * @param records the records of one name (and type)
 * @returns undefined when there are no records
 */
export function chooseRecord(
  records: readonly DnsRecord[],
  isHealthy: (record: DnsRecord) => boolean,
  callerRegions: readonly string[],
): DnsRecord | undefined {
  if (records.length === 0) return undefined;
  const policies = new Set(records.map((record) => record.routing.policy));
  if (policies.size > 1) {
    throw new Error(
      `Records of ${records[0].name} mix routing policies (${[...policies].join(', ')}), which Route 53 refuses`,
    );
  }
  const ordered = orderByPreference(records, callerRegions);
  const healthy = ordered.filter((record) => record.healthCheck === undefined || isHealthy(record));
  return (healthy.length > 0 ? healthy : ordered)[0];
}

function orderByPreference(records: readonly DnsRecord[], callerRegions: readonly string[]): DnsRecord[] {
  const rank = (record: DnsRecord): number => {
    const { routing } = record;
    if (routing.policy === 'failover') return routing.role === 'PRIMARY' ? 0 : 1;
    if (routing.policy === 'latency') {
      const index = callerRegions.indexOf(routing.region);
      return index === -1 ? callerRegions.length : index;
    }
    return 0;
  };
  // Array.prototype.sort is stable, so equal ranks keep template order.
  return [...records].sort((a, b) => rank(a) - rank(b));
}
