import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from '../config';
import type { MountRecord } from '../domain/records';
import { documentClient } from './clients';
import { ACTIVE } from './guarded-transaction';
import { ENTITY } from './items';
import { keys } from './keys';
import { queryAll } from './query';
import { dropCheckpoints } from './timeline-store';

/**
 * A tenant import's link between the copies of a nested twin (an engine) and the twins it sat in
 * (aircraft): both ends as the parent's change sets would have written them (shared/store/mount-writes.ts),
 * but after both copies exist. Each write is conditional on what it adds being absent, so a rerun
 * writes nothing twice and a crash midway is finished by the next run:
 * - in the child copy: its `MNT#` stays (closed ones closed, as recorded), `mountedIn` when it is
 *   mounted now and `unmountedAt` (when it last left a parent);
 * - in the parent copy: `component.twinId` on the installation intervals of the stay (`INST#`: the
 *   interval it arrived with, found by path, start and record time, and those after it in the stay
 *   with the same part and serial number), on `CUR#` when it is there now, and on the operation of
 *   the change set that installed it (`CS#<seq>` of the arrival interval); and on the record of its
 *   serial (`COMP#`) when there is one. These are the copy's own
 *   imported items: `twinId` is the one attribute the twin import left out, set once, nothing else.
 */

const table = () => config.tableName();

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** One conditional write: `written`, `already` (its condition found it there), or `refused` (something else is). */
async function conditional(
  send: () => Promise<unknown>,
  already: (old: Record<string, unknown> | undefined) => boolean,
): Promise<'written' | 'already' | 'refused'> {
  try {
    await send();
    return 'written';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // the document client leaves the exception's item as DynamoDB sent it (attribute values)
    const item = (error as { Item?: Record<string, AttributeValue> }).Item;
    const old = item && unmarshall(item);
    return already(old) ? 'already' : 'refused';
  }
}

const update = (input: Omit<UpdateCommandInput, 'TableName'>) =>
  documentClient().send(
    new UpdateCommand({ TableName: table(), ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...input }),
  );

/** A stay of the child copy in the parent copy `parentId` (both ids are the copies'). */
export type NestingStay = MountRecord;

export interface NestingOutcome {
  written: number;
  already: number;
  /** What could not be linked, as notes. */
  notes: string[];
}

type Component = { partNumber?: string; serialNumber?: string; twinId?: string };

const sameComponent = (a: Component | undefined, b: Component | undefined) =>
  a?.partNumber === b?.partNumber && a?.serialNumber === b?.serialNumber;

/** The parent's installation intervals of one stay of the child: `INST#<path>#` from its start to its end. */
async function stayInstallations(tenant: string, stay: NestingStay) {
  const at = (validFrom: string) => keys.installation(tenant, stay.parentId, { ...stay, validFrom, seq: 0 });
  const from = at(stay.validFrom);
  // an interval starting when the stay ends is the next occupant's (real seqs start at 1)
  const to = at(stay.validTo ?? '~');
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': from.PK, ':from': from.SK, ':to': to.SK },
    ConsistentRead: true,
  });
  const arrival = items.find(
    (item) => item.validFrom === stay.validFrom && item.recordedAt === stay.recordedAt,
  );
  if (!arrival) return null;
  const component = arrival.component as Component;
  return {
    arrival,
    installations: items.filter((item) => sameComponent(item.component as Component, component)),
  };
}

/**
 * The operation of the change set that opened the arrival interval (its `seq`) which installed the
 * child there: an `install` or `replace` at the stay's path with the arrival's component. An as-built
 * record names no components in its history.
 */
async function arrivalOperation(tenant: string, stay: NestingStay, arrival: Record<string, unknown>) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.changeSet(tenant, stay.parentId, arrival.seq as number),
      ProjectionExpression: 'operations',
      ConsistentRead: true,
    }),
  );
  const operations = (Item?.operations ?? []) as { op: string; position?: string; component?: Component }[];
  const index = operations.findIndex(
    (operation) =>
      (operation.op === 'install' || operation.op === 'replace') &&
      operation.position === stay.path &&
      sameComponent(operation.component, arrival.component as Component),
  );
  return index < 0 ? null : { Key: keys.changeSet(tenant, stay.parentId, arrival.seq as number), index };
}

/** Links one stay at both ends; counts what it wrote and found. */
async function linkStay(tenant: string, childId: string, stay: NestingStay, outcome: NestingOutcome) {
  const count = (result: 'written' | 'already' | 'refused', refused = '') => {
    if (result === 'refused') outcome.notes.push(refused);
    else outcome[result]++;
  };
  const where = `${stay.path} of twin ${stay.parentId} (since ${stay.validFrom})`;
  const mountKey = keys.mount(tenant, childId, {
    since: stay.validFrom,
    parentId: stay.parentId,
    path: stay.path,
  });
  const { validTo, ...open } = stay;
  count(
    await conditional(
      () =>
        documentClient().send(
          new PutCommand({
            TableName: table(),
            Item: { ...mountKey, entity: ENTITY.mount, ...open, ...(validTo === null ? {} : { validTo }) },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      () => true,
    ),
  );
  const found = await stayInstallations(tenant, stay);
  if (!found) {
    outcome.notes.push(`no installation of the copy at ${where}: the parent's side was not linked`);
    return;
  }
  const { arrival, installations } = found;
  const linked = (old: Record<string, unknown> | undefined, component: Component | undefined) =>
    old !== undefined && component?.twinId === childId;
  let relinked = false;
  for (const installation of installations) {
    const result = await conditional(
      () =>
        update({
          Key: { PK: installation.PK, SK: installation.SK },
          UpdateExpression: 'SET #component.twinId = :child',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#component.twinId)',
          ExpressionAttributeNames: { '#component': 'component' },
          ExpressionAttributeValues: { ':child': childId },
        }),
      (old) => linked(old, old?.component as Component | undefined),
    );
    // `already` too: a run that crashed before dropping them left them behind
    relinked ||= result !== 'refused';
    count(result, `the installation at ${where} names another twin: left as it is`);
  }
  // the parent's checkpoints hold copies of these intervals from before the link
  if (relinked) await dropCheckpoints(tenant, stay.parentId);
  const component = arrival.component as Component;
  // the serial's own record (its partition) names the twin too, as the source's install wrote it
  if (component.serialNumber !== undefined && component.partNumber !== undefined)
    count(
      await conditional(
        () =>
          update({
            Key: keys.component(tenant, component.partNumber!, component.serialNumber!),
            UpdateExpression: 'SET #component.twinId = :child',
            ConditionExpression: 'attribute_exists(#component) AND attribute_not_exists(#component.twinId)',
            ExpressionAttributeNames: { '#component': 'component' },
            ExpressionAttributeValues: { ':child': childId },
          }),
        // no record yet: the serial's component line (after this one) maps the twin itself
        (old) => old === undefined || (old.component as Component | undefined)?.twinId === childId,
      ),
      `the record of serial ${component.partNumber}/${component.serialNumber} names another twin: left as it is`,
    );
  const operation = await arrivalOperation(tenant, stay, arrival);
  if (operation) {
    const at = `operations[${operation.index}].#component`;
    count(
      await conditional(
        () =>
          update({
            Key: operation.Key,
            UpdateExpression: `SET ${at}.twinId = :child`,
            ConditionExpression: `attribute_not_exists(${at}.twinId)`,
            ExpressionAttributeNames: { '#component': 'component' },
            ExpressionAttributeValues: { ':child': childId },
          }),
        (old) => {
          const operations = old?.operations as { component?: Component }[] | undefined;
          return operations?.[operation.index]?.component?.twinId === childId;
        },
      ),
      `the change set that installed the twin at ${where} names another twin: left as it is`,
    );
  }
  if (validTo !== null) return;
  count(
    await conditional(
      () =>
        update({
          Key: keys.current(tenant, stay.parentId, stay.path),
          // `linked`: a change planned on this item as it was before (planning-cache.ts) is refused
          UpdateExpression: 'SET installation.#component.twinId = :child, linked = :child',
          ConditionExpression:
            'attribute_not_exists(installation.#component.twinId) AND installation.#component.partNumber = :pn AND installation.validFrom >= :from',
          ExpressionAttributeNames: { '#component': 'component' },
          ExpressionAttributeValues: {
            ':child': childId,
            ':pn': component.partNumber,
            ':from': stay.validFrom,
          },
        }),
      (old) => linked(old, (old?.installation as { component?: Component } | undefined)?.component),
    ),
    `the current installation at ${where} is not the twin's: left as it is`,
  );
  count(
    await conditional(
      () =>
        update({
          Key: keys.twinMeta(tenant, childId),
          UpdateExpression: 'SET mountedIn = :in',
          ConditionExpression: '#status = :active AND attribute_not_exists(mountedIn)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':in': { twinId: stay.parentId, path: stay.path, since: stay.validFrom },
            ':active': ACTIVE,
          },
        }),
      (old) => (old?.mountedIn as { twinId?: string } | undefined)?.twinId === stay.parentId,
    ),
    `twin ${childId} is mounted elsewhere: not mounted at ${where}`,
  );
}

/**
 * Restores the nesting of one child copy in its parents' copies: every stay, then when it last left
 * a parent (`unmountedAt`, what the next arrival is checked against, as a removal sets it).
 */
export async function importNesting(
  tenant: string,
  childId: string,
  stays: readonly NestingStay[],
): Promise<NestingOutcome> {
  const outcome: NestingOutcome = { written: 0, already: 0, notes: [] };
  for (const stay of stays) await linkStay(tenant, childId, stay, outcome);
  // a stay closed by a move within its parent (the next stay there starts then) is no leave
  const left = stays
    .flatMap(({ parentId, validTo }) =>
      validTo === null || stays.some((next) => next.parentId === parentId && next.validFrom === validTo)
        ? []
        : [validTo],
    )
    .sort()
    .at(-1);
  if (left === undefined) return outcome;
  const result = await conditional(
    () =>
      update({
        Key: keys.twinMeta(tenant, childId),
        UpdateExpression: 'SET unmountedAt = :left',
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(unmountedAt) OR unmountedAt < :left)',
        ExpressionAttributeValues: { ':left': left },
      }),
    () => true,
  );
  if (result !== 'refused') outcome[result]++;
  return outcome;
}
