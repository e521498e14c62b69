import { api } from '../api';
import { href } from '../router';
import type { Component, Discrepancy, Inspection, Thread } from '../types';
import { ErrorBanner, formatTime, KindBadge, Link, useAsync } from '../ui';
import { DiscrepancyList, DocumentRows } from './thread';
import { AllowedAlternatives, LifeRemaining } from './work-package-extras';

interface WorkPackage {
  twinId: string;
  serialNumber: string;
  position: string;
  installed: { path: string; component: Component | null }[];
  documents: Thread['documents'];
  lastInspection: Inspection | null;
  openDiscrepancies: Discrepancy[];
  /** Absent through a view that does not show usage (or conformance). */
  lifeRemaining?: Parameters<typeof LifeRemaining>[0]['lives'];
  allowedAlternatives?: Parameters<typeof AllowedAlternatives>[0]['alternatives'];
}

/** What a crew needs at a position, on one printable page. */
export function WorkPackagePage(props: { id: string; position: string; owner?: string }) {
  const twinPath = props.owner ? href('shared', props.owner, props.id) : href('twins', props.id);
  const apiPath = props.owner
    ? href('v1', 'shared', 'twins', props.owner, props.id)
    : href('v1', 'twins', props.id);
  const pack = useAsync(
    () => api<WorkPackage>('GET', `${apiPath}/work-package`, { query: { position: props.position } }),
    [apiPath, props.position],
  );
  const data = pack.data;
  return (
    <section class="work-package">
      <ErrorBanner error={pack.error} onRetry={pack.reload} />
      {data && (
        <>
          <p class="no-print">
            <Link href={twinPath}>← back to {data.serialNumber}</Link>{' '}
            <button type="button" class="primary" onClick={() => window.print()}>
              Print
            </button>
          </p>
          <h1>
            Work package: {data.serialNumber} · {data.position}
          </h1>
          <p class="muted">Printed from twinthread on {formatTime(new Date().toISOString())}</p>
          <h2>Installed</h2>
          <table class="list">
            <caption class="sr-only">Installed components in this subtree</caption>
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Kind</th>
                <th scope="col">Part number</th>
                <th scope="col">Serial</th>
                <th scope="col">Revision</th>
                <th scope="col">Software</th>
              </tr>
            </thead>
            <tbody>
              {data.installed.map(({ path, component }) => (
                <tr key={path}>
                  <td>
                    <code>{path}</code>
                  </td>
                  <td>{component ? <KindBadge kind={component.kind} /> : 'empty'}</td>
                  <td>{component?.partNumber ?? ''}</td>
                  <td>{component?.serialNumber ?? ''}</td>
                  <td>{component?.revision ?? ''}</td>
                  <td>{component?.softwareVersion ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LifeRemaining lives={data.lifeRemaining} />
          <AllowedAlternatives alternatives={data.allowedAlternatives} />
          <h2>Job plans and bulletins</h2>
          {data.documents.length === 0 ? (
            <p>None.</p>
          ) : (
            <DocumentRows
              documents={data.documents}
              downloadPath={(id) =>
                props.owner
                  ? `/v1${twinPath}/documents/${encodeURIComponent(id)}`
                  : href('v1', 'documents', id)
              }
              onError={() => pack.reload()}
            />
          )}
          <h2>Last inspection</h2>
          {data.lastInspection ? (
            <p>
              {formatTime(data.lastInspection.performedAt)} by {data.lastInspection.inspector}
              {data.lastInspection.findings ? ` — ${data.lastInspection.findings}` : ''}
            </p>
          ) : (
            <p>None recorded.</p>
          )}
          <h2>Open discrepancies</h2>
          <DiscrepancyList discrepancies={data.openDiscrepancies} />
          <p class="sign-off">
            Work done by: ____________________ Date: ____________ Signature: ____________
          </p>
        </>
      )}
    </section>
  );
}
