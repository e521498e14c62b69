import type { TwinHistory } from '../domain/change-set';
import { Conflict, Forbidden, InstalledElsewhere } from '../domain/errors';
import { type GrantRecord, permits } from '../domain/grant';
import { nodesInScope } from '../domain/thread';
import { assembleTwin } from '../domain/twin';
import { documentKindShown, pathVisible, projectComponent } from '../domain/view';
import type { Caller } from '../http/auth';
import { roleViewOf } from '../http/role-view';
import type { ChangeSetBody } from '../schemas/change';
import type { InspectionBody } from '../schemas/inspection';
import type { GrantPermission, ViewBody } from '../schemas/sharing';
import type { Component } from '../schemas/twin';
import { ModelRefusal } from './conformance-check';

/**
 * Someone who writes through a view: a grantee through its grants, or a caller whose role carries a
 * view inside its own tenant. Its writes are judged by the view alone (never by what the twin holds
 * where the view does not reach), so a refusal tells nothing hidden.
 */
export interface ViewWriter {
  /** What the writer sees. */
  view: ViewBody;
  /** Does anything let the writer use `permission` on this twin? */
  allows(permission: GrantPermission): boolean;
  /** May it use `permission` at every one of these paths (none: on the whole twin, a lifecycle move)? */
  permits(permission: GrantPermission, paths: readonly string[]): boolean;
  /** What refusals name: "your grant", "your role view". */
  through: string;
}

/** A grantee writes through the grants that share the twin with it (each with its permissions and view). */
export const grantWriter = (grants: readonly GrantRecord[], view: ViewBody): ViewWriter => ({
  view,
  allows: (permission) => grants.some((grant) => grant.permissions.includes(permission)),
  permits: (permission, paths) => permits(grants, permission, paths),
  through: 'your grant',
});

/** Inside its tenant, a role with a view may do what its role may, at the positions the view shows. */
export const roleViewWriter = (view: ViewBody): ViewWriter => ({
  view,
  allows: () => true,
  permits: (_permission, paths) =>
    paths.length === 0 ? view.positions === undefined : paths.every((path) => pathVisible(view, path)),
  through: 'your role view',
});

/**
 * A refusal as someone writing through a view may read it: where a component sits is told only when
 * that place is a position of this twin the view shows; another twin, or a hidden position, is
 * "elsewhere". Without a view the refusal is unchanged.
 */
export function refusalThroughView(error: unknown, view: Pick<ViewBody, 'positions'> | undefined): unknown {
  if (error instanceof ModelRefusal && view?.positions !== undefined)
    return new ModelRefusal(error.productPartNumber, error.modelVersion, error.refusals, true);
  if (view === undefined || !(error instanceof InstalledElsewhere)) return error;
  if (error.at !== undefined && error.at.twinId === undefined && pathVisible(view, error.at.path))
    return error;
  return new Conflict(
    `${error.field === undefined ? '' : `${error.field}: `}${error.what} cannot be installed here: it is installed elsewhere`,
  );
}

/** The caller's role view as a writer, when its roles carry one (admins never). */
export async function roleWriterOf(caller: Caller): Promise<ViewWriter | undefined> {
  const view = await roleViewOf(caller);
  return view === undefined ? undefined : roleViewWriter(view);
}

/** Each position must be inside what the writer may `permission`; none given means the whole twin. */
export function requireWriteInsideView(
  writer: ViewWriter,
  permission: GrantPermission,
  paths: readonly { path: string; field: string }[],
) {
  if (!writer.allows(permission))
    throw new Forbidden(`${capitalized(writer.through)} does not permit ${permission} on this twin`);
  const outside = paths.filter(({ path }) => !writer.permits(permission, [path]));
  if (outside.length > 0 || (paths.length === 0 && !writer.permits(permission, [])))
    throw new Forbidden(
      `Outside the positions ${writer.through} lets you ${permission}`,
      outside.map(({ field, path }) => ({ path: field, message: `${path} is outside ${writer.through}` })),
    );
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The positions a change set touches, each with the field that names it; lifecycle moves touch the twin. */
function changedPositions(body: Pick<ChangeSetBody, 'operations'>) {
  return body.operations.flatMap((operation, index) =>
    (['position', 'from', 'to'] as const).flatMap((key) => {
      const path = (operation as Record<string, unknown>)[key];
      return typeof path === 'string' && operation.op !== 'lifecycle'
        ? [{ path, field: `body.operations[${index}].${key}` }]
        : [];
    }),
  );
}

/**
 * A change set through a view: every position it touches inside what the writer may change, no
 * lifecycle move unless nothing limits its positions, and no component of a kind its view hides —
 * neither one it installs nor one already there.
 */
export function requireChangeInsideView(
  writer: ViewWriter,
  history: TwinHistory,
  body: Pick<ChangeSetBody, 'operations'>,
  now: Date,
) {
  requireWriteInsideView(writer, 'change', changedPositions(body));
  if (body.operations.some((operation) => operation.op === 'lifecycle'))
    requireWriteInsideView(writer, 'change', []);
  const installed = installedNow(history, now);
  body.operations.forEach((operation, index) => {
    const touched = [
      'component' in operation ? operation.component : undefined,
      ...changedPositions({ operations: [operation] }).map(({ path }) => installed.get(path)),
    ];
    if (touched.some((component) => hiddenKind(writer, component)))
      throw kindOutside(writer, `body.operations[${index}]`);
  });
}

/** What each position holds now. */
const installedNow = (history: TwinHistory, now: Date) => {
  const at = now.toISOString();
  const tree = assembleTwin(history, { asOf: at, knownAt: at }).configuration;
  return new Map(nodesInScope(tree).map((node) => [node.path, node.component]));
};

const hiddenKind = (writer: ViewWriter, component: Component | null | undefined) =>
  !!component && !projectComponent(writer.view, component);

const kindOutside = (writer: ViewWriter, field: string) =>
  new Forbidden(
    `${capitalized(writer.through)} does not cover the kind of component this operation touches`,
    [{ path: field, message: `touches a component outside ${writer.through}` }],
  );

/**
 * An inspection through a view: every observed position inside what the writer may inspect; applied
 * (`?apply=true`), also inside what it may change, and never where a component of a hidden kind sits.
 */
export function requireInspectionInsideView(
  writer: ViewWriter,
  history: TwinHistory,
  body: Pick<InspectionBody, 'observed'>,
  options: { apply: boolean; now: Date },
) {
  const observed = body.observed.map(({ path }, index) => ({ path, field: `body.observed[${index}].path` }));
  requireWriteInsideView(writer, 'inspect', observed);
  if (!options.apply) return;
  requireWriteInsideView(writer, 'change', observed);
  const installed = installedNow(history, options.now);
  for (const { path, field } of observed)
    if (hiddenKind(writer, installed.get(path))) throw kindOutside(writer, field);
}

/** A baseline recorded through a view that shows none would be a snapshot its writer cannot read. */
export function requireBaselinesInsideView(writer: ViewWriter | undefined) {
  if (writer?.view.baselines === false)
    throw new Forbidden(`${capitalized(writer.through)} shows no baselines: it cannot record one`);
}

/** A document written through a view: only of a kind it shows (a new one is refused naming `field`). */
export function requireDocumentKindInsideView(writer: ViewWriter | undefined, kind: string, field: string) {
  if (writer && !documentKindShown(writer.view, kind))
    throw new Forbidden(`${capitalized(writer.through)} shows no ${kind} documents`, [
      { path: field, message: `is outside ${writer.through}` },
    ]);
}

/** Twin attributes written through a view: only those it shows (each other one is refused by name). */
export function requireAttributesInsideView(
  writer: ViewWriter,
  attributes: Record<string, unknown> | undefined,
) {
  const allowed = writer.view.twinAttributes;
  if (attributes === undefined || allowed === undefined) return;
  const outside = Object.keys(attributes).filter((name) => !allowed.includes(name));
  if (outside.length > 0)
    throw new Forbidden(
      `Attributes outside ${writer.through}`,
      outside.map((name) => ({ path: `body.attributes.${name}`, message: `is outside ${writer.through}` })),
    );
}
