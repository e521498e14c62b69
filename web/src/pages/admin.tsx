import { useState } from 'preact/hooks';
import { api } from '../api';
import { loadSession } from '../session';
import type { Page, Twin } from '../types';
import { ErrorBanner, formatTime, fromLocalInput, Notice, TimeInput, useAsync } from '../ui';

interface View {
  id: string;
  name: string;
  positions?: string[];
  kinds?: string[];
  twinAttributes?: string[];
  history?: boolean;
}

interface Grant {
  id: string;
  grantee: string;
  viewId: string;
  twins: { ids?: string[]; site?: string; partNumber?: string };
  purpose: string;
  permissions: string[];
  validFrom?: string;
  validTo?: string;
  active: boolean;
  revokedAt?: string;
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const selectorText = (twins: Grant['twins']) =>
  [
    twins.site && `site ${twins.site}`,
    twins.partNumber && `product ${twins.partNumber}`,
    twins.ids && `${twins.ids.length} named twin(s)`,
  ]
    .filter(Boolean)
    .join(' and ');

/** Admin: views (what a party sees), grants (who sees which twins), revocation; admins only. */
export function AdminPage() {
  const admin = loadSession()?.roles.includes('admin') ?? false;
  return admin ? (
    <SharingAdmin />
  ) : (
    <section>
      <h1>Sharing</h1>
      <p role="status">
        Sharing (views and grants) is set by your organization's admins; your role cannot change it.
      </p>
    </section>
  );
}

function SharingAdmin() {
  const views = useAsync(() => api<Page<View>>('GET', '/v1/views', { query: { limit: 100 } }), []);
  const grants = useAsync(async () => {
    const page = await api<Page<Grant>>('GET', '/v1/grants', { query: { limit: 100 } });
    // Which twins each grant in force covers now (selectors by site or product also cover later twins).
    const covered = await Promise.all(
      page.items.map(async (grant) => {
        if (!grant.active) return [];
        if (grant.twins.ids && !grant.twins.site && !grant.twins.partNumber) return grant.twins.ids;
        const twins = await api<Page<Twin>>('GET', '/v1/twins', {
          query: { site: grant.twins.site, partNumber: grant.twins.partNumber, limit: 100 },
        });
        return twins.items
          .filter((twin) => !grant.twins.ids || grant.twins.ids.includes(twin.id))
          .map((twin) => twin.serialNumber);
      }),
    );
    return { ...page, covered };
  }, []);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const viewName = (id: string) => views.data?.items.find((view) => view.id === id)?.name ?? id;

  return (
    <section>
      <h1>Sharing</h1>
      <ErrorBanner error={views.error ?? grants.error ?? error} onRetry={views.reload} />
      {notice && <Notice>{notice}</Notice>}
      <h2>Who sees what</h2>
      <table class="list" data-testid="grants">
        <caption class="sr-only">Grants: which parties see which twins, through which view</caption>
        <thead>
          <tr>
            <th scope="col">Party</th>
            <th scope="col">View</th>
            <th scope="col">Twins</th>
            <th scope="col">Sees now</th>
            <th scope="col">Purpose</th>
            <th scope="col">Permissions</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {grants.data?.items.map((grant, index) => (
            <tr key={grant.id}>
              <td>{grant.grantee}</td>
              <td>{viewName(grant.viewId)}</td>
              <td>{selectorText(grant.twins)}</td>
              <td>{grants.data?.covered[index]?.join(', ') || '—'}</td>
              <td>{grant.purpose}</td>
              <td>{grant.permissions.join(', ')}</td>
              <td>
                {grant.revokedAt
                  ? `revoked ${formatTime(grant.revokedAt)}`
                  : grant.active
                    ? `active${grant.validTo ? ` until ${formatTime(grant.validTo)}` : ''}`
                    : 'not in force'}
              </td>
              <td>
                {!grant.revokedAt && (
                  <button
                    type="button"
                    onClick={async () => {
                      setError(undefined);
                      try {
                        await api('DELETE', `/v1/grants/${grant.id}`);
                        setNotice(`Grant to ${grant.grantee} revoked.`);
                        grants.reload();
                      } catch (caught) {
                        setError(caught);
                      }
                    }}
                  >
                    Revoke grant to {grant.grantee}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {grants.data && grants.data.items.length === 0 && <p>No grants yet.</p>}
      <GrantForm
        views={views.data?.items ?? []}
        onDone={(grantee) => {
          setNotice(`Granted to ${grantee}.`);
          grants.reload();
        }}
      />
      <h2>Views</h2>
      <table class="list" data-testid="views">
        <caption class="sr-only">Views</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Positions</th>
            <th scope="col">Kinds</th>
            <th scope="col">Twin attributes</th>
            <th scope="col">History</th>
          </tr>
        </thead>
        <tbody>
          {views.data?.items.map((view) => (
            <tr key={view.id}>
              <td>{view.name}</td>
              <td>{view.positions?.join(', ') ?? 'all'}</td>
              <td>{view.kinds?.join(', ') ?? 'all'}</td>
              <td>{view.twinAttributes?.join(', ') ?? 'all'}</td>
              <td>{view.history === false ? 'hidden' : 'shown'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ViewForm
        onDone={(name) => {
          setNotice(`View "${name}" created.`);
          views.reload();
        }}
      />
    </section>
  );
}

function ViewForm(props: { onDone: (name: string) => void }) {
  const [name, setName] = useState('');
  const [positions, setPositions] = useState('');
  const [kinds, setKinds] = useState<string[]>([]);
  const [attributes, setAttributes] = useState('');
  const [history, setHistory] = useState(true);
  const [error, setError] = useState<unknown>();
  return (
    <form
      aria-label="Create a view"
      onSubmit={async (event) => {
        event.preventDefault();
        setError(undefined);
        try {
          await api('POST', '/v1/views', {
            body: {
              name,
              ...(positions.trim() ? { positions: list(positions) } : {}),
              ...(kinds.length > 0 ? { kinds } : {}),
              ...(attributes.trim() ? { twinAttributes: list(attributes) } : {}),
              history,
            },
          });
          setName('');
          setPositions('');
          setKinds([]);
          setAttributes('');
          setHistory(true);
          props.onDone(name);
        } catch (caught) {
          setError(caught);
        }
      }}
    >
      <fieldset>
        <legend>Create a view</legend>
        <div class="row">
          <label>
            View name
            <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <label>
            Positions (prefixes, comma-separated; empty: all)
            <input value={positions} onInput={(event) => setPositions(event.currentTarget.value)} />
          </label>
          <label>
            Twin attributes (comma-separated; empty: all)
            <input value={attributes} onInput={(event) => setAttributes(event.currentTarget.value)} />
          </label>
          {['mechanical', 'electrical', 'software'].map((kind) => (
            <label class="inline" key={kind}>
              <input
                type="checkbox"
                checked={kinds.includes(kind)}
                onChange={(event) =>
                  setKinds(
                    event.currentTarget.checked ? [...kinds, kind] : kinds.filter((item) => item !== kind),
                  )
                }
              />
              only {kind}
            </label>
          ))}
          <label class="inline">
            <input
              type="checkbox"
              checked={history}
              onChange={(event) => setHistory(event.currentTarget.checked)}
            />
            Show history
          </label>
          <button type="submit" class="primary">
            Create view
          </button>
        </div>
      </fieldset>
      <ErrorBanner error={error} />
    </form>
  );
}

function GrantForm(props: { views: View[]; onDone: (grantee: string) => void }) {
  const [grantee, setGrantee] = useState('');
  const [viewId, setViewId] = useState('');
  const [site, setSite] = useState('');
  const [partNumber, setPartNumber] = useState('');
  const [purpose, setPurpose] = useState('contractor');
  const [inspect, setInspect] = useState(false);
  const [validTo, setValidTo] = useState('');
  const [error, setError] = useState<unknown>();
  return (
    <form
      aria-label="Grant access"
      onSubmit={async (event) => {
        event.preventDefault();
        setError(undefined);
        try {
          await api('POST', '/v1/grants', {
            body: {
              grantee,
              viewId: viewId || props.views[0]?.id,
              twins: { ...(site ? { site } : {}), ...(partNumber ? { partNumber } : {}) },
              purpose,
              permissions: inspect ? ['read', 'inspect'] : ['read'],
              ...(validTo ? { validTo: fromLocalInput(validTo) } : {}),
            },
          });
          props.onDone(grantee);
        } catch (caught) {
          setError(caught);
        }
      }}
    >
      <fieldset>
        <legend>Grant access</legend>
        <div class="row">
          <label>
            Party (tenant)
            <input required value={grantee} onInput={(event) => setGrantee(event.currentTarget.value)} />
          </label>
          <label>
            View
            <select value={viewId} onChange={(event) => setViewId(event.currentTarget.value)}>
              {props.views.map((view) => (
                <option key={view.id} value={view.id}>
                  {view.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Twins at site
            <input value={site} onInput={(event) => setSite(event.currentTarget.value)} />
          </label>
          <label>
            Twins of product
            <input value={partNumber} onInput={(event) => setPartNumber(event.currentTarget.value)} />
          </label>
          <label>
            Purpose
            <select value={purpose} onChange={(event) => setPurpose(event.currentTarget.value)}>
              {['contractor', 'paas', 'supplier', 'other'].map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label class="inline">
            <input
              type="checkbox"
              checked={inspect}
              onChange={(event) => setInspect(event.currentTarget.checked)}
            />
            May record inspections
          </label>
          <TimeInput label="Valid until (UTC)" value={validTo} onValue={setValidTo} />
          <button type="submit" class="primary">
            Grant
          </button>
        </div>
      </fieldset>
      <ErrorBanner error={error} />
    </form>
  );
}
