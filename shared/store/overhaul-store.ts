import { config } from '../config';
import { ulid } from '../ids';
import { eventItem } from './events';
import { keys } from './keys';
import { transactWrite } from './transact';

/** An overhaul of a serial: from it, its time since overhaul counts again from 0 (a `component.overhauled` event). */
export async function recordOverhaul(
  tenant: string,
  serial: { partNumber: string; serialNumber: string },
  body: { at: string; workOrder?: string; evidenceDocumentId?: string; note?: string },
  now: Date,
) {
  const recordedAt = now.toISOString();
  const overhaul = { id: ulid(), ...body, at: new Date(body.at).toISOString(), recordedAt };
  await transactWrite([
    {
      Put: {
        TableName: config.tableName(),
        Item: {
          ...keys.componentOverhaul(tenant, serial, overhaul.at, overhaul.id),
          entity: 'overhaul',
          ...serial,
          ...overhaul,
        },
      },
    },
    {
      Put: {
        TableName: config.tableName(),
        Item: eventItem(tenant, { type: 'component.overhauled', recordedAt, ...serial, at: overhaul.at }),
      },
    },
  ]);
  return overhaul;
}
