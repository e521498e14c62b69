import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import {
  checkUpload,
  type DocumentRecord,
  type DocumentVersionRecord,
  latestAvailable,
  pendingCandidates,
  type UploadCheck,
  uploadProblem,
} from '../domain/document';
import { Conflict, invalidField, NotFound } from '../domain/errors';
import { documentEntries } from '../domain/search';
import { BUSINESS_METRICS, countBusiness } from '../observability/metrics';
import type { Requirement } from '../schemas/compliance';
import { batchGetItems } from './batch-get';
import { documentClient } from './clients';
import { requirementIndexWrites } from './compliance-store';
import { decodeCursor, encodeCursor } from './cursor';
import { eventItem } from './events';
import { indexKeyOf, isIndexKeyOf } from './index-cursor';
import { ENTITY } from './items';
import { keys, withoutKeys } from './keys';
import { headObject } from './objects';
import { queryAll } from './query';
import { searchPuts } from './search-store';
import { INDEXES } from './table';
import { type TransactEntry, TransactionCancelled, transactWrite } from './transact';

const table = () => config.tableName();

type Item = Record<string, unknown>;

export interface LoadedDocument {
  record: DocumentRecord;
  versions: DocumentVersionRecord[];
}

const metaItem = (tenant: string, record: DocumentRecord): Item => ({
  ...keys.document(tenant, record.id),
  entity: ENTITY.document,
  ...keys.documentIndexKeys(tenant, { ...record, partNumber: record.effectivity?.partNumber }),
  ...record,
});

const versionItem = (tenant: string, documentId: string, version: DocumentVersionRecord): Item => ({
  ...keys.documentVersion(tenant, documentId, version.version),
  entity: ENTITY.documentVersion,
  documentId,
  ...version,
});

const toRecord = (item: Item): DocumentRecord => {
  const { entity: _entity, ...record } = withoutKeys(item);
  return record as unknown as DocumentRecord;
};

const toVersion = (item: Item): DocumentVersionRecord => {
  const { entity: _entity, documentId: _documentId, ...version } = withoutKeys(item);
  return version as unknown as DocumentVersionRecord;
};

const putNew = (Item: Item): TransactEntry => ({
  Put: { TableName: table(), Item, ConditionExpression: 'attribute_not_exists(PK)' },
});

/**
 * Writes a new document's metadata and its first version, pending, in one transaction. This comes
 * before any S3 call: whatever happens to the upload, no version is ever available without its object.
 */
export async function createDocument(
  tenant: string,
  record: DocumentRecord,
  first: DocumentVersionRecord,
): Promise<void> {
  await transactWrite(documentCreation(tenant, record, first));
}

/** The entries of a new document: META, first version, search entries and requirement index. */
export const documentCreation = (
  tenant: string,
  record: DocumentRecord,
  first: DocumentVersionRecord,
): TransactEntry[] => [
  putNew(metaItem(tenant, record)),
  putNew(versionItem(tenant, record.id, first)),
  ...searchPuts(tenant, documentEntries(record)),
  ...requirementIndexWrites(tenant, record, undefined, record.requirement),
];

/** A document with all its versions (one Query of its partition), or null. */
export async function loadDocument(tenant: string, documentId: string): Promise<LoadedDocument | null> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.documentPartition(tenant, documentId) },
    ConsistentRead: true,
  });
  const meta = items.find((item) => item.entity === ENTITY.document);
  if (!meta) return null;
  const versions = items.filter((item) => item.entity === ENTITY.documentVersion).map(toVersion);
  return { record: toRecord(meta), versions };
}

async function mustLoad(tenant: string, documentId: string): Promise<LoadedDocument> {
  const loaded = await loadDocument(tenant, documentId);
  if (!loaded) throw new NotFound(`No document ${documentId}`);
  return loaded;
}

const ATTEMPTS = 3;

/**
 * Declares the next version of a document: `latestVersion + 1`, conditioned on `latestVersion`, so
 * two concurrent calls get distinct numbers (the loser reads again; after a few rounds it is a 409).
 * `prepare` builds the version from the current record (and may refuse it). A `requirement` replaces
 * the document's one (and its index entries) in the same transaction.
 */
export async function addVersion(
  tenant: string,
  documentId: string,
  prepare: (record: DocumentRecord) => Omit<DocumentVersionRecord, 'version'>,
  requirement?: Requirement,
): Promise<{ record: DocumentRecord; version: DocumentVersionRecord }> {
  for (let attempt = 1; ; attempt++) {
    const { record } = await mustLoad(tenant, documentId);
    const version = { ...prepare(record), version: record.latestVersion + 1 };
    try {
      await transactWrite([
        {
          Update: {
            TableName: table(),
            Key: keys.document(tenant, documentId),
            UpdateExpression: `SET latestVersion = :next, updatedAt = :now${requirement ? ', requirement = :requirement' : ''}`,
            ConditionExpression: 'latestVersion = :previous',
            ExpressionAttributeValues: {
              ':next': version.version,
              ':previous': record.latestVersion,
              ':now': version.createdAt,
              ...(requirement ? { ':requirement': requirement } : {}),
            },
          },
        },
        putNew(versionItem(tenant, documentId, version)),
        ...(requirement ? requirementIndexWrites(tenant, record, record.requirement, requirement) : []),
      ]);
      return {
        record: {
          ...record,
          latestVersion: version.version,
          updatedAt: version.createdAt,
          ...(requirement ? { requirement } : {}),
        },
        version,
      };
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || attempt >= ATTEMPTS) {
        if (error instanceof TransactionCancelled)
          throw new Conflict('Other versions of this document were declared at the same time: retry');
        throw error;
      }
    }
  }
}

/**
 * Marks a pending version available, once: the version item (conditioned on still being pending),
 * the META's current version when this one is newer than the available one (conditioned on that),
 * and a `document.version.available` event in the tenant's feed, in one transaction. A reader that
 * loses the race to another one finds the version available and is done.
 */
export async function markAvailable(
  tenant: string,
  documentId: string,
  versionNumber: number,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  for (let attempt = 1; ; attempt++) {
    const { record, versions } = await mustLoad(tenant, documentId);
    const version = versions.find((candidate) => candidate.version === versionNumber);
    if (!version) throw new NotFound(`Document ${documentId} has no version ${versionNumber}`);
    if (version.status === 'available') return;
    const entries: TransactEntry[] = [
      {
        Update: {
          TableName: table(),
          Key: keys.documentVersion(tenant, documentId, versionNumber),
          UpdateExpression: 'SET #status = :available, availableAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':available': 'available', ':pending': 'pending', ':at': at },
        },
      },
    ];
    if (versionNumber > (record.availableVersion ?? 0)) {
      entries.push({
        Update: {
          TableName: table(),
          Key: keys.document(tenant, documentId),
          UpdateExpression:
            'SET availableVersion = :n, contentType = :type, #size = :size, sha256 = :sha, updatedAt = :at',
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(availableVersion) OR availableVersion < :n)',
          ExpressionAttributeNames: { '#size': 'size' },
          ExpressionAttributeValues: {
            ':n': versionNumber,
            ':type': version.contentType,
            ':size': version.size,
            ':sha': version.sha256,
            ':at': at,
          },
        },
      });
    }
    entries.push(
      putNew(
        eventItem(tenant, {
          type: 'document.version.available',
          documentId,
          version: versionNumber,
          contentType: version.contentType,
          size: version.size,
          sha256: version.sha256,
          recordedAt: at,
        }),
      ),
    );
    try {
      await transactWrite(entries);
      countBusiness(BUSINESS_METRICS.documentsUploaded);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || attempt >= ATTEMPTS) throw error;
    }
  }
}

export interface DocumentRead extends LoadedDocument {
  /** The version the read answers with (available). */
  version: DocumentVersionRecord;
}

/**
 * A document at `requested` (default: its latest available version). Pending versions are checked
 * in S3 on the way (HeadObject): one whose object has the declared size (and SHA-256, when S3 keeps
 * one) becomes available; otherwise a read of that version is a 409, and a read without a version
 * falls back to the latest available one (a 409 when there is none). S3 failures are 503s.
 */
export async function readDocument(
  tenant: string,
  documentId: string,
  requested: number | undefined,
  now: Date,
): Promise<DocumentRead> {
  const loaded = await mustLoad(tenant, documentId);
  const candidates =
    requested === undefined
      ? pendingCandidates(loaded.versions)
      : [loaded.versions.find((version) => version.version === requested)].filter((version) => !!version);
  if (requested !== undefined && candidates.length === 0)
    throw new NotFound(`Document ${documentId} has no version ${requested}`);
  let refusal: { version: DocumentVersionRecord; check: UploadCheck } | undefined;
  for (const candidate of candidates) {
    if (candidate.status === 'available') return { ...loaded, version: candidate };
    const check = checkUpload(candidate, await headObject(tenant, documentId, candidate.version));
    if (check === 'available') {
      await markAvailable(tenant, documentId, candidate.version, now);
      const fresh = await mustLoad(tenant, documentId);
      return { ...fresh, version: fresh.versions.find((version) => version.version === candidate.version)! };
    }
    refusal ??= { version: candidate, check };
  }
  const fallback = requested === undefined ? latestAvailable(loaded.versions) : undefined;
  if (fallback) return { ...loaded, version: fallback };
  const { version, check } = refusal!;
  throw new Conflict(uploadProblem(documentId, version, check), [
    {
      path: 'version',
      message: `version ${version.version}: ${check === 'missing' ? 'not uploaded yet' : check}`,
    },
  ]);
}

export interface DocumentFilters {
  kind?: string;
  partNumber?: string;
}

/**
 * A page of the tenant's documents, by kind then id (creation order): the list index, or the
 * product index for an effectivity part number. Never a Scan; the cursor is bound to the query.
 */
export async function listDocuments(
  tenant: string,
  filters: DocumentFilters,
  page: { limit: number; cursor?: string },
): Promise<{ items: DocumentRecord[]; nextCursor?: string }> {
  const index = filters.partNumber === undefined ? INDEXES.list : INDEXES.product;
  const partition =
    filters.partNumber === undefined
      ? keys.documentList(tenant)
      : keys.documentsByPartNumber(tenant, filters.partNumber);
  const scope = JSON.stringify([index.name, partition, filters.kind ?? null]);
  const startKey = decodeCursor(scope, page.cursor);
  if (
    startKey !== undefined &&
    !(isIndexKeyOf(startKey, index, partition, keys.documentPartition(tenant, '')) && startKey.SK === 'META')
  ) {
    throw invalidField('query.cursor', 'is not a cursor this API issued');
  }
  const result = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
      ExpressionAttributeValues: {
        ':pk': partition,
        ':prefix': filters.kind === undefined ? 'DOC#' : `DOC#${filters.kind}#`,
      },
      ExclusiveStartKey: startKey,
      Limit: page.limit + 1,
    }),
  );
  const items = result.Items ?? [];
  const pageItems = items.slice(0, page.limit);
  const last = pageItems.at(-1);
  const hasNext = items.length > page.limit || result.LastEvaluatedKey !== undefined;
  const nextCursor = hasNext && last ? encodeCursor(scope, indexKeyOf(last, index)) : undefined;
  return { items: pageItems.map(toRecord), ...(nextCursor ? { nextCursor } : {}) };
}

/** Documents of the tenant by id (BatchGet of their META items), in the order asked; unknown ids are absent. */
export async function getDocuments(tenant: string, ids: readonly string[]): Promise<DocumentRecord[]> {
  const unique = [...new Set(ids)];
  const items = await batchGetItems(unique.map((id) => keys.document(tenant, id)));
  const byId = new Map(
    items
      .filter((item) => item.entity === ENTITY.document)
      .map((item) => [item.id as string, toRecord(item)]),
  );
  return unique.flatMap((id) => {
    const record = byId.get(id);
    return record ? [record] : [];
  });
}

/** Every document of the tenant whose effectivity names `partNumber` (one Query of the product index). */
export async function documentsByPartNumber(tenant: string, partNumber: string): Promise<DocumentRecord[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: INDEXES.product.name,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': INDEXES.product.partitionKey, '#sk': INDEXES.product.sortKey },
    ExpressionAttributeValues: { ':pk': keys.documentsByPartNumber(tenant, partNumber), ':prefix': 'DOC#' },
  });
  return items.map(toRecord);
}
