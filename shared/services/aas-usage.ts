import type { AasUsage } from '../domain/aas';
import { lifeOf } from '../domain/usage';
import type { Node } from '../schemas/twin';
import { partMasters } from '../store/part-store';
import { getUsageParameters } from '../store/usage-store';
import { isScrapped } from './life';
import { serialRecords, serialUsage, UsageReads } from './usage-reads';

const serializedParts = (
  nodes: readonly Node[],
): { path: string; partNumber: string; serialNumber: string }[] =>
  nodes.flatMap((node) => [
    ...(node.component?.serialNumber
      ? [
          {
            path: node.path,
            partNumber: node.component.partNumber,
            serialNumber: node.component.serialNumber,
          },
        ]
      : []),
    ...serializedParts(node.children),
  ]);

/**
 * The usage and life an AAS export carries (its OperatingData submodel): the unit's own totals per
 * parameter, and per serialized part of the configuration it shows its TSN and TSO and, for a
 * life-limited part, each limit's remaining life and status; at asOf as known at knownAt.
 */
export async function aasUsageOf(
  tenant: string,
  twin: { id: string; configuration: readonly Node[] },
  { asOf, knownAt }: { asOf: string; knownAt: string },
): Promise<AasUsage | undefined> {
  const parameters = Object.keys(await getUsageParameters(tenant));
  if (parameters.length === 0) return undefined;
  const reads = new UsageReads(tenant, knownAt);
  const after = new Date(Date.parse(asOf) + 1).toISOString();
  const unit: Record<string, number> = {};
  for (const parameter of parameters)
    if (await reads.recordsItself(twin.id, parameter))
      unit[parameter] = await reads.before(twin.id, parameter, after);
  const installed = serializedParts(twin.configuration);
  const masters = await partMasters(
    tenant,
    installed.map((part) => part.partNumber),
  );
  const parts: AasUsage['parts'] = [];
  for (const part of installed) {
    const serial = await serialRecords(tenant, part.partNumber, part.serialNumber, knownAt);
    if (!serial) continue;
    const usage = await serialUsage(reads, serial, parameters, asOf);
    const master = masters.get(part.partNumber);
    parts.push({
      ...part,
      usage,
      ...(master?.llp
        ? { life: lifeOf(part, master, usage, { asOf, scrapped: isScrapped(serial, asOf) }) }
        : {}),
    });
  }
  return { unit, parts };
}
