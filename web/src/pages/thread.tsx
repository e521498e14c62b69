import { useState } from 'preact/hooks';
import { api } from '../api';
import { LoadMore, useShown } from '../paging';
import type { TwinContext } from '../twin-context';
import type { DocumentMeta, Inspection, Thread } from '../types';
import { ErrorBanner, formatTime, Notice } from '../ui';
import { describeComponent } from './history';

export const DOCUMENT_KINDS = [
  'job-plan',
  'service-bulletin',
  'airworthiness-directive',
  'manual',
  'certificate',
  'requirement',
  'change-order',
  'inspection-report',
  'sensor-data',
  'cad',
  'simulation',
  'other',
];

export interface Upload {
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
}

export async function sha256(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const contentTypeOf = (file: File) => file.type || 'application/octet-stream';

/** The content goes straight to the bucket with the presigned URL and the headers it was signed with. */
export async function put(upload: Upload, file: File) {
  const response = await fetch(upload.uploadUrl, {
    method: 'PUT',
    headers: { ...upload.uploadHeaders, 'content-type': contentTypeOf(file) },
    body: file,
  });
  if (!response.ok) throw new Error(`The upload failed (${response.status}); try again.`);
}

/** A new document with its content: declared (`POST /v1/documents`), then PUT with the presigned URL. */
export async function createDocument(
  fields: { kind: string; title: string; effectivity?: DocumentMeta['effectivity'] },
  file: File,
): Promise<DocumentMeta> {
  const created = await api<Upload & { document: DocumentMeta }>('POST', '/v1/documents', {
    body: { ...fields, contentType: contentTypeOf(file), size: file.size, sha256: await sha256(file) },
  });
  await put(created, file);
  return created.document;
}

export const effectivityText = (effectivity: DocumentMeta['effectivity']) =>
  effectivity
    ? [
        effectivity.partNumber,
        effectivity.revisions && `revisions ${effectivity.revisions.join(', ')}`,
        effectivity.softwareVersions && `software ${effectivity.softwareVersions}`,
      ]
        .filter(Boolean)
        .join(' · ')
    : '';

/** Saves a document through its short-lived URL: it answers an attachment, so this page stays. */
export async function download(path: string) {
  const { downloadUrl } = await api<{ downloadUrl: string }>('GET', path);
  location.assign(downloadUrl);
}

/** One document with every reason it is in the thread (links and positions it applies at). */
export interface DocumentEntry {
  document: DocumentMeta;
  linked: string[];
  applies: string[];
}

const UNIT = 'the unit';

/** The thread lists a document once per reason; people read it once, with all its reasons. */
export function byDocument(documents: Thread['documents']): DocumentEntry[] {
  const entries = new Map<string, DocumentEntry>();
  for (const { document, via, path } of documents) {
    const entry = entries.get(document.id) ?? { document, linked: [], applies: [] };
    entries.set(document.id, entry);
    const list = via === 'effectivity' ? entry.applies : entry.linked;
    const where = path ?? UNIT;
    if (!list.includes(where)) list.push(where);
  }
  return [...entries.values()];
}

export function DocumentRows(props: {
  documents: Thread['documents'];
  downloadPath: (id: string) => string;
  onError: (error: unknown) => void;
  onNewVersion?: (document: DocumentMeta, file: File) => void;
}) {
  const entries = byDocument(props.documents);
  return (
    <table class="list" data-testid="documents">
      <caption class="sr-only">Documents</caption>
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Kind</th>
          <th scope="col">Version</th>
          <th scope="col">Why it is here</th>
          <th scope="col" class="no-print">
            Actions
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(({ document, linked, applies }) => (
          <tr key={document.id} class={applies.length > 0 ? 'applies' : ''}>
            <td>{document.title}</td>
            <td>{document.kind}</td>
            <td>{document.availableVersion ?? document.version ?? document.latestVersion ?? ''}</td>
            <td>
              {applies.length > 0 && (
                <div>
                  <span class="badge kind-electrical">applies by effectivity</span>{' '}
                  {effectivityText(document.effectivity)} at {applies.join(', ')}
                </div>
              )}
              {linked.length > 0 && <div>linked to {linked.join(', ')}</div>}
            </td>
            <td class="no-print">
              <button
                type="button"
                class="link"
                onClick={() => download(props.downloadPath(document.id)).catch(props.onError)}
              >
                Download {document.title}
              </button>
              {props.onNewVersion && (
                <label class="file-button">
                  Upload a new version
                  <input
                    type="file"
                    class="sr-only"
                    aria-label={`New version of ${document.title}`}
                    onChange={(event) => {
                      const file = event.currentTarget.files?.[0];
                      if (file) props.onNewVersion?.(document, file);
                      event.currentTarget.value = '';
                    }}
                  />
                </label>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const DiscrepancyList = (props: { discrepancies: Inspection['discrepancies'] }) =>
  props.discrepancies && props.discrepancies.length > 0 ? (
    <ul class="discrepancies">
      {props.discrepancies.map((item) => (
        <li key={`${item.path}:${item.kind}`}>
          <code>{item.path}</code> <strong>{item.kind}</strong>: expected{' '}
          {describeComponent(item.expected as never)}, found {describeComponent(item.observed as never)}
        </li>
      ))}
    </ul>
  ) : (
    <p class="muted">No discrepancies.</p>
  );

/** The Thread tab: the documents of the unit at the replayed time; upload and new versions where allowed. */
export function ThreadPanel(props: { context: TwinContext }) {
  const { context } = props;
  const thread = context.thread;
  const entries = byDocument(thread.data?.documents ?? []);
  const documents = useShown(entries);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const canWrite = context.canWrite && !context.time.asOf && !context.time.knownAt;
  const downloadPath = (id: string) =>
    context.owner
      ? `${context.base}/documents/${encodeURIComponent(id)}`
      : `/v1/documents/${encodeURIComponent(id)}`;

  async function newVersion(document: DocumentMeta, file: File) {
    setError(undefined);
    try {
      const created = await api<Upload & { version: number }>(
        'POST',
        `/v1/documents/${document.id}/versions`,
        {
          body: { contentType: contentTypeOf(file), size: file.size, sha256: await sha256(file) },
        },
      );
      await put(created, file);
      setNotice(`Version ${created.version} of "${document.title}" uploaded.`);
      thread.reload();
    } catch (caught) {
      setError(caught);
    }
  }
  const shownIds = new Set(documents.shown.map((entry) => entry.document.id));

  return (
    <section aria-labelledby="thread-heading">
      <h2 id="thread-heading">Thread</h2>
      <ErrorBanner error={thread.error ?? error} onRetry={thread.reload} />
      {notice && <Notice>{notice}</Notice>}
      <h3>Documents{context.time.asOf ? ` applying on ${formatTime(context.time.asOf)}` : ''}</h3>
      {thread.data && entries.length === 0 && <p>No documents.</p>}
      {entries.length > 0 && (
        <>
          <DocumentRows
            documents={(thread.data?.documents ?? []).filter((item) => shownIds.has(item.document.id))}
            downloadPath={downloadPath}
            onError={setError}
            {...(canWrite ? { onNewVersion: newVersion } : {})}
          />
          <LoadMore
            shown={documents.shown.length}
            total={entries.length}
            hasMore={documents.hasMore}
            onMore={documents.more}
            noun="documents"
            testId="documents-pager"
          />
        </>
      )}
      {canWrite && (
        <UploadForm
          base={context.base}
          {...(context.node ? { selected: context.node.path } : {})}
          onDone={(title) => {
            setNotice(`"${title}" uploaded.`);
            thread.reload();
          }}
        />
      )}
    </section>
  );
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * A new document: kind, title, file, what it is linked to (the unit or the selected position), and
 * for a bulletin its effectivity (part number, revisions, software range) so that it finds its units.
 */
function UploadForm(props: { base: string; selected?: string; onDone: (title: string) => void }) {
  const [kind, setKind] = useState('job-plan');
  const [title, setTitle] = useState('');
  const [link, setLink] = useState('unit');
  const [file, setFile] = useState<File>();
  const [partNumber, setPartNumber] = useState('');
  const [revisions, setRevisions] = useState('');
  const [softwareVersions, setSoftwareVersions] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const effectivity = partNumber.trim()
    ? {
        partNumber: partNumber.trim(),
        ...(list(revisions).length ? { revisions: list(revisions) } : {}),
        ...(softwareVersions.trim() ? { softwareVersions: softwareVersions.trim() } : {}),
      }
    : undefined;
  return (
    <form
      class="no-print"
      aria-label="Add a document"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!file) return;
        setBusy(true);
        setError(undefined);
        try {
          const created = await createDocument(
            { kind, title, ...(effectivity ? { effectivity } : {}) },
            file,
          );
          if (link !== 'none')
            await api('POST', `${props.base}/links`, {
              body: {
                documentId: created.id,
                ...(link === 'position' && props.selected ? { position: props.selected } : {}),
              },
            });
          setTitle('');
          props.onDone(created.title);
        } catch (caught) {
          setError(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset>
        <legend>Add a document</legend>
        <div class="row">
          <label>
            Kind
            <select value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
              {DOCUMENT_KINDS.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Title
            <input required value={title} onInput={(event) => setTitle(event.currentTarget.value)} />
          </label>
          <label>
            Link to
            <select value={link} onChange={(event) => setLink(event.currentTarget.value)}>
              <option value="unit">the whole unit</option>
              {props.selected && <option value="position">the selected position {props.selected}</option>}
              {effectivity && <option value="none">no link: it applies by effectivity</option>}
            </select>
          </label>
          <label>
            File
            <input type="file" required onChange={(event) => setFile(event.currentTarget.files?.[0])} />
          </label>
        </div>
        <fieldset>
          <legend>Effectivity (a bulletin: which units it applies to)</legend>
          <div class="row">
            <label>
              Effective part number
              <input value={partNumber} onInput={(event) => setPartNumber(event.currentTarget.value)} />
            </label>
            <label>
              Revisions (comma-separated)
              <input value={revisions} onInput={(event) => setRevisions(event.currentTarget.value)} />
            </label>
            <label>
              Software versions (semver range)
              <input
                value={softwareVersions}
                placeholder=">=5.0.0 <5.3.0"
                onInput={(event) => setSoftwareVersions(event.currentTarget.value)}
              />
            </label>
          </div>
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>
          Upload
        </button>
      </fieldset>
      <ErrorBanner error={error} />
    </form>
  );
}
