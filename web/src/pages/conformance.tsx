import { useState } from 'preact/hooks';
import { api, nullWhenHidden } from '../api';
import type { ConformanceState } from '../findings';
import { ErrorBanner, Notice, useAsync } from '../ui';

/**
 * The unit judged against its product's configuration model, at the time the page shows (read once
 * for the page: the tree marks the same findings): status and findings, each selecting its position.
 */
export function ConformancePanel(props: { judged: ConformanceState; onSelect: (path: string) => void }) {
  const { judged } = props;
  if (judged.data === null) return null;
  const data = judged.data;
  return (
    <section class="panel" aria-labelledby="conformance-heading">
      <h2 id="conformance-heading">Conformance</h2>
      <ErrorBanner error={judged.error} onRetry={judged.reload} />
      {data && data.status === null && <p class="muted">No configuration model applies to this unit.</p>}
      {data && data.status !== null && (
        <>
          <p>
            <span class={`badge conformance-${data.status}`} data-testid="conformance-status">
              {data.status}
            </span>{' '}
            <span class="muted">model version {data.modelVersion}</span>
          </p>
          {data.findings.length === 0 ? (
            <p>Every position is as the model allows.</p>
          ) : (
            <ul class="findings" aria-label="Findings">
              {data.findings.map((finding) => (
                <li
                  class="finding"
                  key={`${finding.path}:${finding.rule}:${finding.code}`}
                  data-level={finding.level}
                >
                  <button type="button" class="link" onClick={() => props.onSelect(finding.path)}>
                    {finding.path}
                  </button>{' '}
                  <span class={`badge conformance-${finding.level}`}>{finding.code}</span> {finding.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

interface Model {
  version: number;
  rejudge?: { status: string; judged: number };
  [field: string]: unknown;
}

const TEMPLATE = { validate: 'enforce', positions: [], rules: [] };

/** The product's configuration model as JSON: read, edit, store as a new version (re-judging the fleet). */
export function ModelEditor(props: { productPartNumber: string }) {
  const path = `/v1/configuration-models/${encodeURIComponent(props.productPartNumber)}`;
  const [text, setText] = useState<string>();
  const [saved, setSaved] = useState<Model>();
  const [error, setError] = useState<unknown>();
  const model = useAsync(() => api<Model>('GET', path).catch(nullWhenHidden), [path, saved?.version]);
  const shown = (found: Model | null | undefined) => {
    if (!found) return JSON.stringify(TEMPLATE, null, 2);
    const {
      productPartNumber: _pn,
      version: _v,
      createdAt: _at,
      createdBy: _by,
      rejudge: _job,
      ...body
    } = found;
    return JSON.stringify(body, null, 2);
  };
  const save = async () => {
    setError(undefined);
    try {
      setSaved(await api<Model>('PUT', path, { body: JSON.parse(text ?? shown(model.data)) }));
      setText(undefined);
    } catch (failure) {
      setError(failure instanceof SyntaxError ? new Error(`Not JSON: ${failure.message}`) : failure);
    }
  };
  return (
    <details class="panel no-print">
      <summary>Configuration model of {props.productPartNumber}</summary>
      <ErrorBanner error={model.error ?? error} />
      {saved && (
        <Notice>
          Version {saved.version} stored; the fleet is re-judged ({saved.rejudge?.status ?? 'running'}).
        </Notice>
      )}
      <p class="muted" data-testid="model-version">
        {model.data ? `Version ${model.data.version}` : 'No model yet'}
        {model.data?.rejudge
          ? `, re-judgement ${model.data.rejudge.status} (${model.data.rejudge.judged} units)`
          : ''}
      </p>
      <label>
        Model (JSON: positions, rules, validate)
        <textarea
          rows={14}
          spellcheck={false}
          value={text ?? shown(model.data)}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </label>
      <button type="button" onClick={save}>
        Store new version
      </button>
    </details>
  );
}
