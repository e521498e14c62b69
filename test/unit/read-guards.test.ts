import { describe, expect, it } from 'vitest';
import { PreconditionFailed } from '../../shared/domain/errors';
import type { Write } from '../../shared/store/guarded-transaction';
import { guardOf, holds, StaleRead, withGuards } from '../../shared/store/read-guards';

const model = { PK: 'T#CMODEL#A320', SK: 'META' };
const conformance = { PK: 'T#TWIN#1', SK: 'CONFORMANCE' };
const parts = { PK: 'T#REQPARTS', SK: 'META' };

describe('read guards: a transaction commits only while what it was judged against is as read', () => {
  it('guards an absent item by its absence, a present one by its revision attributes and set sizes', () => {
    // Prepare
    const absent = guardOf(model, undefined, { equal: ['version'] });
    const versioned = guardOf(model, { ...model, version: 3 }, { equal: ['version'] });
    const grown = guardOf(parts, { ...parts, partNumbers: new Set(['A', 'B']) }, { size: ['partNumbers'] });
    // Assess
    expect(holds(absent, undefined)).toBe(true);
    expect(holds(absent, { ...model, version: 1 })).toBe(false);
    expect(holds(versioned, { ...model, version: 3 })).toBe(true);
    expect(holds(versioned, { ...model, version: 4 })).toBe(false);
    expect(holds(versioned, undefined)).toBe(false);
    expect(holds(grown, { ...parts, partNumbers: new Set(['A', 'B']) })).toBe(true);
    expect(holds(grown, { ...parts, partNumbers: new Set(['A', 'B', 'C']) })).toBe(false);
  });

  it('adds a ConditionCheck per guarded item the transaction does not write, answering StaleRead', () => {
    // Act
    const writes = withGuards(
      [],
      [guardOf(parts, undefined, {}), guardOf(model, { ...model, version: 2 }, { equal: ['version'] })],
    );
    // Assess: placeholders of two guards never collide
    expect(writes.map((write) => write.entry.ConditionCheck?.ConditionExpression)).toEqual([
      'attribute_not_exists(PK)',
      'attribute_exists(PK) AND #guard1_0 = :guard1_0',
    ]);
    expect(writes[1]!.entry.ConditionCheck).toMatchObject({
      Key: model,
      ExpressionAttributeNames: { '#guard1_0': 'version' },
      ExpressionAttributeValues: { ':guard1_0': 2 },
    });
    expect(writes[0]!.onConditionFailed?.(undefined)).toBeInstanceOf(StaleRead);
  });

  it('ANDs the guard into a write of the same item, telling its own refusal from the guard failing', () => {
    // Prepare: the transaction puts the unit's conformance under its own condition
    const own = () => new PreconditionFailed('own');
    const put: Write = {
      entry: {
        Put: {
          TableName: 't',
          Item: { ...conformance, judgedAt: 'b' },
          ConditionExpression: 'attribute_exists(#v)',
          ExpressionAttributeNames: { '#v': 'v' },
        },
      },
      onConditionFailed: own,
    };
    const read = { ...conformance, judgedAt: 'a', modelVersion: 1 };
    // Act
    const [merged, ...rest] = withGuards(
      [put],
      [guardOf(conformance, read, { equal: ['judgedAt', 'modelVersion'] })],
    );
    // Assess
    expect(rest).toEqual([]);
    expect(merged!.entry.Put).toMatchObject({
      ConditionExpression:
        '(attribute_exists(#v)) AND (attribute_exists(PK) AND #guard0_0 = :guard0_0 AND #guard0_1 = :guard0_1)',
      ExpressionAttributeNames: { '#v': 'v', '#guard0_0': 'judgedAt', '#guard0_1': 'modelVersion' },
      ExpressionAttributeValues: { ':guard0_0': 'a', ':guard0_1': 1 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(merged!.onConditionFailed?.(read)).toBeInstanceOf(PreconditionFailed);
    expect(merged!.onConditionFailed?.({ ...read, judgedAt: 'c' })).toBeInstanceOf(StaleRead);
  });
});
