import { USAGE_LINE_RECORDS } from '../schemas/tenant-lines';
import type { UsageRecord } from '../schemas/usage';
import { componentItems, traceOf } from '../store/component-store';
import { modelVersions } from '../store/conformance-store';
import {
  componentLineOf,
  listModelProducts,
  listPartNumbers,
  usageMeter,
} from '../store/maintenance-records';
import { partVersions } from '../store/part-store';
import { listTwins, loadTwinParts } from '../store/twin-store';
import { allUsageRecords, getUsageParameters } from '../store/usage-store';
import { phase } from './export-phase';

/**
 * The tenant export's lines of what #14 (usage and life) and #15 (configuration models) keep outside
 * a twin's partition (shared/schemas/tenant-lines.ts): the definitions, written before the twins, and
 * each twin's usage and component records, written after them.
 */

/** Record order: a record recorded later comes later, so a stage stopped inside a twin resumes right. */
const recordOrder = (a: UsageRecord, b: UsageRecord) => {
  const left = `${a.recordedAt}#${a.id}`;
  const right = `${b.recordedAt}#${b.id}`;
  return left < right ? -1 : left > right ? 1 : 0;
};

/** Usage parameters, part masters and configuration models: before the twins. */
export const DEFINITION_PHASES = {
  'usage-parameters': phase({
    kind: 'usageParameters',
    count: (line: { parameters: Record<string, unknown> }) => Object.keys(line.parameters).length,
    list: async () => ({ items: [{ id: 'usage-parameters' }] }),
    lines: async (tenant) => {
      const parameters = await getUsageParameters(tenant);
      return [Object.keys(parameters).length === 0 ? null : { type: 'usage-parameters', parameters }];
    },
  }),
  parts: phase({
    kind: 'parts',
    list: listPartNumbers,
    lines: (tenant, items) =>
      Promise.all(
        items.map(async ({ id: partNumber }) => {
          const versions = await partVersions(tenant, partNumber);
          return versions.length === 0 ? null : { type: 'part', partNumber, versions };
        }),
      ),
  }),
  'configuration-models': phase({
    kind: 'configurationModels',
    list: listModelProducts,
    lines: (tenant, items) =>
      Promise.all(
        items.map(async ({ id: productPartNumber }) => {
          const versions = await modelVersions(tenant, productPartNumber);
          return versions.length === 0 ? null : { type: 'configuration-model', productPartNumber, versions };
        }),
      ),
  }),
};

/** Each twin's usage records (per parameter, in lines of 500) and its serials' component records: after the twins. */
export const TWIN_RECORD_PHASES = {
  usage: phase({
    kind: 'usageRecords',
    count: (line: { records: unknown[] }) => line.records.length,
    list: (tenant, page) => listTwins(tenant, {}, page),
    lines: async (tenant, twins) => {
      const parameters = Object.keys(await getUsageParameters(tenant));
      return Promise.all(
        twins.map(async (twin) => {
          const lines: unknown[] = [];
          for (const parameter of parameters) {
            const records = (await allUsageRecords(tenant, twin.id, parameter)).sort(recordOrder);
            if (records.length === 0) continue;
            const meter = await usageMeter(tenant, twin.id, parameter);
            const source = { tenant, twinId: twin.id };
            for (let start = 0; start < records.length; start += USAGE_LINE_RECORDS)
              lines.push({
                type: 'usage',
                source,
                parameter,
                ...(meter ? { meter } : {}),
                records: records.slice(start, start + USAGE_LINE_RECORDS),
              });
          }
          return lines;
        }),
      );
    },
  }),
  components: phase({
    kind: 'components',
    list: (tenant, page) => listTwins(tenant, {}, page),
    lines: (tenant, twins) => Promise.all(twins.map((twin) => componentLinesOf(tenant, twin.id))),
  }),
};

/**
 * The component lines a twin carries: one per serial that ever sat in it and whose first stay was in
 * it (so each serial is written once, whichever twins it moved between).
 */
async function componentLinesOf(tenant: string, twinId: string): Promise<unknown[]> {
  const loaded = await loadTwinParts(tenant, twinId, { timeline: true });
  const serials = new Map<string, { partNumber: string; serialNumber: string }>();
  for (const { component } of loaded?.history.installations ?? [])
    if (component.serialNumber !== undefined)
      serials.set(`${component.partNumber}#${component.serialNumber}`, {
        partNumber: component.partNumber,
        serialNumber: component.serialNumber,
      });
  const lines: unknown[] = [];
  for (const serial of serials.values()) {
    const items = await componentItems(tenant, serial.partNumber, serial.serialNumber);
    const trace = await traceOf(tenant, items);
    if (trace?.installations[0]?.twinId !== twinId) continue;
    const line = componentLineOf(items);
    if (line) lines.push({ type: 'component', source: { tenant }, ...line });
  }
  return lines;
}
