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

/** Every time the console shows: ISO 8601 in UTC, 24-hour, to the second (`2026-03-05 10:00:00 UTC`). */
export const formatTime = (iso: string | undefined) =>
  iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19).concat(' UTC') : '';

const TYPED_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?$/;

/**
 * A typed UTC time (`2026-03-05 10:00`, `2026-03-05T10:00:00`, or a date alone) as an ISO time;
 * '' while it is incomplete or not a time.
 */
export const fromLocalInput = (value: string) => {
  const match = TYPED_TIME.exec(value.trim());
  if (!match) return '';
  const date = new Date(`${match[1]}T${match[2] ?? '00:00'}${match[3] ?? ':00'}Z`);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
};

/**
 * A UTC time field in ISO form, 24-hour, whatever the browser's locale: a text input with the
 * format as its hint (the native datetime-local picker follows the locale: 12-hour mm/dd/yyyy).
 */
export function TimeInput(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  required?: boolean;
  hint?: string;
  id?: string;
  invalid?: boolean;
  describedBy?: string;
}) {
  const bad = props.value.trim() !== '' && fromLocalInput(props.value) === '';
  return (
    <label {...(props.id ? { for: props.id } : {})}>
      {props.label}
      <input
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder="YYYY-MM-DD HH:MM:SS"
        spellcheck={false}
        {...(props.id ? { id: props.id } : {})}
        value={props.value}
        required={props.required}
        aria-invalid={bad || props.invalid ? 'true' : undefined}
        aria-describedby={props.describedBy}
        pattern="\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?"
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
      <span class="hint">
        {props.hint ?? 'UTC, 24-hour: YYYY-MM-DD HH:MM:SS'}
        {bad ? ' — not a time yet' : ''}
      </span>
    </label>
  );
}
