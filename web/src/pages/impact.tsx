import { useState } from 'preact/hooks';
import { api } from '../api';
import { BarChart } from '../chart';
import { LoadMore, PAGE_SIZE, usePages } from '../paging';
import { href } from '../router';
import type { Component } from '../types';
import { ErrorBanner, Link } from '../ui';

interface Impact {
  total: number;
  affected: { twinId: string; serialNumber: string; path: string; component: Component }[];
  bySite: Record<string, number>;
  byProduct: Record<string, number>;
  nextCursor?: string;
}

type ImpactQuery = { partNumber: string; softwareVersion?: string; revision?: string };

/**
 * OTA or bulletin impact: which units carry a part number in a software range or revision. The
 * total and the chart come from the first answer (they cover every match); the list pages.
 */
export function ImpactPage() {
  const [partNumber, setPartNumber] = useState('');
  const [softwareVersion, setSoftwareVersion] = useState('');
  const [revision, setRevision] = useState('');
  const [query, setQuery] = useState<ImpactQuery>();
  const impact = usePages(
    (cursor) => api<Impact>('POST', '/v1/fleet/impact', { body: query, query: { limit: PAGE_SIZE, cursor } }),
    [query],
    query !== undefined,
  );
  const first = impact.first;
  const affected = impact.pages.flatMap((page) => page.affected);
  return (
    <section>
      <h1>Fleet impact</h1>
      <form
        class="row"
        aria-label="Impact query"
        onSubmit={(event) => {
          event.preventDefault();
          // a new object each time: the same query submitted again asks again
          setQuery({
            partNumber,
            ...(softwareVersion ? { softwareVersion } : {}),
            ...(revision ? { revision } : {}),
          });
        }}
      >
        <label>
          Part number
          <input required value={partNumber} onInput={(event) => setPartNumber(event.currentTarget.value)} />
        </label>
        <label>
          Software versions (semver range)
          <input
            value={softwareVersion}
            placeholder=">=5.0.0 <5.3.0"
            onInput={(event) => setSoftwareVersion(event.currentTarget.value)}
          />
        </label>
        <label>
          Revision
          <input value={revision} onInput={(event) => setRevision(event.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Find affected units
        </button>
      </form>
      <ErrorBanner error={impact.error} onRetry={impact.pages.length ? impact.more : impact.reload} />
      {first && (
        <>
          <p role="status" data-testid="impact-total">
            {first.total} affected installation(s)
          </p>
          <BarChart title="Affected units by site" counts={first.bySite} testId="by-site" />
          <table class="list" data-testid="affected">
            <caption class="sr-only">Affected units</caption>
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col">Position</th>
                <th scope="col">Installed</th>
              </tr>
            </thead>
            <tbody>
              {affected.map((item) => (
                <tr key={`${item.twinId}:${item.path}`}>
                  <td>
                    <Link href={href('twins', item.twinId)}>{item.serialNumber}</Link>
                  </td>
                  <td>
                    <code>{item.path}</code>
                  </td>
                  <td>
                    {item.component.partNumber}
                    {item.component.softwareVersion ? ` software ${item.component.softwareVersion}` : ''}
                    {item.component.revision ? ` rev ${item.component.revision}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore
            shown={affected.length}
            total={first.total}
            hasMore={Boolean(impact.nextCursor)}
            loading={impact.loading}
            onMore={impact.more}
            noun="affected installations"
          />
        </>
      )}
    </section>
  );
}
