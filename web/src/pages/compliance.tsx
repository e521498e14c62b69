import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import type { TwinContext } from '../twin-context';
import { ErrorBanner, formatTime, Notice, useAsync } from '../ui';

interface RequirementCompliance {
  documentId: string;
  kind: string;
  title: string;
  mandatory: boolean;
  status: string;
  derived: boolean;
  lastDone: string | null;
  nextDue: { at?: string; FH?: number; FC?: number } | null;
  embodiedAt?: string[];
}

const dueText = (due: RequirementCompliance['nextDue']) =>
  !due ? '' : due.at ? formatTime(due.at) : due.FH !== undefined ? `${due.FH} FH` : `${due.FC} FC`;

/**
 * The unit's compliance with the bulletins and directives that apply to it, at the time the page
 * shows: status (derived from the configuration, or recorded), last done, next due; a technician
 * records a manual compliance of one of them.
 */
export function CompliancePanel(props: { context: TwinContext }) {
  const { twin, time, canChange } = props.context;
  const url = `/v1/twins/${encodeURIComponent(twin.id)}/compliance`;
  const read = useAsync(
    () =>
      api<{ items: RequirementCompliance[] }>('GET', url, {
        query: { asOf: time.asOf, knownAt: time.knownAt },
      }).catch((error: unknown) => {
        // a view that does not show compliance answers 404: the panel is then left out
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
    [twin.id, twin.version, time.asOf, time.knownAt],
  );
  const [recording, setRecording] = useState<string | undefined>();
  const [status, setStatus] = useState('complied');
  const [reason, setReason] = useState('');
  const [saved, setSaved] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  if (read.data === null) return null;
  const record = async (documentId: string) => {
    setError(undefined);
    try {
      await api('POST', url, {
        body: {
          documentId,
          status,
          at: new Date().toISOString(),
          ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
        },
      });
      setSaved(`Recorded ${status}`);
      setRecording(undefined);
      read.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const items = read.data?.items ?? [];
  return (
    <section class="panel" aria-labelledby="compliance-heading">
      <h2 id="compliance-heading">Compliance</h2>
      <ErrorBanner error={read.error ?? error} onRetry={read.reload} />
      {saved && <Notice>{saved}</Notice>}
      {read.data && items.length === 0 && <p class="muted">No bulletin or directive applies to this unit.</p>}
      {items.length > 0 && (
        <table aria-label="Requirements">
          <thead>
            <tr>
              <th>Document</th>
              <th>Status</th>
              <th>Last done</th>
              <th>Next due</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.documentId} data-document={item.documentId}>
                <td>
                  {item.title} <span class="muted">{item.kind}</span>
                  {item.mandatory && <span class="muted"> mandatory</span>}
                </td>
                <td>
                  <span class={`badge compliance-${item.status}`} data-testid="compliance-status">
                    {item.status}
                  </span>
                  {item.derived && (
                    <span class="muted"> by configuration ({item.embodiedAt?.join(', ')})</span>
                  )}
                </td>
                <td>{formatTime(item.lastDone ?? undefined)}</td>
                <td>{dueText(item.nextDue)}</td>
                <td>
                  {canChange && recording !== item.documentId && (
                    <button type="button" onClick={() => setRecording(item.documentId)}>
                      Record
                    </button>
                  )}
                  {recording === item.documentId && (
                    <form
                      onSubmit={(event) => {
                        event.preventDefault();
                        void record(item.documentId);
                      }}
                    >
                      <label>
                        Status{' '}
                        <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
                          <option value="complied">complied</option>
                          <option value="not-applicable">not applicable</option>
                          <option value="deferred">deferred</option>
                        </select>
                      </label>{' '}
                      <label>
                        Reason{' '}
                        <input value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
                      </label>{' '}
                      <button type="submit">Save</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
