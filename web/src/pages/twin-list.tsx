import { useState } from 'preact/hooks';
import { LIFECYCLE_STATES as LIFECYCLES } from '../../../shared/domain/lifecycle-states';
import { api } from '../api';
import { href } from '../router';
import type { Page, Twin } from '../types';
import { ErrorBanner, LifecycleBadge, Link, useAsync } from '../ui';
import { attributeLabel } from './twin';

interface Filters {
  serialNumber: string;
  partNumber: string;
  site: string;
  lifecycle: string;
  /** Matched by the console against the twins' attributes (tail number, operator, wind park). */
  attribute: string;
}

const EMPTY: Filters = { serialNumber: '', partNumber: '', site: '', lifecycle: '', attribute: '' };

export const attributesText = (attributes: Record<string, unknown> | undefined) =>
  Object.entries(attributes ?? {})
    .map(
      ([name, value]) =>
        `${attributeLabel(name)}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');

/** Search and filter twins: serial, product part number, site, lifecycle; paged by the API's cursor. */
export function TwinList() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const { attribute, ...query } = filters;
  const list = useAsync(
    () => api<Page<Twin>>('GET', '/v1/twins', { query: { ...query, limit: 25, cursor } }),
    [query.serialNumber, query.partNumber, query.site, query.lifecycle, cursor],
  );
  const wanted = attribute.trim().toLowerCase();
  const rows = (list.data?.items ?? []).filter(
    (twin) => !wanted || attributesText(twin.attributes).toLowerCase().includes(wanted),
  );
  const field = (name: keyof Filters, label: string) => (
    <label>
      {label}
      <input
        name={name}
        value={draft[name]}
        onInput={(event) => setDraft({ ...draft, [name]: event.currentTarget.value })}
      />
    </label>
  );

  return (
    <section>
      <h1>Twins</h1>
      <search aria-label="Filter twins">
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setCursors([]);
            setFilters({ ...draft });
          }}
        >
          {field('serialNumber', 'Serial number')}
          {field('partNumber', 'Product part number')}
          {field('site', 'Site')}
          {field('attribute', 'Attribute (tail number, operator…)')}
          <label>
            Lifecycle
            <select
              name="lifecycle"
              value={draft.lifecycle}
              onChange={(event) => setDraft({ ...draft, lifecycle: event.currentTarget.value })}
            >
              <option value="">any</option>
              {LIFECYCLES.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary">
            Search
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              setCursors([]);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
        </form>
      </search>
      <ErrorBanner error={list.error} onRetry={list.reload} />
      <table class="list" aria-busy={list.loading}>
        <caption class="sr-only">Twins matching the filters</caption>
        <thead>
          <tr>
            <th scope="col">Serial number</th>
            <th scope="col">Product</th>
            <th scope="col">Site</th>
            <th scope="col">Attributes</th>
            <th scope="col">Lifecycle</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((twin) => (
            <tr key={twin.id}>
              <td>
                <Link href={href('twins', twin.id)}>{twin.serialNumber}</Link>
              </td>
              <td>
                {twin.product.name ?? ''} <code>{twin.product.partNumber}</code>
              </td>
              <td>{twin.site ?? '—'}</td>
              <td>{attributesText(twin.attributes)}</td>
              <td>
                <LifecycleBadge lifecycle={twin.lifecycle} />
              </td>
              <td>{twin.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && rows.length === 0 && <p role="status">No twins match these filters.</p>}
      {wanted && list.data && (
        <p class="muted">
          The attribute filter looks at this page of twins; the other filters at all of them.
        </p>
      )}
      <div class="pager">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {list.data?.nextCursor && (
          <button type="button" onClick={() => setCursors([...cursors, list.data!.nextCursor!])}>
            Next page
          </button>
        )}
      </div>
    </section>
  );
}
