import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { Conflict, invalidField, NotFound } from '../domain/errors';
import type { LinkRecord } from '../domain/thread';
import { batchGetItems } from './batch-get';
import { documentClient } from './clients';
import { twinActiveCheck } from './guarded-transaction';
import { ENTITY } from './items';
import { keys } from './keys';
import { TransactionCancelled, transactWrite } from './transact';

const table = () => config.tableName();

/** Is there such a document in the tenant? (A link never points outside it.) */
async function requireDocument(tenant: string, documentId: string) {
  const { Item } = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: keys.document(tenant, documentId),
      ProjectionExpression: 'id',
    }),
  );
  if (!Item) throw invalidField('body.documentId', `no document ${documentId}`);
}

/**
 * Links a document. Twin and position links live in the twin's partition; a component link lives
 * with the component (and is listed on its record), so it follows the component from unit to unit —
 * and is written only while the component is installed in this twin.
 */
export async function createLink(tenant: string, twinId: string, link: LinkRecord): Promise<void> {
  await requireDocument(tenant, link.documentId);
  const twinActive = twinActiveCheck(tenant, twinId);
  const { component } = link;
  const entries = component
    ? [
        twinActive,
        {
          Put: {
            TableName: table(),
            Item: { ...keys.componentLink(tenant, component, link.documentId), entity: ENTITY.link, ...link },
          },
        },
        {
          Update: {
            TableName: table(),
            Key: keys.component(tenant, component.partNumber, component.serialNumber),
            UpdateExpression: 'ADD documents :document',
            ConditionExpression: 'installedIn.twinId = :twin',
            ExpressionAttributeValues: { ':document': new Set([link.documentId]), ':twin': twinId },
          },
        },
      ]
    : [
        twinActive,
        {
          Put: {
            TableName: table(),
            Item: {
              ...keys.twinLink(
                tenant,
                twinId,
                link.documentId,
                link.position === undefined ? 'twin' : `pos:${link.position}`,
              ),
              entity: ENTITY.link,
              ...link,
            },
          },
        },
      ];
  try {
    await transactWrite(entries);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.conditionFailure?.index === 0) throw new NotFound(`No twin ${twinId}`);
    throw new Conflict(
      `${component?.partNumber} serial ${component?.serialNumber} is not installed in twin ${twinId}`,
    );
  }
}

/** The documents linked to each of these serialized components (from their records). */
export async function componentDocuments(
  tenant: string,
  components: readonly { partNumber: string; serialNumber: string }[],
): Promise<Map<string, string[]>> {
  const records = await batchGetItems(
    components.map((c) => keys.component(tenant, c.partNumber, c.serialNumber)),
  );
  const byComponent = new Map<string, string[]>();
  for (const record of records) {
    const documents = record.documents as Set<string> | undefined;
    if (documents && documents.size > 0) {
      byComponent.set(`${record.partNumber}\u0000${record.serialNumber}`, [...documents].sort());
    }
  }
  return byComponent;
}
