import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChangeSetBody } from '../../../shared/schemas/change';
import { ApiError, api } from '../api';
import { href } from '../router';
import type { Component, TreeNode, Twin } from '../types';
import { ErrorBanner, fromLocalInput, Link } from '../ui';
import { describeComponent } from './history';

type Operation = ChangeSetBody['operations'][number];
type Action = 'replace' | 'install' | 'remove' | 'update-software';

const TITLES: Record<Action, string> = {
  replace: 'Replace component',
  install: 'Install component',
  remove: 'Remove component',
  'update-software': 'Update software',
};

const KINDS = ['mechanical', 'electrical', 'software'] as const;

/** The actions a position offers: what the API's change operations can do to it as it is now. */
export function actionsFor(component: Component | null): Action[] {
  if (!component) return ['install'];
  return component.kind === 'software' ? ['replace', 'update-software', 'remove'] : ['replace', 'remove'];
}

interface Recorded {
  version: number;
  /** The component that left the position, which keeps its history. */
  removed?: Component;
}

/**
 * Record a change at one position of the unit: replace, install, remove, update software. Each is a
 * one-operation change set, `POST …/changes` with `If-Match` on the version the page shows.
 */
export function ChangeActions(props: { base: string; twin: Twin; node: TreeNode; onChanged: () => void }) {
  const [open, setOpen] = useState<Action>();
  const [recorded, setRecorded] = useState<Recorded>();
  const openers = useRef<Partial<Record<Action, HTMLButtonElement | null>>>({});
  const notice = useRef<HTMLDivElement>(null);
  const [focusNotice, setFocusNotice] = useState(0);
  useEffect(() => {
    if (focusNotice > 0) notice.current?.focus();
  }, [focusNotice]);
  const { node } = props;

  return (
    <div class="change-actions no-print">
      <h3 id="change-heading">Record a change</h3>
      {/* biome-ignore lint/a11y/useSemanticElements: a group of buttons, not a form field set */}
      <div class="row" role="group" aria-labelledby="change-heading">
        {actionsFor(node.component).map((action) => (
          <button
            type="button"
            key={action}
            ref={(element) => {
              openers.current[action] = element;
            }}
            aria-haspopup="dialog"
            onClick={() => {
              setRecorded(undefined);
              setOpen(action);
            }}
          >
            {TITLES[action]}
          </button>
        ))}
      </div>
      {recorded && (
        <div class="banner ok" role="status" tabIndex={-1} ref={notice} data-testid="change-recorded">
          <span>
            Change recorded: the unit is now at version {recorded.version}.
            {recorded.removed?.serialNumber && (
              <>
                {' '}
                {describeComponent(recorded.removed)} left this position and keeps its history:{' '}
                <Link href={href('components', recorded.removed.partNumber, recorded.removed.serialNumber)}>
                  follow SN {recorded.removed.serialNumber}
                </Link>
                .
              </>
            )}
          </span>
        </div>
      )}
      {open && (
        <ChangeDialog
          action={open}
          base={props.base}
          twin={props.twin}
          node={node}
          onClose={(result) => {
            const action = open;
            setOpen(undefined);
            if (result) {
              setRecorded(result);
              setFocusNotice((value) => value + 1);
              props.onChanged();
            } else {
              openers.current[action]?.focus();
            }
          }}
          onReload={() => {
            const action = open;
            setOpen(undefined);
            props.onChanged();
            openers.current[action]?.focus();
          }}
        />
      )}
    </div>
  );
}

/** The form's fields, named as the API names them in a change set. */
const FIELDS = [
  'partNumber',
  'serialNumber',
  'kind',
  'revision',
  'softwareVersion',
  'reason',
  'workOrder',
  'effectiveAt',
] as const;
type Field = (typeof FIELDS)[number];

/** The form field an API error path names (`body.operations[0].component.serialNumber` → serialNumber). */
export function fieldOf(path: string): Field | undefined {
  const name = /^body\.(?:operations\[0\]\.(?:component\.)?)?(\w+)$/.exec(path)?.[1];
  return FIELDS.find((field) => field === name);
}

function operationOf(action: Action, position: string, values: Record<Field, string>): Operation {
  const text = (field: Field) => values[field].trim();
  switch (action) {
    case 'remove':
      return { op: 'remove', position };
    case 'update-software':
      return { op: 'update', position, softwareVersion: text('softwareVersion') };
    case 'install':
    case 'replace': {
      const kind = KINDS.find((value) => value === values.kind) ?? 'mechanical';
      const component = {
        partNumber: text('partNumber'),
        kind,
        ...(text('serialNumber') ? { serialNumber: text('serialNumber') } : {}),
        ...(text('revision') ? { revision: text('revision') } : {}),
        ...(kind === 'software' && text('softwareVersion')
          ? { softwareVersion: text('softwareVersion') }
          : {}),
      };
      return { op: action, position, component };
    }
  }
}

/**
 * The form of one action, in a modal dialog (focus moves in and stays in; Escape or Cancel closes
 * and gives focus back to the button that opened it). Errors: a field the API names is marked at
 * its input; 409 and 412 show the API's explanation with a way to reload.
 */
function ChangeDialog(props: {
  action: Action;
  base: string;
  twin: Twin;
  node: TreeNode;
  onClose: (recorded?: Recorded) => void;
  onReload: () => void;
}) {
  const { action, node } = props;
  const current = node.component;
  const dialog = useRef<HTMLDialogElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const like = action === 'replace' && current ? current : undefined;
  const [values, setValues] = useState<Record<Field, string>>({
    partNumber: like?.partNumber ?? '',
    serialNumber: '',
    kind: like?.kind ?? 'mechanical',
    revision: like?.revision ?? '',
    softwareVersion: '',
    reason: '',
    workOrder: '',
    effectiveAt: '',
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const fieldErrors = new Map<Field, string>();
  if (error instanceof ApiError)
    for (const item of error.errors) {
      const field = fieldOf(item.path);
      if (field && !fieldErrors.has(field)) fieldErrors.set(field, item.message);
    }

  useEffect(() => {
    const element = dialog.current;
    if (!element || element.open) return;
    element.showModal();
    element.querySelector<HTMLElement>('input, select')?.focus();
  }, []);
  // After a refusal that names fields, focus goes to the first one.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);

  const set = (field: Field) => (event: Event) =>
    setValues({ ...values, [field]: (event.currentTarget as HTMLInputElement).value });
  const id = (field: Field) => `change-${field}`;
  /** An input with its label, an optional hint and the API's message when it names this field. */
  const input = (
    field: Field,
    label: string,
    options: { required?: boolean; hint?: string; type?: 'text' | 'time' } = {},
  ) => {
    const described = [
      options.hint ? `${id(field)}-hint` : '',
      fieldErrors.has(field) ? `${id(field)}-error` : '',
    ].filter(Boolean);
    return (
      <label for={id(field)}>
        {label}
        <input
          id={id(field)}
          name={field}
          type="text"
          {...(options.type === 'time' ? { placeholder: 'YYYY-MM-DD HH:MM:SS', autoComplete: 'off' } : {})}
          value={values[field]}
          required={options.required}
          aria-invalid={fieldErrors.has(field) ? 'true' : undefined}
          aria-describedby={described.length ? described.join(' ') : undefined}
          onInput={set(field)}
        />
        {options.hint && (
          <span class="hint" id={`${id(field)}-hint`}>
            {options.hint}
          </span>
        )}
        {fieldErrors.has(field) && (
          <span class="field-error" id={`${id(field)}-error`}>
            {fieldErrors.get(field)}
          </span>
        )}
      </label>
    );
  };

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setError(undefined);
    setBusy(true);
    const effectiveAt = fromLocalInput(values.effectiveAt);
    const body: ChangeSetBody = {
      reason: values.reason.trim(),
      ...(values.workOrder.trim() ? { workOrder: values.workOrder.trim() } : {}),
      ...(effectiveAt ? { effectiveAt } : {}),
      operations: [operationOf(action, node.path, values)],
    };
    try {
      const twin = await api<Twin>('POST', `${props.base}/changes`, { body, ifMatch: props.twin.version });
      const removed = action === 'remove' || action === 'replace' ? (current ?? undefined) : undefined;
      props.onClose({ version: twin.version, ...(removed ? { removed } : {}) });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  const stale = error instanceof ApiError && error.status === 412;
  return (
    <dialog
      ref={dialog}
      class="change-dialog"
      aria-labelledby="change-dialog-title"
      aria-describedby="change-dialog-what"
      onClose={() => props.onClose()}
    >
      <form ref={form} onSubmit={submit} aria-labelledby="change-dialog-title">
        <h2 id="change-dialog-title">
          {TITLES[action]} at {node.path}
        </h2>
        <p id="change-dialog-what" class="muted">
          {current ? `Installed now: ${describeComponent(current)}.` : 'The position is empty.'} Based on
          version {props.twin.version} of {props.twin.serialNumber}.
        </p>
        {(action === 'install' || action === 'replace') && (
          <fieldset>
            <legend>{action === 'install' ? 'Component to install' : 'New component'}</legend>
            <div class="row">
              {input('partNumber', 'Part number', { required: true })}
              {input('serialNumber', 'Serial number')}
              <label for={id('kind')}>
                Kind
                <select id={id('kind')} name="kind" value={values.kind} onChange={set('kind')}>
                  {KINDS.map((kind) => (
                    <option key={kind}>{kind}</option>
                  ))}
                </select>
              </label>
              {input('revision', 'Revision')}
              {values.kind === 'software' && input('softwareVersion', 'Software version')}
            </div>
          </fieldset>
        )}
        {action === 'update-software' && (
          <div class="row">
            {input('softwareVersion', 'New software version', {
              required: true,
              ...(current?.softwareVersion ? { hint: `now ${current.softwareVersion}` } : {}),
            })}
          </div>
        )}
        <fieldset>
          <legend>Change set</legend>
          <div class="row">
            {input('reason', 'Reason', { required: true })}
            {input('workOrder', 'Work order')}
            {input('effectiveAt', 'Effective at (UTC)', {
              type: 'time',
              hint: 'UTC, 24-hour: YYYY-MM-DD HH:MM:SS; empty: now',
            })}
          </div>
        </fieldset>
        <ErrorBanner error={error} {...(stale ? { onRetry: props.onReload } : {})} />
        <div class="row dialog-buttons">
          <button type="submit" class="primary" aria-busy={busy ? 'true' : 'false'}>
            Record change
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
