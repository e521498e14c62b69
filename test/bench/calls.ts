import { dynamodbCalls } from '../../shared/store/clients';
import type { Calls } from './changes';

/** DynamoDB requests sent so far, by command (the SDK middleware of `clients.ts` counts them). */
export const snapshot = (): Calls => ({
  total: dynamodbCalls.count,
  byCommand: { ...dynamodbCalls.byCommand },
});

/** The requests sent since `before`, by command. */
export function callsSince(before: Calls): Calls {
  const byCommand: Record<string, number> = {};
  for (const [command, count] of Object.entries(dynamodbCalls.byCommand)) {
    const delta = count - (before.byCommand[command] ?? 0);
    if (delta > 0) byCommand[command.replace(/Command$/, '')] = delta;
  }
  return { total: dynamodbCalls.count - before.total, byCommand };
}

export const formatCalls = (calls: Calls): string =>
  `${calls.total} (${Object.entries(calls.byCommand)
    .map(([command, count]) => `${command} ${count}`)
    .join(', ')})`;
