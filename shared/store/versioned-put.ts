import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../config';
import { Conflict } from '../domain/errors';
import { TransactionCancelled, transactWrite } from './transact';

type Item = Record<string, unknown>;

/** Rounds a PUT may lose to concurrent PUTs of the same versioned record before it answers 409. */
const ATTEMPTS = 8;

/**
 * Stores the next version of a versioned record (a type, a configuration model): reads the latest,
 * builds the next one with `prepare`, and writes the new META (conditioned on the version read), the
 * version item (conditioned on being new) and its event in one transaction. Two concurrent PUTs never
 * get the same number: the loser reads again and takes the next one.
 */
export async function putNextVersion<T extends { version: number }>(spec: {
  /** Named in the 409 after too many lost races. */
  what: string;
  latest: () => Promise<T | null>;
  prepare: (latest: T | null) => T;
  meta: (next: T) => Item;
  version: (next: T) => Item;
  event: (next: T) => Item;
  /** More items of the same transaction (e.g. the start of a job the new version needs). */
  extra?: (next: T) => Item[];
}): Promise<T> {
  const TableName = config.tableName();
  for (let attempt = 1; ; attempt++) {
    const latest = await spec.latest();
    const next = spec.prepare(latest);
    try {
      await transactWrite([
        {
          Put: {
            TableName,
            Item: spec.meta(next),
            ConditionExpression: latest ? 'version = :previous' : 'attribute_not_exists(PK)',
            ...(latest ? { ExpressionAttributeValues: { ':previous': latest.version } } : {}),
          },
        },
        { Put: { TableName, Item: spec.version(next), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName, Item: spec.event(next) } },
        ...(spec.extra?.(next) ?? []).map((Item) => ({ Put: { TableName, Item } })),
      ]);
      return next;
    } catch (error) {
      const lostRace = error instanceof TransactionCancelled || error instanceof Conflict;
      if (!lostRace) throw error;
      if (attempt >= ATTEMPTS)
        throw new Conflict(`Other versions of ${spec.what} were stored at the same time: retry`);
      await sleep(Math.random() * 20 * attempt);
    }
  }
}
