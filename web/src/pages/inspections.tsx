import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { afterTime } from '../markers';
import { LoadMore } from '../paging';
import { loadSession } from '../session';
import { findNode, NESTED } from '../tree';
import type { TwinContext } from '../twin-context';
import type { Component, Inspection, TreeNode } from '../types';
import { ErrorBanner, formatTime, fromLocalInput, TimeInput } from '../ui';
import { describeComponent } from './history';
import { createDocument, DiscrepancyList } from './thread';

/** What the inspector marks at each position of the walk. */
export const FINDINGS = {
  found: 'as recorded',
  missing: 'missing',
  serial: 'other serial',
  version: 'other version',
  skipped: 'not checked',
} as const;
type Finding = keyof typeof FINDINGS;

interface Mark {
  finding: Finding;
  value: string;
}

type Observation = {
  path: string;
  serialNumber?: string | null;
  partNumber?: string;
  softwareVersion?: string;
};

/** The positions of a subtree that hold something or could (groups carry nothing to find). */
export function walk(node: TreeNode | undefined, nodes: TreeNode[]): TreeNode[] {
  const roots = node ? [node] : nodes;
  const out: TreeNode[] = [];
  const visit = (list: TreeNode[]) => {
    for (const item of list) {
      if (item.path.includes(NESTED)) continue;
      if (item.component || item.children.length === 0) out.push(item);
      visit(item.children);
    }
  };
  visit(roots);
  return out;
}

/** One position's mark as the API's observation; undefined: not checked. */
export function observationOf(path: string, recorded: Component | null, mark: Mark): Observation | undefined {
  const value = mark.value.trim();
  switch (mark.finding) {
    case 'skipped':
      return undefined;
    case 'missing':
      return { path, serialNumber: null };
    case 'serial':
      return { path, serialNumber: value, ...(recorded ? { partNumber: recorded.partNumber } : {}) };
    case 'version':
      return {
        path,
        ...(recorded?.serialNumber ? { serialNumber: recorded.serialNumber } : {}),
        ...(recorded ? { partNumber: recorded.partNumber } : {}),
        softwareVersion: value,
      };
    case 'found':
      if (!recorded) return { path, serialNumber: null };
      return {
        path,
        partNumber: recorded.partNumber,
        ...(recorded.serialNumber ? { serialNumber: recorded.serialNumber } : {}),
        ...(recorded.softwareVersion ? { softwareVersion: recorded.softwareVersion } : {}),
      };
  }
}

const nowInput = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

/** The Inspections tab: the inspections up to the replayed time (later ones marked) and the walk form. */
export function InspectionsPanel(props: { context: TwinContext }) {
  const { context } = props;
  const thread = context.thread;
  return (
    <section aria-labelledby="inspections-heading">
      <h2 id="inspections-heading">Inspections</h2>
      <ErrorBanner error={thread.error} onRetry={thread.reload} />
      {thread.data && thread.inspections.length === 0 && <p>No inspections.</p>}
      <ol class="inspections" aria-label="Inspections, latest first">
        {[...thread.inspections]
          .sort((a, b) => Date.parse(b.performedAt) - Date.parse(a.performedAt))
          .map((inspection) => (
            <InspectionEntry key={inspection.id} inspection={inspection} context={context} />
          ))}
      </ol>
      {thread.data && (
        <LoadMore
          shown={thread.inspections.length}
          total={thread.hasMoreInspections ? undefined : thread.inspections.length}
          hasMore={thread.hasMoreInspections}
          loading={thread.loading}
          onMore={thread.more}
          noun="inspections"
          testId="inspections-pager"
        />
      )}
      {context.canInspect && <InspectionForm key={context.node?.path ?? ''} context={context} />}
    </section>
  );
}

function InspectionEntry(props: { inspection: Inspection; context: TwinContext }) {
  const { inspection } = props;
  const later = afterTime(props.context.time, inspection.performedAt, inspection.recordedAt);
  return (
    <li class={later ? 'later' : ''}>
      <strong>{formatTime(inspection.performedAt)}</strong> by {inspection.inspector}
      {inspection.recordedAt && <span class="muted"> · recorded {formatTime(inspection.recordedAt)}</span>}
      {later && <span class="badge later-badge">after the replayed time</span>}
      {inspection.findings && <> — {inspection.findings}</>}
      <div class="muted">
        Checked {inspection.observed.length} position(s):{' '}
        {inspection.observed.map((item) => item.path).join(', ')}
        {inspection.documents?.length ? ` · ${inspection.documents.length} photo(s) or report(s)` : ''}
      </div>
      <DiscrepancyList discrepancies={inspection.discrepancies} />
    </li>
  );
}

/**
 * Walk a subtree and mark every position: found as recorded, missing, another serial, another
 * version, or not checked; when it was performed (editable), by whom (the signed-in user), photos
 * in the same submission; one inspection of the whole walk.
 */
function InspectionForm(props: { context: TwinContext }) {
  const { context } = props;
  const [root, setRoot] = useState(
    context.node && !context.node.path.includes(NESTED) ? context.node.path : '',
  );
  const rootNode = root ? findNode(context.configuration, root) : undefined;
  const positions = useMemo(() => walk(rootNode, context.configuration), [rootNode, context.configuration]);
  const [marks, setMarks] = useState<Record<string, Mark>>({});
  const [inspector, setInspector] = useState(loadSession()?.sub ?? '');
  const [performedAt, setPerformedAt] = useState(nowInput);
  const [findings, setFindings] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [apply, setApply] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{
    discrepancies: Inspection['discrepancies'];
    checked: string[];
    applied?: number;
  }>();
  const [error, setError] = useState<unknown>();
  const markOf = (path: string): Mark => marks[path] ?? { finding: 'found', value: '' };
  const setMark = (path: string, mark: Partial<Mark>) =>
    setMarks({ ...marks, [path]: { ...markOf(path), ...mark } });
  const mayApply = context.canWrite && !context.owner;
  const mayAttach = !context.owner;
  // the choices of a subtree root: the unit, its top two levels and the selected position
  const roots = useMemo(() => {
    const out: string[] = [];
    for (const top of context.configuration) {
      if (top.path.includes(NESTED)) continue;
      out.push(top.path);
      for (const child of top.children) if (!child.path.includes(NESTED)) out.push(child.path);
    }
    if (root && !out.includes(root)) out.push(root);
    return out;
  }, [context.configuration, root]);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const observed = positions
        .map((node) => observationOf(node.path, node.component, markOf(node.path)))
        .filter((item): item is Observation => item !== undefined);
      const documents: string[] = [];
      for (const photo of photos) {
        const created = await createDocument(
          { kind: 'inspection-report', title: `Inspection photo ${photo.name}` },
          photo,
        );
        documents.push(created.id);
        if (context.canWrite)
          await api('POST', `${context.base}/links`, {
            body: { documentId: created.id, ...(root ? { position: root } : {}) },
          });
      }
      const applying = apply && mayApply;
      const answer = await api<{ discrepancies: Inspection['discrepancies']; twin?: { version: number } }>(
        'POST',
        `${context.base}/inspections`,
        {
          ...(applying ? { query: { apply: 'true' }, ifMatch: context.twin.version } : {}),
          body: {
            performedAt: fromLocalInput(performedAt) || performedAt,
            inspector,
            ...(findings ? { findings } : {}),
            observed,
            ...(documents.length ? { documents } : {}),
          },
        },
      );
      setResult({
        discrepancies: answer.discrepancies ?? [],
        checked: observed.map((item) => item.path),
        ...(answer.twin ? { applied: answer.twin.version } : {}),
      });
      setPhotos([]);
      if (answer.twin) context.reload();
      else context.thread.reload();
    } catch (caught) {
      setError(caught);
      context.thread.reload();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="no-print inspection-form" aria-label="Record an inspection" onSubmit={submit}>
      <fieldset>
        <legend>Record an inspection</legend>
        <div class="row">
          <label>
            Inspect
            <select value={root} onChange={(event) => setRoot(event.currentTarget.value)}>
              <option value="">the whole unit</option>
              {roots.map((path) => (
                <option key={path} value={path}>
                  {path} and below
                </option>
              ))}
            </select>
          </label>
          <label>
            Inspector
            <input required value={inspector} onInput={(event) => setInspector(event.currentTarget.value)} />
          </label>
          <TimeInput label="Performed at (UTC)" required value={performedAt} onValue={setPerformedAt} />
          <label>
            Findings
            <input value={findings} onInput={(event) => setFindings(event.currentTarget.value)} />
          </label>
          {mayAttach && (
            <label>
              Photos
              <input
                type="file"
                multiple
                accept="image/*,application/pdf"
                onChange={(event) => setPhotos([...(event.currentTarget.files ?? [])])}
              />
            </label>
          )}
        </div>
        <table class="list walk" data-testid="inspection-walk">
          <caption>
            {positions.length} position(s) {root ? `under ${root}` : 'of the unit'}: mark what you found
          </caption>
          <thead>
            <tr>
              <th scope="col">Position</th>
              <th scope="col">Recorded</th>
              <th scope="col">Found</th>
              <th scope="col">Serial or version found</th>
            </tr>
          </thead>
          <tbody>
            {positions.map((node) => {
              const mark = markOf(node.path);
              const asks = mark.finding === 'serial' || mark.finding === 'version';
              return (
                <tr key={node.path} data-path={node.path}>
                  <th scope="row">
                    <code>{node.path}</code>
                  </th>
                  <td>{describeComponent(node.component)}</td>
                  <td>
                    <select
                      aria-label={`Found at ${node.path}`}
                      value={mark.finding}
                      onChange={(event) =>
                        setMark(node.path, { finding: event.currentTarget.value as Finding })
                      }
                    >
                      {(Object.keys(FINDINGS) as Finding[])
                        .filter(
                          (finding) => node.component || ['found', 'serial', 'skipped'].includes(finding),
                        )
                        .map((finding) => (
                          <option key={finding} value={finding}>
                            {!node.component && finding === 'found'
                              ? 'empty, as recorded'
                              : FINDINGS[finding]}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td>
                    {asks && (
                      <input
                        required
                        aria-label={`${mark.finding === 'serial' ? 'Serial' : 'Software version'} found at ${node.path}`}
                        value={mark.value}
                        onInput={(event) => setMark(node.path, { value: event.currentTarget.value })}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div class="row">
          {mayApply && (
            <label class="inline">
              <input
                type="checkbox"
                checked={apply}
                onChange={(event) => setApply(event.currentTarget.checked)}
              />
              Apply the discrepancies to the configuration
            </label>
          )}
          <button type="submit" class="primary" aria-busy={busy ? 'true' : 'false'}>
            Record inspection
          </button>
        </div>
      </fieldset>
      <ErrorBanner error={error} onRetry={error ? context.reload : undefined} />
      {result && (
        <div class="panel" role="status" data-testid="inspection-result">
          <strong>Inspection recorded.</strong>
          {result.applied !== undefined && <> Applied to the configuration (now version {result.applied}).</>}
          {result.discrepancies && result.discrepancies.length > 0 ? (
            <DiscrepancyList discrepancies={result.discrepancies} />
          ) : (
            <p>
              Clean: {result.checked.length} position(s) checked, all as recorded —{' '}
              {result.checked.join(', ')}.
            </p>
          )}
        </div>
      )}
    </form>
  );
}
