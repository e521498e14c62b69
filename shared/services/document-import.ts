import { documentCopy, type ExportedDocument } from '../domain/document-import';
import { ulid } from '../ids';
import { documentCopies, putDocumentCopy } from '../store/document-copies';

/**
 * Restores the documents an export describes, each ONCE per importing tenant: a document this tenant
 * holds a copy of (its import marker) keeps that copy; the others are copied in the order given (a
 * superseded document before its superseders: their requirement names its copy), each copy with its
 * marker and requirement index in one transaction. Concurrent imports of the same document end with
 * one copy (the marker's condition; the loser links to the winner's). Answers the copy of every
 * document by source id, how many this call wrote, and the notes of those it wrote.
 */
export async function restoreDocuments(
  tenant: string,
  sourceTenant: string,
  documents: readonly ExportedDocument[],
  createdBy: string,
): Promise<{ copies: Map<string, string>; created: number; notes: string[] }> {
  const copies = await documentCopies(
    tenant,
    sourceTenant,
    documents.flatMap((document) => [document.id, ...(document.requirement?.supersedes ?? [])]),
  );
  const notes: string[] = [];
  let created = 0;
  for (const document of documents) {
    if (copies.has(document.id)) continue;
    // a copy's id carries its source's creation time: lists by id keep the source's creation order
    const planned = documentCopy(document, ulid(Date.parse(document.createdAt)), {
      sourceTenant,
      createdBy,
      copyOf: (id) => copies.get(id),
    });
    const written = await putDocumentCopy(tenant, planned.copy);
    copies.set(document.id, written.copyId);
    if (!written.created) continue;
    created++;
    notes.push(...planned.notes);
  }
  return { copies, created, notes };
}
