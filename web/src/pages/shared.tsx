import { useState } from 'preact/hooks';
import { api } from '../api';
import { BarChart } from '../chart';
import { LoadMore, PAGE_SIZE, usePages } from '../paging';
import { href } from '../router';
import type { Page, Twin } from '../types';
import { ErrorBanner, formatTime, LifecycleBadge, Link, useAsync } from '../ui';
import { grantScope, type ReceivedGrant } from './twin';

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

/** The grants we hold: who shares what with us, what we may do, until when. */
export function ReceivedGrants() {
  const grants = useAsync(() => api<{ items: ReceivedGrant[] }>('GET', '/v1/shared/grants'), []);
  const items = grants.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <table class="list" data-testid="received-grants">
      <caption>What is shared with us, and until when</caption>
      <thead>
        <tr>
          <th scope="col">Owner</th>
          <th scope="col">Twins</th>
          <th scope="col">View</th>
          <th scope="col">We may</th>
          <th scope="col">Until</th>
        </tr>
      </thead>
      <tbody>
        {items.map((grant) => (
          <tr key={grant.id}>
            <td>{grant.owner}</td>
            <td>{grantScope(grant.twins)}</td>
            <td>{grant.view.name}</td>
            <td>{grant.permissions.join(', ')}</td>
            <td>{grant.validTo ? formatTime(grant.validTo) : 'no end date'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

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
      <ReceivedGrants />
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
 * An OEM's installed base (units under a paas grant). Units by software version are charted per
 * software part (a selector: one part's versions at a time); the counts cover the whole installed
 * base and come with the first page; the unit list pages.
 */
export function InstalledBasePage() {
  const base = usePages(
    (cursor) => api<InstalledBase>('GET', '/v1/installed-base', { query: { limit: PAGE_SIZE, cursor } }),
    [],
  );
  const counts = base.first?.counts;
  const items = base.pages.flatMap((page) => page.items);
  const total = counts ? Object.values(counts.byProduct).reduce((sum, count) => sum + count, 0) : undefined;
  const parts = Object.keys(counts?.bySoftwareVersion ?? {}).sort();
  const [chosen, setChosen] = useState('');
  const part = parts.includes(chosen) ? chosen : parts[0];
  const versions = (part && counts?.bySoftwareVersion[part]) || {};
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
          <div class="installed-base">
            <div>
              {parts.length > 0 && (
                <label>
                  Software part
                  <select value={part} onChange={(event) => setChosen(event.currentTarget.value)}>
                    {parts.map((name) => (
                      <option key={name}>{name}</option>
                    ))}
                  </select>
                </label>
              )}
              {part && (
                <BarChart title={`Units by version of ${part}`} counts={versions} testId="by-software" />
              )}
            </div>
            <div>
              <h2>Units</h2>
              <SharedTable items={items} />
              <LoadMore
                shown={items.length}
                total={total}
                hasMore={Boolean(base.nextCursor)}
                loading={base.loading}
                onMore={base.more}
                noun="units"
              />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
