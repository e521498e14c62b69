import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorMessage } from './api';
import { navigate } from './router';

export function Link(props: { href: string; children: ComponentChildren; class?: string; label?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-label={props.label}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export function ErrorBanner(props: { error: unknown; onRetry?: () => void }) {
  if (!props.error) return null;
  return (
    <div class="banner error" role="alert">
      <span>{errorMessage(props.error)}</span>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          Reload
        </button>
      )}
    </div>
  );
}

export function Notice(props: { children: ComponentChildren }) {
  return (
    <div class="banner ok" role="status">
      {props.children}
    </div>
  );
}

export const KindBadge = (props: { kind: string }) => (
  <span class={`badge kind-${props.kind}`}>{props.kind}</span>
);

export const LifecycleBadge = (props: { lifecycle: string }) => (
  <span class={`badge lifecycle lifecycle-${props.lifecycle}`}>{props.lifecycle}</span>
);

/** Loads `load()` whenever `deps` change; `reload` runs it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { ...state, reload };
}

export const formatTime = (iso: string | undefined) =>
  iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16).concat(' UTC') : '';

/** A `datetime-local` value (read as UTC, to the minute or second) as an ISO time. */
export const fromLocalInput = (value: string) =>
  value ? new Date(value.length === 16 ? `${value}:00Z` : `${value}Z`).toISOString() : '';
