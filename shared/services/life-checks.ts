import { config } from '../config';
import type { ChangePlan } from '../domain/change-set';
import { Conflict } from '../domain/errors';
import { installRefusal } from '../domain/usage';
import { ulid } from '../ids';
import type { ChangeSetBody, Operation } from '../schemas/change';
import { uniqueKeys } from '../store/batch-get';
import type { Write } from '../store/guarded-transaction';
import { keys } from '../store/keys';
import { partMastersWith } from '../store/part-store';
import { componentLife, refreshLife } from './life';
import { serialRecords, UsageReads } from './usage-reads';

type Arrival = Extract<Operation, { op: 'install' | 'replace' }>;
type Leaving = Extract<Operation, { op: 'remove' | 'replace' }>;

/**
 * What `usageAndLifeOfChange` reads that the body names before the change is planned: the part
 * master and the record of each serial it installs. A change reads them with its twin (no request of
 * their own); the check reads only what the plan adds (the master of a serial that leaves or moves).
 */
export function lifeReadKeys(tenant: string, body: ChangeSetBody): Record<string, string>[] {
  const serials = body.operations.flatMap((operation) =>
    (operation.op === 'install' || operation.op === 'replace') &&
    operation.component.serialNumber !== undefined
      ? [{ partNumber: operation.component.partNumber, serialNumber: operation.component.serialNumber }]
      : [],
  );
  return uniqueKeys([
    ...serials.map(({ partNumber }) => keys.partMaster(tenant, partNumber)),
    ...serials.map(({ partNumber, serialNumber }) => keys.component(tenant, partNumber, serialNumber)),
  ]);
}

/**
 * Usage and life in the recording of a change set (hooked into shared/services/change-recording.ts):
 * before the transaction, an arriving serial that was scrapped, is past a life limit, or is
 * life-limited with usage unknown back to birth (without an override reason) is refused (409 naming
 * the rule); the transaction then also writes each opening balance (`usageAtInstall`) and each
 * removal with its reason and condition. After it, the fleet life index of the serials that came
 * and went is brought up to date.
 */
export async function usageAndLifeOfChange(
  tenant: string,
  plan: ChangePlan,
  body: ChangeSetBody,
  /** The items of `lifeReadKeys(tenant, body)` that exist, read with the twin (else read here). */
  readBefore?: readonly Record<string, unknown>[],
) {
  const operations = body.operations.map((operation, index) => ({ operation, index }));
  const arrivalAt = (path: string) =>
    operations.find(
      (entry): entry is { operation: Arrival; index: number } =>
        (entry.operation.op === 'install' || entry.operation.op === 'replace') &&
        entry.operation.position === path,
    );
  const leavingAt = (path: string) =>
    operations.find(
      (entry): entry is { operation: Leaving; index: number } =>
        (entry.operation.op === 'remove' || entry.operation.op === 'replace') &&
        entry.operation.position === path,
    );
  const serialized = plan.components.filter((effect) => effect.component.serialNumber !== undefined);
  const arrivals = serialized.filter((effect) => effect.kind === 'arrive');
  // an update (software, attributes) changes no life: only arrivals, departures and moves count
  const moving = serialized.filter((effect) => effect.kind !== 'update');
  // One read: the masters of every serial that moves (the fleet life index refresh needs them too) and
  // the records of those that arrive: a serial never seen before has no removal and no usage to read.
  const partNumbers = new Set(moving.map((effect) => effect.component.partNumber));
  const { masters, also: records } = await partMastersWith(
    tenant,
    [...partNumbers],
    arrivals.map((effect) =>
      keys.component(tenant, effect.component.partNumber, effect.component.serialNumber!),
    ),
    readBefore && { keys: lifeReadKeys(tenant, body), items: readBefore },
  );
  const seen = new Set(records.map((record) => record.PK));
  const reads = new UsageReads(tenant);
  const writes: Write[] = [];
  const recordedAt = plan.changeSet.recordedAt;
  const table = config.tableName();
  for (const effect of arrivals) {
    if (effect.kind !== 'arrive') continue;
    const identity = {
      partNumber: effect.component.partNumber,
      serialNumber: effect.component.serialNumber!,
    };
    const entry = arrivalAt(effect.path);
    const balance = entry?.operation.usageAtInstall && {
      at: effect.at,
      values: entry.operation.usageAtInstall,
    };
    const master = masters.get(identity.partNumber) ?? null;
    const known = seen.has(keys.component(tenant, identity.partNumber, identity.serialNumber).PK);
    const serial =
      master?.llp || known ? await serialRecords(tenant, identity.partNumber, identity.serialNumber) : null;
    if (master?.llp || serial?.removals.length) {
      const life = await componentLife(
        tenant,
        identity,
        { asOf: effect.at },
        { reads, master, serial, extraBalance: balance },
      );
      const refusal = installRefusal(life, entry?.operation.lifeOverride !== undefined);
      if (refusal)
        throw new Conflict(`${refusal.rule}: ${refusal.detail}`, [
          { path: `body.operations[${entry?.index ?? 0}].component`, message: refusal.rule },
        ]);
    }
    if (balance) {
      const id = ulid();
      writes.push({
        entry: {
          Put: {
            TableName: table,
            Item: {
              ...keys.componentBalance(tenant, identity, effect.at, id),
              entity: 'opening-balance',
              id,
              at: effect.at,
              values: balance.values,
              twinId: plan.twin.id,
              path: effect.path,
              ...(entry?.operation.evidenceDocumentId
                ? { evidenceDocumentId: entry.operation.evidenceDocumentId }
                : {}),
              changeSetId: plan.changeSet.id,
              recordedAt,
            },
          },
        },
      });
    }
  }
  for (const effect of serialized) {
    if (effect.kind !== 'leave') continue;
    const removal = leavingAt(effect.path)?.operation.removal;
    if (!removal) continue;
    const identity = {
      partNumber: effect.component.partNumber,
      serialNumber: effect.component.serialNumber!,
    };
    const id = ulid();
    writes.push({
      entry: {
        Put: {
          TableName: table,
          Item: {
            ...keys.componentRemoval(tenant, identity, effect.at, id),
            ...keys.removalIndexKeys(tenant, identity.partNumber, effect.at, id),
            entity: 'removal',
            id,
            ...identity,
            ...removal,
            at: effect.at,
            twinId: plan.twin.id,
            path: effect.path,
            changeSetId: plan.changeSet.id,
            recordedAt,
          },
        },
      },
    });
  }
  const moved = moving.map((effect) => ({
    partNumber: effect.component.partNumber,
    serialNumber: effect.component.serialNumber!,
    ...(effect.kind === 'leave'
      ? { twinId: null, path: null }
      : { twinId: plan.twin.id, path: effect.kind === 'move' ? effect.to : effect.path }),
  }));
  return {
    writes,
    afterCommit: (now: Date) => refreshLife(tenant, moved, now, { masters, of: partNumbers }),
  };
}
