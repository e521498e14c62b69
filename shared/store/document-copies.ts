import { config } from '../config';
import type { ImportedDocument } from '../domain/document-import';
import { Conflict } from '../domain/errors';
import { batchGetItems } from './batch-get';
import { documentCreation } from './document-store';
import { keys } from './keys';
import { TransactionCancelled, transactWrite } from './transact';

const table = () => config.tableName();
const ATTEMPTS = 3;

/**
 * The copies this tenant holds of a source tenant's documents, by source document id: their import
 * markers (`IMPORTDOC#<source tenant>#<document>`), one consistent BatchGet. A marker is written in the
 * copy's own transaction, so a marker always names a document that exists.
 */
export async function documentCopies(
  tenant: string,
  sourceTenant: string,
  documentIds: Iterable<string>,
): Promise<Map<string, string>> {
  const ids = [...new Set(documentIds)];
  const items = await batchGetItems(
    ids.map((documentId) => keys.importedDocument(tenant, { tenant: sourceTenant, documentId })),
    { consistent: true },
  );
  return new Map(items.map((item) => [item.sourceDocumentId as string, item.copyId as string]));
}

/**
 * Writes a document's copy (META, pending version, search entries, requirement index) and its import
 * marker in one transaction, the marker conditioned on being new. When another import made a copy of
 * the same source document first, nothing is written and that copy is answered (`created: false`).
 */
export async function putDocumentCopy(
  tenant: string,
  copy: ImportedDocument,
  attempt = 1,
): Promise<{ copyId: string; created: boolean }> {
  const { record, version } = copy;
  const source = record.importedFrom;
  try {
    await transactWrite([
      {
        Put: {
          TableName: table(),
          Item: {
            ...keys.importedDocument(tenant, source),
            entity: 'document-import-marker',
            sourceTenant: source.tenant,
            sourceDocumentId: source.documentId,
            copyId: record.id,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      ...documentCreation(tenant, record, version),
    ]);
    return { copyId: record.id, created: true };
  } catch (error) {
    // a concurrent import writing the same marker: the next round finds its copy (or writes this one)
    if (error instanceof Conflict && attempt < ATTEMPTS) return putDocumentCopy(tenant, copy, attempt + 1);
    const failure = error instanceof TransactionCancelled ? error.conditionFailure : undefined;
    if (failure?.index !== 0) throw error;
    const copyId =
      (failure.item?.copyId as string | undefined) ??
      (await documentCopies(tenant, source.tenant, [source.documentId])).get(source.documentId);
    if (copyId === undefined) throw error;
    return { copyId, created: false };
  }
}
