import { config } from '../config';
import { Conflict } from '../domain/errors';
import { keyId } from './batch-get';
import type { Write } from './guarded-transaction';

type Key = Record<string, string>;
type Item = Record<string, unknown>;

/**
 * "This item is still as it was read", checked by the transaction that relies on it: absent (`expect`
 * null), or present with these attribute values (`equal`; undefined: the attribute is absent) and set
 * sizes (`size`: for sets that only ever grow, the size says whether anything was added).
 */
export interface ReadGuard {
  key: Key;
  expect: null | { equal?: Record<string, unknown>; size?: Record<string, number> };
  /** Checked only where the transaction writes the item (what it only read does not matter). */
  whenWritten?: true;
}

/** A guarded item changed between the read and the write: the change is planned again from a fresh read. */
export class StaleRead extends Conflict {
  constructor() {
    super('What the change was judged against changed while it was recorded: retry');
  }
}

/** The guard of an item as read (`item` undefined: it was absent), by the attributes that revise it. */
export function guardOf(
  key: Key,
  item: Item | undefined,
  revision: { equal?: readonly string[]; size?: readonly string[] },
): ReadGuard {
  if (!item) return { key, expect: null };
  return {
    key,
    expect: {
      equal: Object.fromEntries((revision.equal ?? []).map((name) => [name, item[name]])),
      size: Object.fromEntries((revision.size ?? []).map((name) => [name, sizeOf(item[name])])),
    },
  };
}

/** The size of a set or list attribute (0 when absent: DynamoDB stores no empty set). */
const sizeOf = (value: unknown) =>
  value instanceof Set ? value.size : Array.isArray(value) ? value.length : value === undefined ? 0 : -1;

/** Whether `item` (as DynamoDB returned it; undefined: absent) still satisfies the guard. */
export function holds(guard: ReadGuard, item: Item | undefined): boolean {
  if (guard.expect === null) return item === undefined;
  if (!item) return false;
  const { equal = {}, size = {} } = guard.expect;
  return (
    Object.entries(equal).every(([name, value]) => item[name] === value) &&
    Object.entries(size).every(([name, value]) => sizeOf(item[name]) === value)
  );
}

/** The guard as a condition expression, its placeholders prefixed with `p` (unique in one transaction). */
function conditionOf(guard: ReadGuard, p: string) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (guard.expect === null) return { expression: 'attribute_not_exists(PK)', names, values };
  const parts = ['attribute_exists(PK)'];
  let index = 0;
  const name = (attribute: string) => {
    const placeholder = `#${p}${index++}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  for (const [attribute, value] of Object.entries(guard.expect.equal ?? {})) {
    const placeholder = name(attribute);
    if (value === undefined) parts.push(`attribute_not_exists(${placeholder})`);
    else {
      values[`:${placeholder.slice(1)}`] = value;
      parts.push(`${placeholder} = :${placeholder.slice(1)}`);
    }
  }
  for (const [attribute, value] of Object.entries(guard.expect.size ?? {})) {
    const placeholder = name(attribute);
    if (value === 0) parts.push(`attribute_not_exists(${placeholder})`);
    else {
      values[`:${placeholder.slice(1)}`] = value;
      parts.push(`size(${placeholder}) = :${placeholder.slice(1)}`);
    }
  }
  return { expression: parts.join(' AND '), names, values };
}

const keyOfEntry = (entry: Write['entry']): Item | undefined =>
  entry.Put?.Item ?? entry.Update?.Key ?? entry.Delete?.Key ?? entry.ConditionCheck?.Key;

/**
 * The transaction's writes with each guard in it: ANDed into the condition of a write of the same item
 * (a transaction names an item once), else as a ConditionCheck of its own. A guard that fails answers
 * `StaleRead`; a merged write whose own condition failed still answers its own error (told apart by
 * the item DynamoDB returns).
 */
export function withGuards(writes: readonly Write[], guards: readonly ReadGuard[]): Write[] {
  const result = [...writes];
  guards.forEach((guard, index) => {
    const { expression, names, values } = conditionOf(guard, `guard${index}_`);
    const at = result.findIndex((write) => {
      const key = keyOfEntry(write.entry);
      return key !== undefined && keyId(key) === keyId(guard.key);
    });
    if (at === -1) {
      if (guard.whenWritten) return;
      result.push({
        entry: {
          ConditionCheck: {
            TableName: config.tableName(),
            Key: guard.key,
            ConditionExpression: expression,
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          },
        },
        onConditionFailed: () => new StaleRead(),
      });
      return;
    }
    const write = result[at]!;
    const [kind, operation] = Object.entries(write.entry).find(([, value]) => value !== undefined)! as [
      keyof Write['entry'],
      {
        ConditionExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Record<string, unknown>;
      },
    ];
    const own = operation.ConditionExpression;
    const mergedNames = { ...operation.ExpressionAttributeNames, ...names };
    const mergedValues = { ...operation.ExpressionAttributeValues, ...values };
    result[at] = {
      ...write,
      entry: {
        [kind]: {
          ...operation,
          ConditionExpression: own ? `(${own}) AND (${expression})` : expression,
          ...(Object.keys(mergedNames).length > 0 ? { ExpressionAttributeNames: mergedNames } : {}),
          ...(Object.keys(mergedValues).length > 0 ? { ExpressionAttributeValues: mergedValues } : {}),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (item) =>
        !holds(guard, item) || !write.onConditionFailed ? new StaleRead() : write.onConditionFailed(item),
    };
  });
  return result;
}
