import { api } from '../api';
import { BarChart } from '../chart';
import { href } from '../router';
import type { Page, Twin } from '../types';
import { ErrorBanner, LifecycleBadge, Link, useAsync } from '../ui';

interface SharedItem {
  owner: string;
  twin: Twin;
}

const SharedTable = (props: { items: SharedItem[] }) => (
  <table class="list" data-testid="shared-twins">
    <caption class="sr-only">Twins shared with us</caption>
    <thead>
      <tr>
        <th scope="col">Owner</th>
        <th scope="col">Serial number</th>
        <th scope="col">Product</th>
        <th scope="col">Site</th>
        <th scope="col">Lifecycle</th>
      </tr>
    </thead>
    <tbody>
      {props.items.map(({ owner, twin }) => (
        <tr key={`${owner}:${twin.id}`}>
          <td>{owner}</td>
          <td>
            <Link href={href('shared', owner, twin.id)}>{twin.serialNumber}</Link>
          </td>
          <td>
            <code>{twin.product?.partNumber}</code>
          </td>
          <td>{twin.site ?? '—'}</td>
          <td>{twin.lifecycle && <LifecycleBadge lifecycle={twin.lifecycle} />}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** A contractor's or supplier's view: the twins other tenants share with us, each trimmed by its grant's view. */
export function SharedPage() {
  const shared = useAsync(
    () => api<Page<SharedItem>>('GET', '/v1/shared/twins', { query: { limit: 100 } }),
    [],
  );
  return (
    <section>
      <h1>Shared with us</h1>
      <ErrorBanner error={shared.error} onRetry={shared.reload} />
      {shared.data && shared.data.items.length === 0 && <p>Nothing is shared with your organization.</p>}
      {shared.data && shared.data.items.length > 0 && <SharedTable items={shared.data.items} />}
    </section>
  );
}

interface InstalledBase extends Page<SharedItem> {
  counts?: { byProduct: Record<string, number>; bySoftwareVersion: Record<string, Record<string, number>> };
}

/** An OEM's installed base (units under a paas grant), with units by software version. */
export function InstalledBasePage() {
  const base = useAsync(() => api<InstalledBase>('GET', '/v1/installed-base', { query: { limit: 100 } }), []);
  const bySoftware: Record<string, number> = {};
  for (const [partNumber, versions] of Object.entries(base.data?.counts?.bySoftwareVersion ?? {}))
    for (const [version, count] of Object.entries(versions)) bySoftware[`${partNumber} ${version}`] = count;
  return (
    <section>
      <h1>Installed base</h1>
      <ErrorBanner error={base.error} onRetry={base.reload} />
      {base.data && (
        <>
          <p>
            {base.data.items.length} unit(s)
            {Object.entries(base.data.counts?.byProduct ?? {})
              .map(([product, count]) => ` · ${product}: ${count}`)
              .join('')}
          </p>
          <BarChart title="Units by software version" counts={bySoftware} testId="by-software" />
          <SharedTable items={base.data.items} />
        </>
      )}
    </section>
  );
}
