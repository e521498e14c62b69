import { getUsageParameters, twinParameterUsage } from '../store/usage-store';
import { knownSerial } from './life';
import { serialUsage, UsageReads } from './usage-reads';

/** When a usage answer is read: asOf in the stored UTC form, knownAt only when asked (a past record time). */
export interface UsageTimes {
  asOf: string;
  knownAt?: string;
}

/** A unit's own usage: per parameter it records, its total up to asOf and its latest records then. */
export async function twinUsageAnswer(tenant: string, twinId: string, { asOf, knownAt }: UsageTimes) {
  const reads = new UsageReads(tenant, knownAt);
  const parameters: Record<string, { total: number; recent: unknown[] }> = {};
  for (const name of Object.keys(await getUsageParameters(tenant))) {
    const { recent, years } = await twinParameterUsage(tenant, twinId, name);
    if (years.length === 0) continue;
    parameters[name] = {
      total: await reads.before(twinId, name, new Date(Date.parse(asOf) + 1).toISOString()),
      recent: recent.filter(
        (record) => record.at <= asOf && (knownAt === undefined || record.recordedAt <= knownAt),
      ),
    };
  }
  return { twinId, asOf, parameters };
}

/** A serial's TSN, TSO, TSI, stays and gaps for one parameter or every parameter of the tenant. */
export async function componentUsageAnswer(
  tenant: string,
  identity: { partNumber: string; serialNumber: string },
  { asOf, knownAt }: UsageTimes,
  parameter?: string,
) {
  const { partNumber, serialNumber } = identity;
  const serial = await knownSerial(tenant, partNumber, serialNumber, knownAt);
  const names = parameter ? [parameter] : Object.keys(await getUsageParameters(tenant));
  const parameters = await serialUsage(new UsageReads(tenant, knownAt), serial, names, asOf);
  return { partNumber, serialNumber, asOf, ...(knownAt ? { knownAt } : {}), parameters };
}
