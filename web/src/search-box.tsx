import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorMessage } from './api';
import { href, navigate } from './router';

/** One hit of GET /v1/search or GET /v1/shared/search. */
interface Hit {
  kind: 'twin' | 'component' | 'document' | 'inspection';
  id: string;
  label: string;
  owner?: string;
  twinId?: string;
  path?: string;
  installed?: boolean;
  matched: string;
}
interface Results {
  items: Hit[];
  total: number;
}

const DEBOUNCE_MS = 250;
const LIMIT = 8;

/** Where a hit opens in the console; documents have no page of their own (they show in a twin's thread). */
function targetOf(hit: Hit): string | undefined {
  if (hit.owner !== undefined) return hit.twinId ? href('shared', hit.owner, hit.twinId) : undefined;
  if (hit.kind === 'component') {
    const slash = hit.id.indexOf('/');
    return href('components', hit.id.slice(0, slash), hit.id.slice(slash + 1));
  }
  return hit.twinId ? href('twins', hit.twinId) : undefined;
}

function where(hit: Hit): string {
  if (hit.kind === 'component') return hit.installed ? `at ${hit.path}` : 'not installed';
  return hit.owner ? `shared by ${hit.owner}` : `matched ${hit.matched}`;
}

/**
 * The console's one search box (header): the tenant's own index and what is shared with it, as the
 * user types; each hit opens its twin, component or shared twin.
 */
export function SearchBox() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[]>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState(false);
  const asked = useRef(0);

  useEffect(() => {
    const query = q.trim();
    if (query.length === 0) {
      setHits(undefined);
      return;
    }
    const ask = ++asked.current;
    const timer = setTimeout(async () => {
      try {
        const [own, shared] = await Promise.all([
          api<Results>('GET', '/v1/search', { query: { q: query, limit: LIMIT } }),
          api<Results>('GET', '/v1/shared/search', { query: { q: query, limit: LIMIT } }),
        ]);
        if (ask !== asked.current) return;
        setError(undefined);
        setHits([...own.items, ...shared.items]);
        setOpen(true);
      } catch (caught) {
        if (ask === asked.current) setError(errorMessage(caught));
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q]);

  const go = (hit: Hit) => {
    const target = targetOf(hit);
    if (!target) return;
    setOpen(false);
    navigate(target);
  };

  return (
    <search class="search-box">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const first = hits?.find((hit) => targetOf(hit) !== undefined);
          if (first) go(first);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false);
        }}
      >
        <label for="search-q" class="sr-only">
          Search serials, part numbers, documents
        </label>
        <input
          id="search-q"
          type="search"
          placeholder="Search serial, part number, document…"
          autocomplete="off"
          value={q}
          onInput={(event) => setQ((event.target as HTMLInputElement).value)}
          onFocus={() => hits && setOpen(true)}
        />
        {open && q.trim() !== '' && (hits || error) && (
          <div class="search-results">
            {error && <p role="alert">{error}</p>}
            {hits && hits.length === 0 && <p>Nothing found for “{q.trim()}”</p>}
            {hits && hits.length > 0 && (
              <ul aria-label="Search results">
                {hits.map((hit) => {
                  const target = targetOf(hit);
                  const body = (
                    <>
                      <span class="badge">{hit.kind}</span> {hit.label} <small>{where(hit)}</small>
                    </>
                  );
                  return (
                    <li key={`${hit.owner ?? ''}/${hit.kind}/${hit.id}`}>
                      {target ? (
                        <a
                          href={target}
                          onClick={(event) => {
                            if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)
                              return;
                            event.preventDefault();
                            go(hit);
                          }}
                        >
                          {body}
                        </a>
                      ) : (
                        <span>{body}</span>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        )}
      </form>
    </search>
  );
}
