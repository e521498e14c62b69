import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** What the console asks for per page: the API's largest `limit`. */
export const PAGE_SIZE = 100;

interface PagesState<P> {
  pages: P[];
  loading: boolean;
  error?: unknown;
}

/**
 * Pages of one list, followed by the API's `nextCursor`: `load(undefined)` gives the first page
 * (with whatever whole-answer counts it carries), `more()` appends the next one. A change of
 * `deps` (or `reload()`) starts again from the first page; an answer to an older request is dropped.
 * With `enabled` false nothing is asked (a query the user has not submitted yet).
 */
export function usePages<P extends { nextCursor?: string }>(
  load: (cursor: string | undefined) => Promise<P>,
  deps: unknown[],
  enabled = true,
) {
  const [state, setState] = useState<PagesState<P>>({ pages: [], loading: enabled });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  // `more` reads the pages loaded so far and the loader of the current render.
  const latest = useRef({ state, load });
  latest.current = { state, load };

  const fetchPage = useCallback((cursor: string | undefined, pages: P[]) => {
    const mine = generation.current;
    setState((previous) => ({ pages: previous.pages, loading: true }));
    latest.current.load(cursor).then(
      (page) => {
        if (mine === generation.current) setState({ pages: [...pages, page], loading: false });
      },
      (error) => {
        if (mine === generation.current) setState({ pages, loading: false, error });
      },
    );
  }, []);

  useEffect(() => {
    generation.current += 1;
    if (!enabled) {
      setState({ pages: [], loading: false });
      return;
    }
    fetchPage(undefined, []);
  }, [...deps, enabled, tick]);

  const more = useCallback(() => {
    const { pages, loading } = latest.current.state;
    const cursor = pages[pages.length - 1]?.nextCursor;
    if (cursor && !loading) fetchPage(cursor, pages);
  }, []);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  const last = state.pages[state.pages.length - 1];
  return {
    /** The first answer: counts and totals come from it. */
    first: state.pages[0],
    pages: state.pages,
    nextCursor: last?.nextCursor,
    loading: state.loading,
    error: state.error,
    more,
    reload,
  };
}

/** A list the API answers whole: shown `PAGE_SIZE` at a time, so that a long thread stays usable. */
export function useShown<T>(items: readonly T[], step = PAGE_SIZE) {
  const [count, setCount] = useState(step);
  return {
    shown: items.slice(0, count),
    hasMore: items.length > count,
    more: () => setCount((value) => value + step),
  };
}

/**
 * "Showing n of N" and a "Load more" button while there is more. When the last page arrives and
 * the button goes, focus moves to the count, so that keyboard users are not dropped on the page.
 */
export function LoadMore(props: {
  shown: number;
  total?: number | undefined;
  hasMore: boolean;
  loading?: boolean;
  onMore: () => void;
  /** What the list holds, for the count and the button's name: "documents". */
  noun: string;
  testId?: string;
}) {
  const status = useRef<HTMLParagraphElement>(null);
  const clicked = useRef(false);
  useEffect(() => {
    if (clicked.current && !props.hasMore && !props.loading) {
      clicked.current = false;
      status.current?.focus();
    }
  }, [props.hasMore, props.loading]);
  // A list that fits in one page needs neither.
  if (!props.hasMore && props.shown <= PAGE_SIZE) return null;
  return (
    <div class="pager no-print" data-testid={props.testId}>
      <p role="status" tabIndex={-1} ref={status} class="muted">
        Showing {props.shown}
        {props.total !== undefined ? ` of ${props.total}` : ''} {props.noun}
      </p>
      {props.hasMore && (
        <button
          type="button"
          aria-busy={props.loading ? 'true' : 'false'}
          aria-label={`Load more ${props.noun}`}
          onClick={() => {
            clicked.current = true;
            props.onMore();
          }}
        >
          Load more
        </button>
      )}
    </div>
  );
}
