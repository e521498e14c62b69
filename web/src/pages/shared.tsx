import { api } from '../api';
import { BarChart } from '../chart';
import { LoadMore, PAGE_SIZE, usePages } from '../paging';
import { href } from '../router';
import type { Page, Twin } from '../types';
import { ErrorBanner, LifecycleBadge, Link } from '../ui';

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
  const shared = usePages(
    (cursor) => api<Page<SharedItem>>('GET', '/v1/shared/twins', { query: { limit: PAGE_SIZE, cursor } }),
    [],
  );
  const items = shared.pages.flatMap((page) => page.items);
  return (
    <section>
      <h1>Shared with us</h1>
      <ErrorBanner error={shared.error} onRetry={shared.pages.length ? shared.more : shared.reload} />
      {shared.first && items.length === 0 && <p>Nothing is shared with your organization.</p>}
      {items.length > 0 && (
        <>
          <SharedTable items={items} />
          <LoadMore
            shown={items.length}
            hasMore={Boolean(shared.nextCursor)}
            loading={shared.loading}
            onMore={shared.more}
            noun="twins"
          />
        </>
      )}
    </section>
  );
}

interface InstalledBase extends Page<SharedItem> {
  counts?: { byProduct: Record<string, number>; bySoftwareVersion: Record<string, Record<string, number>> };
}

/**
 * An OEM's installed base (units under a paas grant), with units by software version. The counts
 * cover the whole installed base and come with the first page; the list pages with "Load more".
 */
export function InstalledBasePage() {
  const base = usePages(
    (cursor) => api<InstalledBase>('GET', '/v1/installed-base', { query: { limit: PAGE_SIZE, cursor } }),
    [],
  );
  const counts = base.first?.counts;
  const items = base.pages.flatMap((page) => page.items);
  const total = counts ? Object.values(counts.byProduct).reduce((sum, count) => sum + count, 0) : undefined;
  const bySoftware: Record<string, number> = {};
  for (const [partNumber, versions] of Object.entries(counts?.bySoftwareVersion ?? {}))
    for (const [version, count] of Object.entries(versions)) bySoftware[`${partNumber} ${version}`] = count;
  return (
    <section>
      <h1>Installed base</h1>
      <ErrorBanner error={base.error} onRetry={base.pages.length ? base.more : base.reload} />
      {base.first && (
        <>
          <p data-testid="installed-base-total">
            {total ?? items.length} unit(s)
            {Object.entries(counts?.byProduct ?? {})
              .map(([product, count]) => ` · ${product}: ${count}`)
              .join('')}
          </p>
          <BarChart title="Units by software version" counts={bySoftware} testId="by-software" />
          <SharedTable items={items} />
          <LoadMore
            shown={items.length}
            total={total}
            hasMore={Boolean(base.nextCursor)}
            loading={base.loading}
            onMore={base.more}
            noun="units"
          />
        </>
      )}
    </section>
  );
}
