import { useState } from 'preact/hooks';
import { api } from '../api';
import { LoadMore, useShown } from '../paging';
import type { DocumentMeta, Inspection, Thread } from '../types';
import { ErrorBanner, formatTime, Notice, useAsync } from '../ui';
import { describeComponent } from './history';

export const DOCUMENT_KINDS = [
  'job-plan',
  'service-bulletin',
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

interface Upload {
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
}

async function sha256(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

const contentTypeOf = (file: File) => file.type || 'application/octet-stream';

/** The content goes straight to the bucket with the presigned URL and the headers it was signed with. */
async function put(upload: Upload, file: File) {
  const response = await fetch(upload.uploadUrl, {
    method: 'PUT',
    headers: { ...upload.uploadHeaders, 'content-type': contentTypeOf(file) },
    body: file,
  });
  if (!response.ok) throw new Error(`The upload failed (${response.status}); try again.`);
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

export function DocumentRows(props: {
  documents: Thread['documents'];
  downloadPath: (id: string) => string;
  onError: (error: unknown) => void;
  onNewVersion?: (document: DocumentMeta, file: File) => void;
}) {
  return (
    <table class="list">
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
        {props.documents.map(({ document, via, path }) => (
          <tr key={`${document.id}:${via}:${path ?? ''}`} class={via === 'effectivity' ? 'applies' : ''}>
            <td>{document.title}</td>
            <td>{document.kind}</td>
            <td>{document.availableVersion ?? document.version ?? document.latestVersion ?? ''}</td>
            <td>
              {via === 'effectivity' ? (
                <>
                  <span class="badge kind-electrical">applies by effectivity</span>{' '}
                  {effectivityText(document.effectivity)}
                  {path ? ` at ${path}` : ''}
                </>
              ) : (
                `linked${path ? ` to ${path}` : ' to the unit'}`
              )}
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
                <label class="inline">
                  <span class="sr-only">New version of {document.title}</span>
                  <input
                    type="file"
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

/** The digital thread of a twin: documents, inspections; upload and record where allowed. */
export function ThreadPanel(props: {
  base: string;
  paths: string[];
  owner?: string;
  canWrite: boolean;
  canInspect: boolean;
  /** The twin's version, for applying an inspection's discrepancies (If-Match). */
  version?: number;
  onChanged?: () => void;
}) {
  const thread = useAsync(() => api<Thread>('GET', `${props.base}/thread`), [props.base]);
  // The thread comes whole (the API does not page it): long lists are shown a page at a time.
  const documents = useShown(thread.data?.documents ?? []);
  const inspections = useShown(thread.data?.inspections ?? []);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const downloadPath = (id: string) =>
    props.owner
      ? `${props.base}/documents/${encodeURIComponent(id)}`
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

  return (
    <section aria-labelledby="thread-heading">
      <h2 id="thread-heading">Thread</h2>
      <ErrorBanner error={thread.error ?? error} onRetry={thread.reload} />
      {notice && <Notice>{notice}</Notice>}
      <h3>Documents</h3>
      {thread.data && thread.data.documents.length === 0 && <p>No documents.</p>}
      {thread.data && thread.data.documents.length > 0 && (
        <>
          <DocumentRows
            documents={documents.shown}
            downloadPath={downloadPath}
            onError={setError}
            {...(props.canWrite ? { onNewVersion: newVersion } : {})}
          />
          <LoadMore
            shown={documents.shown.length}
            total={thread.data.documents.length}
            hasMore={documents.hasMore}
            onMore={documents.more}
            noun="documents"
            testId="documents-pager"
          />
        </>
      )}
      {props.canWrite && (
        <UploadForm
          base={props.base}
          paths={props.paths}
          onDone={(title) => {
            setNotice(`"${title}" uploaded.`);
            thread.reload();
          }}
        />
      )}
      <h3>Inspections</h3>
      {thread.data && thread.data.inspections.length === 0 && <p>No inspections.</p>}
      <ul class="inspections">
        {inspections.shown.map((inspection) => (
          <li key={inspection.id}>
            <strong>{formatTime(inspection.performedAt)}</strong> by {inspection.inspector}
            {inspection.findings && <> — {inspection.findings}</>}
            <DiscrepancyList discrepancies={inspection.discrepancies} />
          </li>
        ))}
      </ul>
      {thread.data && (
        <LoadMore
          shown={inspections.shown.length}
          total={thread.data.inspections.length}
          hasMore={inspections.hasMore}
          onMore={inspections.more}
          noun="inspections"
          testId="inspections-pager"
        />
      )}
      {props.canInspect && (
        <InspectionForm
          base={props.base}
          paths={props.paths}
          {...(props.canWrite && props.version !== undefined ? { version: props.version } : {})}
          onDone={thread.reload}
          onChanged={props.onChanged ?? thread.reload}
        />
      )}
    </section>
  );
}

function UploadForm(props: { base: string; paths: string[]; onDone: (title: string) => void }) {
  const [kind, setKind] = useState('job-plan');
  const [title, setTitle] = useState('');
  const [position, setPosition] = useState('');
  const [file, setFile] = useState<File>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="row no-print"
      aria-label="Add a document"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!file) return;
        setBusy(true);
        setError(undefined);
        try {
          const created = await api<Upload & { document: DocumentMeta }>('POST', '/v1/documents', {
            body: {
              kind,
              title,
              contentType: contentTypeOf(file),
              size: file.size,
              sha256: await sha256(file),
            },
          });
          await put(created, file);
          await api('POST', `${props.base}/links`, {
            body: { documentId: created.document.id, ...(position ? { position } : {}) },
          });
          setTitle('');
          props.onDone(created.document.title);
        } catch (caught) {
          setError(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
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
        <select value={position} onChange={(event) => setPosition(event.currentTarget.value)}>
          <option value="">the whole unit</option>
          {props.paths.map((path) => (
            <option key={path}>{path}</option>
          ))}
        </select>
      </label>
      <label>
        File
        <input type="file" required onChange={(event) => setFile(event.currentTarget.files?.[0])} />
      </label>
      <button type="submit" disabled={busy}>
        Upload
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}

function InspectionForm(props: {
  base: string;
  paths: string[];
  /** Present when the user may apply discrepancies: the version they were judged against. */
  version?: number;
  onDone: () => void;
  onChanged: () => void;
}) {
  const [inspector, setInspector] = useState('');
  const [findings, setFindings] = useState('');
  const [path, setPath] = useState(props.paths[0] ?? '');
  const [serial, setSerial] = useState('');
  const [software, setSoftware] = useState('');
  const [empty, setEmpty] = useState(false);
  const [apply, setApply] = useState(false);
  const [applied, setApplied] = useState<number>();
  const [result, setResult] = useState<Inspection['discrepancies']>();
  const [error, setError] = useState<unknown>();
  return (
    <form
      class="no-print"
      aria-label="Record an inspection"
      onSubmit={async (event) => {
        event.preventDefault();
        setError(undefined);
        try {
          const observed = {
            path,
            ...(empty ? { serialNumber: null } : serial ? { serialNumber: serial } : {}),
            ...(software && !empty ? { softwareVersion: software } : {}),
          };
          const applying = apply && props.version !== undefined;
          setApplied(undefined);
          const answer = await api<{
            discrepancies: Inspection['discrepancies'];
            twin?: { version: number };
          }>('POST', `${props.base}/inspections`, {
            ...(applying ? { query: { apply: 'true' }, ifMatch: props.version } : {}),
            body: {
              performedAt: new Date().toISOString(),
              inspector,
              ...(findings ? { findings } : {}),
              observed: [observed],
            },
          });
          setResult(answer.discrepancies ?? []);
          props.onDone();
          if (answer.twin) {
            setApplied(answer.twin.version);
            props.onChanged();
          }
        } catch (caught) {
          setError(caught);
          // The inspection is recorded even when its change set is refused.
          props.onDone();
        }
      }}
    >
      <fieldset>
        <legend>Record an inspection</legend>
        <div class="row">
          <label>
            Inspector
            <input required value={inspector} onInput={(event) => setInspector(event.currentTarget.value)} />
          </label>
          <label>
            Findings
            <input value={findings} onInput={(event) => setFindings(event.currentTarget.value)} />
          </label>
          <label>
            Position inspected
            <select value={path} onChange={(event) => setPath(event.currentTarget.value)}>
              {props.paths.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </select>
          </label>
          <label>
            Serial number found
            <input
              value={serial}
              disabled={empty}
              onInput={(event) => setSerial(event.currentTarget.value)}
            />
          </label>
          <label>
            Software version found
            <input
              value={software}
              disabled={empty}
              onInput={(event) => setSoftware(event.currentTarget.value)}
            />
          </label>
          <label class="inline">
            <input
              type="checkbox"
              checked={empty}
              onChange={(event) => setEmpty(event.currentTarget.checked)}
            />
            Found empty
          </label>
          {props.version !== undefined && (
            <label class="inline">
              <input
                type="checkbox"
                checked={apply}
                onChange={(event) => setApply(event.currentTarget.checked)}
              />
              Apply the discrepancies to the configuration
            </label>
          )}
          <button type="submit" class="primary">
            Record inspection
          </button>
        </div>
      </fieldset>
      <ErrorBanner error={error} onRetry={error ? props.onChanged : undefined} />
      {result && (
        <div class="panel" role="status" data-testid="inspection-result">
          <strong>Inspection recorded.</strong>
          {applied !== undefined && <> Applied to the configuration (now version {applied}).</>}
          <DiscrepancyList discrepancies={result} />
        </div>
      )}
    </form>
  );
}
