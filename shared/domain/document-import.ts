import type { Requirement } from '../schemas/compliance';
import type { ComplianceRecordData } from './compliance';
import type { DocumentRecord, DocumentVersionRecord } from './document';
import { toUtc } from './time';

/**
 * What an import restores of another tenant's documents: each document once per importing tenant
 * (its copy, named by an import marker), and the compliance records that point at them. Pure.
 */

/** A document as an import writes it: its metadata, and a first version whose content is still to come. */
export interface ImportedDocument {
  record: DocumentRecord & { importedFrom: { tenant: string; documentId: string } };
  version: DocumentVersionRecord;
}

/** The metadata of a document as an export carries it (a twin line's `documents[i]`, a document line). */
export interface ExportedDocument {
  id: string;
  kind: string;
  title: string;
  effectivity?: DocumentRecord['effectivity'];
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  createdBy?: string;
  updatedAt?: string;
  requirement?: Requirement;
}

/** The copy of a source document, or undefined when this tenant has none (yet). */
export type CopyOf = (sourceDocumentId: string) => string | undefined;

/**
 * The copy of an exported document under `copyId`: metadata, effectivity, requirement and times as
 * the source recorded them, and one pending version (the content stays with the source: it is
 * uploaded again as a new version). The documents the requirement supersedes are their copies; one
 * without a copy is left out, with a note.
 */
export function documentCopy(
  document: ExportedDocument,
  copyId: string,
  context: { sourceTenant: string; createdBy: string; copyOf: CopyOf },
): { copy: ImportedDocument; notes: string[] } {
  const { requirement } = document;
  const notes: string[] = [];
  const createdAt = toUtc(document.createdAt);
  const createdBy = document.createdBy ?? context.createdBy;
  const supersedes = (requirement?.supersedes ?? []).flatMap((id) => {
    const copy = context.copyOf(id);
    if (!copy)
      notes.push(
        `document ${document.id}: superseded document ${id} is not imported here, left out of its requirement`,
      );
    return copy ? [copy] : [];
  });
  const copied =
    requirement === undefined
      ? undefined
      : {
          ...requirement,
          effectiveAt: toUtc(requirement.effectiveAt),
          ...(requirement.supersedes === undefined ? {} : { supersedes }),
        };
  return {
    copy: {
      // the fields a document holds, named one by one: anything else an export line carries stays out
      record: {
        id: copyId,
        kind: document.kind as DocumentRecord['kind'],
        title: document.title,
        ...(document.effectivity === undefined ? {} : { effectivity: document.effectivity }),
        ...(copied === undefined ? {} : { requirement: copied }),
        contentType: document.contentType,
        size: document.size,
        sha256: document.sha256,
        latestVersion: 1,
        createdAt,
        createdBy,
        updatedAt: toUtc(document.updatedAt ?? document.createdAt),
        importedFrom: { tenant: context.sourceTenant, documentId: document.id },
      },
      version: {
        version: 1,
        contentType: document.contentType,
        size: document.size,
        sha256: document.sha256,
        status: 'pending',
        createdAt,
        createdBy,
      },
    },
    notes,
  };
}

/**
 * A unit's compliance records as its copy holds them: on the copy (`twinId`), naming the copies of
 * their documents and evidence. Ids, times (`at`, `recordedAt`), `corrects` (a record id, kept) and
 * actors stay as recorded, so `asOf`/`knownAt` reads answer as in the source. A record whose
 * document has no copy here is left out, an evidence without one dropped, each with a note.
 */
export function complianceRecordsOfCopy(
  records: readonly ComplianceRecordData[],
  twinId: string,
  copyOf: CopyOf,
): { records: ComplianceRecordData[]; notes: string[] } {
  const notes: string[] = [];
  const copied = records.flatMap((record) => {
    const documentId = copyOf(record.documentId);
    if (!documentId) {
      notes.push(`record ${record.id}: document ${record.documentId} is not imported here, left out`);
      return [];
    }
    const evidence = record.evidence.flatMap((id) => {
      const copy = copyOf(id);
      if (!copy) notes.push(`record ${record.id}: evidence ${id} is not imported here, left out`);
      return copy ? [copy] : [];
    });
    return [
      {
        ...record,
        twinId,
        documentId,
        evidence,
        at: toUtc(record.at),
        recordedAt: toUtc(record.recordedAt),
      },
    ];
  });
  return { records: copied, notes };
}
