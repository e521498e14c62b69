import type { TwinDataShape } from '../route-table/route';
import type { ViewBody } from '../schemas/sharing';
import type { Component, Node } from '../schemas/twin';

/**
 * A view as stored: a versioned projection of twins for a party (through a grant) or a role.
 * An absent list allows everything, an empty list nothing; an absent flag allows.
 */
export interface View extends ViewBody {
  id: string;
  version: number;
}

/** The view that hides nothing (owners and admins read through it). */
export const FULL_VIEW: Omit<View, 'id' | 'version' | 'name'> = {};

/**
 * What several views show together (a party holding two grants on one twin sees both shares): the
 * union of their positions, kinds, attributes and document kinds; history and baselines if any shows them.
 */
export function unionOfViews(views: readonly Omit<View, 'id' | 'version' | 'name'>[]): ViewBody {
  const union = (lists: (readonly string[] | undefined)[]) =>
    lists.some((list) => list === undefined) ? undefined : [...new Set(lists.flatMap((list) => list ?? []))];
  const defined = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    name: 'union',
    ...defined('positions', union(views.map((view) => view.positions))),
    ...defined('kinds', union(views.map((view) => view.kinds))),
    ...defined('twinAttributes', union(views.map((view) => view.twinAttributes))),
    ...defined('componentAttributes', union(views.map((view) => view.componentAttributes))),
    ...defined('documentKinds', union(views.map((view) => view.documentKinds))),
    history: views.some((view) => view.history !== false),
    baselines: views.some((view) => view.baselines !== false),
    usage: views.some((view) => view.usage === true),
    ...(views.some((view) => view.conformance === true) ? { conformance: true } : {}),
  } as ViewBody;
}

type Projection = Omit<ViewBody, 'name'>;

/** Is a position (by full path) inside the view: equal to one of its prefixes or below one? */
export const pathVisible = (view: Projection, path: string) =>
  view.positions === undefined ||
  view.positions.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** Does the view hide anything of a twin's tree (positions or component kinds)? */
const restrictsTree = (view: Projection) => view.positions !== undefined || view.kinds !== undefined;

function pick(
  attributes: unknown,
  allowed: readonly string[] | undefined,
): Record<string, unknown> | undefined {
  if (attributes === null || typeof attributes !== 'object') return undefined;
  const entries = Object.entries(attributes as Record<string, unknown>);
  return Object.fromEntries(
    allowed === undefined ? entries : entries.filter(([name]) => allowed.includes(name)),
  );
}

const COMPONENT_FIELDS = [
  'partNumber',
  'serialNumber',
  'revision',
  'kind',
  'softwareVersion',
  'twinId',
  'type',
];

/** A component as the view shows it, or `undefined` when its kind is hidden. Only known fields pass. */
export function projectComponent(view: Projection, component: Component): Component | undefined {
  if (view.kinds !== undefined && !view.kinds.includes(component.kind)) return undefined;
  const shown: Record<string, unknown> = {};
  for (const field of COMPONENT_FIELDS) {
    const value = (component as Record<string, unknown>)[field];
    if (value !== undefined) shown[field] = value;
  }
  const attributes = pick(component.attributes, view.componentAttributes);
  if (attributes !== undefined) shown.attributes = attributes;
  return shown as Component;
}

/** `{[key]: projected}` with the key left out when the component is hidden (redaction is absence). */
const componentField = (view: Projection, key: string, component: Component | null | undefined) => {
  if (component === undefined) return {};
  if (component === null) return { [key]: null };
  const shown = projectComponent(view, component);
  return shown === undefined ? {} : { [key]: shown };
};

/**
 * The configuration tree through the view: positions outside it are absent; a visible position
 * below a hidden one comes up in its place (its `path` still says where it is).
 */
export function projectNodes(view: Projection, nodes: readonly Node[]): Node[] {
  const shown: Node[] = [];
  for (const node of nodes) {
    const children = projectNodes(view, node.children);
    if (!pathVisible(view, node.path)) {
      shown.push(...children);
      continue;
    }
    shown.push({
      position: node.position,
      path: node.path,
      ...(node.name === undefined ? {} : { name: node.name }),
      ...componentField(view, 'component', node.component),
      children,
    } as Node);
  }
  return shown;
}

type Data = Record<string, unknown>;
const list = (value: unknown): Data[] => (Array.isArray(value) ? (value as Data[]) : []);

/** A twin (or a twin's list entry) through the view: its attributes picked, its tree projected. */
function projectTwin(view: Projection, twin: Data): Data {
  const { attributes, configuration, conformance, ...rest } = twin;
  return {
    ...rest,
    ...(conformance === undefined || view.conformance !== true
      ? {}
      : {
          conformance: {
            ...(conformance as Data),
            findings: projectFindings(view, (conformance as Data).findings),
            warnings: projectFindings(view, (conformance as Data).warnings),
          },
        }),
    ...(attributes === undefined ? {} : { attributes: pick(attributes, view.twinAttributes) }),
    ...(configuration === undefined
      ? {}
      : { configuration: projectNodes(view, list(configuration) as never) }),
  };
}

/** The paths an operation touches (none for a lifecycle move). */
const operationPaths = (operation: Data) =>
  ['position', 'from', 'to'].flatMap((key) =>
    typeof operation[key] === 'string' && operation.op !== 'lifecycle' ? [operation[key] as string] : [],
  );

/**
 * An operation through the view, or `undefined`: every path it touches must be visible, and an
 * installed component of a hidden kind hides the operation. Mount entries (`installed-in`) name a
 * position of another twin: shown only when the view does not restrict positions.
 */
function projectOperation(view: Projection, operation: Data): Data | undefined {
  if (operation.op === 'installed-in' || operation.op === 'removed-from')
    return view.positions === undefined ? { ...operation } : undefined;
  // the as-built record's counts would tell how much the view hides
  if (operation.op === 'as-built') return restrictsTree(view) ? { op: 'as-built' } : { ...operation };
  if (operation.op === 'set-twin') return projectTwinEdit(view, operation);
  if (!operationPaths(operation).every((path) => pathVisible(view, path))) return undefined;
  const { component, attributes, ...rest } = operation;
  const shown: Data = { ...rest };
  if (component !== undefined) {
    const projected = projectComponent(view, component as Component);
    if (projected === undefined) return undefined;
    shown.component = projected;
  }
  if (attributes !== undefined) shown.attributes = pick(attributes, view.componentAttributes);
  return shown;
}

/**
 * An edit of the twin's own fields: site and type as the twin shows them, attributes (old and new
 * values) only those the view allows; `undefined` when nothing visible changed.
 */
function projectTwinEdit(view: Projection, operation: Data): Data | undefined {
  const { attributes, ...rest } = operation;
  const shown = attributes === undefined ? undefined : pick(attributes, view.twinAttributes);
  const visible = shown !== undefined && Object.keys(shown).length > 0;
  if (!visible && rest.site === undefined && rest.type === undefined) return undefined;
  return { ...rest, ...(visible ? { attributes: shown } : {}) };
}

const ENTRY_FIELDS = ['id', 'seq', 'reason', 'workOrder', 'effectiveAt', 'recordedAt', 'actor'];

/** A history entry (change set) through the view, or `undefined` when none of its operations is visible. */
function projectEntry(view: Projection, entry: Data): Data | undefined {
  const operations = list(entry.operations).flatMap((operation) => projectOperation(view, operation) ?? []);
  if (operations.length === 0) return undefined;
  const shown: Data = {};
  for (const field of ENTRY_FIELDS) if (entry[field] !== undefined) shown[field] = entry[field];
  return { ...shown, operations };
}

const projectEntries = (view: Projection, entries: unknown) =>
  view.history === false ? [] : list(entries).flatMap((entry) => projectEntry(view, entry) ?? []);

/**
 * An inspection through the view, or `undefined` when it observed nothing visible. Findings are
 * free text about everything observed: kept only when every observed position is visible.
 */
function projectInspection(view: Projection, inspection: Data): Data | undefined {
  const { observed, discrepancies, findings, documents, ...rest } = inspection;
  const all = list(observed);
  const shownObserved = all.filter((observation) => pathVisible(view, String(observation.path)));
  if (all.length > 0 && shownObserved.length === 0) return undefined;
  return {
    ...rest,
    ...(findings !== undefined && shownObserved.length === all.length ? { findings } : {}),
    ...(documents !== undefined && view.documentKinds === undefined ? { documents } : {}),
    observed: shownObserved.map((observation) => projectObservation(view, observation)),
    ...(discrepancies === undefined ? {} : { discrepancies: projectDiscrepancies(view, discrepancies) }),
  };
}

/**
 * Discrepancies at visible positions. What was expected or observed names a part whose kind the
 * entry does not say: with kinds restricted it is kept only where `kindShown` vouches for the
 * position (a work package knows what is installed), otherwise only the position and the kind of
 * discrepancy remain.
 */
const projectDiscrepancies = (
  view: Projection,
  discrepancies: unknown,
  kindShown?: (path: string) => boolean,
) =>
  list(discrepancies).flatMap((discrepancy) => {
    const path = String(discrepancy.path);
    if (!pathVisible(view, path)) return [];
    if (view.kinds === undefined || kindShown?.(path)) return [discrepancy];
    return [{ path, kind: discrepancy.kind }];
  });

/** An observation at a visible position; with kinds restricted, only the position (and an empty finding). */
const projectObservation = (view: Projection, observation: Data): Data =>
  view.kinds === undefined
    ? observation
    : { path: observation.path, ...(observation.serialNumber === null ? { serialNumber: null } : {}) };

/** Does the view show documents of this kind? */
export const documentKindShown = (view: Projection, kind: unknown) =>
  view.documentKinds === undefined || view.documentKinds.includes(kind as never);

/** A thread document: its kind allowed, its position visible, and the component it came through of a visible kind. */
const documentVisible = (view: Projection, entry: Data) => {
  const kindShown = documentKindShown(view, (entry.document as Data | undefined)?.kind);
  const componentShown =
    entry.componentKind === undefined ||
    view.kinds === undefined ||
    view.kinds.includes(entry.componentKind as never);
  return kindShown && componentShown && (entry.path === undefined || pathVisible(view, String(entry.path)));
};

/** A component change of a diff: hidden when its path is, each side absent when its kind is. */
function projectChange(view: Projection, change: Data): Data | undefined {
  if (!pathVisible(view, String(change.path))) return undefined;
  const from = componentField(view, 'from', change.from as Component | null);
  const to = componentField(view, 'to', change.to as Component | null);
  if (!('from' in from) && !('to' in to)) return undefined;
  return { path: change.path, ...from, ...to };
}

/** A located component (fleet item, installed part): shown when its path and kind are. */
function projectLocated(view: Projection, item: Data): Data | undefined {
  if (typeof item.path === 'string' && !pathVisible(view, item.path)) return undefined;
  const { component, ...rest } = item;
  if (component === undefined || component === null)
    return { ...rest, ...(component === null ? { component } : {}) };
  const shown = projectComponent(view, component as Component);
  return shown === undefined ? undefined : { ...rest, component: shown };
}

const projectAll = (items: unknown, project: (item: Data) => Data | undefined) =>
  list(items).flatMap((item) => project(item) ?? []);

/**
 * An inspection event through the view: shown when it observed a visible position, with only those
 * positions and the discrepancies found there. One without the positions it observed (recorded before
 * events carried them) is shown only through a view that does not restrict positions.
 */
function projectInspectionEvent(view: Projection, event: Data): Data | undefined {
  if (view.positions === undefined) return { ...event };
  if (!Array.isArray(event.paths)) return undefined;
  const paths = list(event.paths).filter((path) => pathVisible(view, String(path)));
  if (paths.length === 0) return undefined;
  const discrepancyPaths = list(event.discrepancyPaths).filter((path) => pathVisible(view, String(path)));
  return { ...event, paths, discrepancyPaths, discrepancies: discrepancyPaths.length };
}

/** Events about usage and life: only through a view that shows usage. */
const USAGE_EVENTS = ['usage.recorded', 'life.status-changed', 'part.defined', 'component.overhauled'];

/** Change-feed events: those with operations keep only the visible ones; history events need history. */
function projectEvent(view: Projection, event: Data): Data | undefined {
  const type = String(event.type);
  if (type === 'inspection.recorded') return projectInspectionEvent(view, event);
  if (type.startsWith('compliance.')) return projectComplianceEvent(view, event);
  if (view.history === false && (type.startsWith('change-set') || type === 'twin.created')) return undefined;
  if (view.baselines === false && type.startsWith('baseline.')) return undefined;
  if (view.usage !== true && USAGE_EVENTS.includes(type)) return undefined;
  if (type.startsWith('document') && view.documentKinds !== undefined) {
    if (!view.documentKinds.includes(event.kind as never)) return undefined;
  }
  if (type === 'twin.created' && restrictsTree(view)) {
    const { positions: _positions, installations: _installations, ...rest } = event;
    return rest;
  }
  if (event.operations === undefined) return { ...event };
  const operations = projectAll(event.operations, (operation) => projectOperation(view, operation));
  return operations.length === 0 ? undefined : { ...event, operations };
}

/** Compliance events: only through a view that shows compliance, naming only visible positions. */
function projectComplianceEvent(view: Projection, event: Data): Data | undefined {
  if (view.conformance !== true) return undefined;
  if (event.paths === undefined) return { ...event };
  const paths = list(event.paths).filter((path) => pathVisible(view, String(path)));
  return paths.length === 0 ? undefined : { ...event, paths };
}

/** One requirement's compliance: only of a document kind shown, naming only visible positions. */
function projectRequirement(view: Projection, item: Data | null | undefined): Data | undefined {
  if (!item || !documentKindShown(view, item.kind)) return undefined;
  const { embodiedAt, ...rest } = item;
  return {
    ...rest,
    ...(embodiedAt === undefined
      ? {}
      : { embodiedAt: list(embodiedAt).filter((path) => pathVisible(view, String(path))) }),
  };
}

const page = (data: Data, project: (item: Data) => Data | undefined): Data => ({
  ...data,
  items: projectAll(data.items, project),
});

/**
 * The one projection of twin data through a view, for every answer that carries twin data (the
 * route table names each answer's shape). What the view does not allow is absent, not null.
 * `undefined` means the whole answer is outside the view: the caller answers 404.
 */
export function projectThroughView(data: { shape: TwinDataShape; body: unknown }, view: Projection): unknown {
  const body = data.body as Data;
  switch (data.shape) {
    case 'twin':
      return projectTwin(view, body);
    case 'twin-list':
      return page(body, (twin) => projectTwin(view, twin));
    case 'history':
      return view.history === false ? undefined : page(body, (entry) => projectEntry(view, entry));
    case 'diff':
      if (view.history === false) return undefined;
      return {
        from: body.from,
        to: body.to,
        added: projectAll(body.added, (change) => projectChange(view, change)),
        removed: projectAll(body.removed, (change) => projectChange(view, change)),
        replaced: projectAll(body.replaced, (change) => projectChange(view, change)),
        versionChanged: projectAll(body.versionChanged, (change) => projectChange(view, change)),
        positionsAdded: list(body.positionsAdded).filter((path) => pathVisible(view, String(path))),
        positionsRemoved: list(body.positionsRemoved).filter((path) => pathVisible(view, String(path))),
      };
    case 'baseline':
      return view.baselines === false ? undefined : projectTwin(view, body);
    case 'baseline-list':
      return view.baselines === false ? undefined : page(body, (baseline) => projectTwin(view, baseline));
    case 'thread':
      return {
        documents: list(body.documents).filter((entry) => documentVisible(view, entry)),
        inspections: projectAll(body.inspections, (inspection) => projectInspection(view, inspection)),
        changes: projectEntries(view, body.changes),
      };
    case 'inspection': {
      // with apply=true the answer also carries the twin after the change and the change set
      const { twin, changeSet, ...rest } = body;
      const entry = changeSet === undefined ? undefined : projectEntries(view, [changeSet])[0];
      return {
        ...rest,
        inspection: projectInspection(view, body.inspection as Data) ?? {},
        discrepancies: projectDiscrepancies(view, body.discrepancies),
        ...(twin === undefined ? {} : { twin: projectTwin(view, twin as Data) }),
        ...(entry === undefined ? {} : { changeSet: entry }),
      };
    }
    case 'inspection-list':
      return page(body, (inspection) => projectInspection(view, inspection));
    case 'work-package': {
      if (!pathVisible(view, String(body.position))) return undefined;
      const installedAt = new Map(
        list(body.installed).map((item) => [String(item.path), item.component as Component | null]),
      );
      const kindShown = (path: string) => {
        const component = installedAt.get(path);
        return (
          component === null || (component !== undefined && projectComponent(view, component) !== undefined)
        );
      };
      const lastInspection = body.lastInspection
        ? projectInspection(view, body.lastInspection as Data)
        : null;
      const { lifeRemaining, allowedAlternatives, openRequirements, ...package_ } = body;
      const installed = projectAll(body.installed, (item) => projectLocated(view, item));
      const shownParts = new Set(
        list(installed)
          .filter((item) => item.component)
          .map((item) => String(item.path)),
      );
      return {
        ...package_,
        ...(view.usage === true
          ? { lifeRemaining: list(lifeRemaining).filter((life) => shownParts.has(String(life.path))) }
          : {}),
        ...(allowedAlternatives === undefined || view.conformance !== true
          ? {}
          : {
              allowedAlternatives: list(allowedAlternatives).filter((entry) =>
                pathVisible(view, String(entry.path)),
              ),
            }),
        ...(openRequirements === undefined || view.conformance !== true
          ? {}
          : { openRequirements: projectAll(openRequirements, (item) => projectRequirement(view, item)) }),
        installed,
        documents: list(body.documents).filter((entry) => documentVisible(view, entry)),
        lastInspection: lastInspection ?? null,
        openDiscrepancies: projectDiscrepancies(view, body.openDiscrepancies, kindShown),
      };
    }
    case 'component-trace': {
      const component = projectComponent(view, body.component as Component);
      const installations = list(body.installations).filter((stay) => pathVisible(view, String(stay.path)));
      const { lastRemoval, ...trace } = body;
      const removalShown =
        lastRemoval !== undefined &&
        view.usage === true &&
        pathVisible(view, String((lastRemoval as Data).path));
      return component === undefined || installations.length === 0
        ? undefined
        : { ...trace, component, installations, ...(removalShown ? { lastRemoval } : {}) };
    }
    case 'events':
      return page(body, (event) => projectEvent(view, event));
    case 'fleet-installations':
      return page(body, (item) => projectLocated(view, item));
    case 'fleet-impact': {
      // counts over hidden positions or kinds would tell what the view hides: left out then
      const { total, bySite, byProduct, affected, ...rest } = body;
      return {
        ...rest,
        ...(restrictsTree(view) ? {} : { total, bySite, byProduct }),
        affected: projectAll(affected, (item) => projectLocated(view, item)),
      };
    }
    case 'export':
      return projectExport(view, body);
    case 'document':
      return documentKindShown(view, (body.document as Data | undefined)?.kind) ? body : undefined;
    case 'document-list':
      return page(body, (document) => (documentKindShown(view, document.kind) ? document : undefined));
    case 'type':
      return projectType(view, body);
    case 'type-list':
      return page(body, (type) => projectType(view, type));
    case 'ingest':
      // judged through the view already (judgeTwin): hidden places are unknown positions; only known fields pass
      return {
        counts: body.counts,
        ...(body.usage === undefined || view.usage !== true ? {} : { usage: body.usage }),
        results: list(body.results).map((result) =>
          Object.fromEntries(
            INGEST_RESULT_FIELDS.flatMap((field) => (field in result ? [[field, result[field]]] : [])),
          ),
        ),
      };
    case 'usage':
    case 'component-life':
    case 'fleet-life':
      return view.usage === true ? body : undefined;
    case 'component-usage':
    case 'llp-sheet':
    case 'fleet-removals':
      return view.usage === true ? projectUsage(view, data.shape, body) : undefined;
    case 'search':
      return page(body, (hit) => (searchHitShown(view, hit) ? hit : undefined));
    case 'configuration-model':
      return projectModel(view, body);
    case 'conformance': {
      if (view.conformance !== true) return undefined;
      const findings = projectFindings(view, body.findings);
      return {
        ...body,
        findings,
        ...(restrictsTree(view) && body.status !== null ? { status: statusOfFindings(findings) } : {}),
      };
    }
    case 'fleet-conformance': {
      // a unit listed only with findings the view shows; no total when the tree is restricted
      if (view.conformance !== true) return undefined;
      const { total, ...rest } = body;
      return {
        ...rest,
        ...(restrictsTree(view) ? {} : { total }),
        items: projectAll(body.items, (item) => {
          const findings = projectFindings(view, item.findings);
          return findings.length === 0 && body.status !== 'green' ? undefined : { ...item, findings };
        }),
      };
    }
    case 'compliance':
      return view.conformance === true ? page(body, (item) => projectRequirement(view, item)) : undefined;
    case 'compliance-record':
      return view.conformance === true
        ? { ...body, compliance: projectRequirement(view, body.compliance as Data | null) ?? null }
        : undefined;
    case 'document-compliance': {
      // fleet counts over hidden positions would tell what the view hides: left out then
      if (view.conformance !== true || !documentKindShown(view, body.kind)) return undefined;
      const { total, counts, ...rest } = body;
      return { ...rest, ...(restrictsTree(view) ? {} : { total, counts }) };
    }
    case 'applicability': {
      // which units a document applies to: only the document's kind shown, only visible places, no total
      const { total, byOwner, items, document, ...rest } = body;
      if (!documentKindShown(view, (document as Data | undefined)?.kind)) return undefined;
      return {
        ...rest,
        document,
        ...(restrictsTree(view) ? {} : { total, ...(byOwner === undefined ? {} : { byOwner }) }),
        items: projectAll(items, (item) => projectLocated(view, item)),
      };
    }
  }
}

/**
 * A search hit (or index entry) through the view: a twin by a field the view shows (attributes only
 * if allowed), a component of a kind shown at a visible position (one installed nowhere only through
 * a view without position limits), a document of a kind shown, an inspection the view shows (its
 * findings only when every position it observed is visible). A hidden field never matches.
 */
function searchHitShown(view: Projection, hit: Data): boolean {
  const field = String(hit.matched ?? hit.field);
  switch (hit.kind) {
    case 'twin':
      return (
        !field.startsWith('attributes.') ||
        view.twinAttributes === undefined ||
        view.twinAttributes.includes(field.slice('attributes.'.length))
      );
    case 'component': {
      if (view.kinds !== undefined && !view.kinds.includes(hit.componentKind as never)) return false;
      return typeof hit.path === 'string' ? pathVisible(view, hit.path) : view.positions === undefined;
    }
    case 'document':
      return documentKindShown(view, hit.documentKind);
    case 'inspection': {
      const paths = list(hit.paths).map(String);
      const shown = paths.filter((path) => pathVisible(view, path));
      return field === 'findings' ? shown.length === paths.length : paths.length === 0 || shown.length > 0;
    }
    default:
      return false;
  }
}

/** Findings at visible positions; their messages only when the view hides no position (they name paths). */
function projectFindings(view: Projection, findings: unknown): Data[] {
  return list(findings)
    .filter((finding) => pathVisible(view, String(finding.path)))
    .map((finding) => {
      if (!restrictsTree(view)) return { ...finding };
      const { message: _message, ...rest } = finding;
      return { ...rest, message: `${String(finding.code)} at ${String(finding.path)}` };
    });
}

const statusOfFindings = (findings: readonly Data[]) =>
  findings.some((finding) => finding.level === 'red') ? 'red' : findings.length > 0 ? 'amber' : 'green';

/** A configuration model through the view: its visible positions, the rules on visible positions only. */
function projectModel(view: Projection, model: Data): Data {
  const visible = (target: unknown) => pathVisible(view, String((target as Data | undefined)?.path));
  return {
    ...model,
    positions: list(model.positions).filter((position) => visible(position)),
    rules: list(model.rules).filter((rule) => visible(rule.when) && visible(rule.requires ?? rule.excludes)),
  };
}

const INGEST_RESULT_FIELDS = ['index', 'status', 'detail', 'twinId', 'discrepancy', 'changeSetId'];

/** A type definition through the view: only the attributes it shows of twins (or of components). */
function projectType(view: Projection, type: Data): Data {
  const allowed = type.kind === 'component' ? view.componentAttributes : view.twinAttributes;
  const { attributes, ...rest } = type;
  return { ...rest, ...(attributes === undefined ? {} : { attributes: pick(attributes, allowed) }) };
}

/** An AAS environment without its usage and life submodel (OperatingData) and the shell's reference to it. */
function withoutOperatingData(environment: Data): Data {
  const usage = (id: unknown) => String(id).endsWith(':submodel:operating-data');
  return {
    ...environment,
    assetAdministrationShells: list(environment.assetAdministrationShells).map((shell) => ({
      ...shell,
      submodels: list(shell.submodels).filter((reference) => !usage(list(reference.keys)[0]?.value)),
    })),
    submodels: list(environment.submodels).filter((model) => !usage(model.id)),
  };
}

/** Does the view hide anything at all (positions, kinds, attributes, document kinds, history, baselines)? */
const hidesAnything = (view: Projection) =>
  restrictsTree(view) ||
  view.twinAttributes !== undefined ||
  view.componentAttributes !== undefined ||
  view.documentKinds !== undefined ||
  view.history === false ||
  view.baselines === false;

/** A raw interval of an export: visible when its path is; an installation also needs its component's kind. */
function projectInterval(view: Projection, interval: Data): Data | undefined {
  if (!pathVisible(view, String(interval.path))) return undefined;
  if (interval.component === undefined) return { ...interval };
  const component = projectComponent(view, interval.component as Component);
  return component === undefined ? undefined : { ...interval, component };
}

/**
 * A raw change set of an export: its visible operations, and only the visible paths it touched. The
 * as-built record counts what the view shows of it (`asBuilt`: the projected intervals it opened), so
 * that the export stays one an import takes.
 */
function projectChangeSet(
  view: Projection,
  changeSet: Data,
  asBuilt: { positions: number; components: number },
): Data | undefined {
  const entry = projectEntry(view, changeSet);
  if (entry === undefined) return undefined;
  const paths = list(changeSet.paths).filter((path) => pathVisible(view, String(path)));
  const operations = list(entry.operations).map((operation) =>
    operation.op === 'as-built' ? { op: 'as-built', ...asBuilt } : operation,
  );
  return { ...entry, operations, ...(changeSet.paths === undefined ? {} : { paths }) };
}

/**
 * The recorded parts of an export through a view without history: the configuration it shows (the
 * `twin` part, at the export's asOf/knownAt) as if recorded then by one as-built record, so that the
 * export stays one an import takes, without a time or record from the twin's past.
 */
function presentOnly(body: Data, twin: Data): Data {
  const at = String(body.asOf ?? body.exportedAt);
  const recordedAt = String(body.knownAt ?? body.exportedAt);
  const interval = { validFrom: at, validTo: null, recordedAt, seq: 1 };
  const positions: Data[] = [];
  const installations: Data[] = [];
  const visit = (nodes: Data[]) => {
    for (const node of nodes) {
      const path = String(node.path);
      positions.push({
        path,
        ...(node.name === undefined ? {} : { name: node.name }),
        order: positions.length,
        ...interval,
      });
      if (node.component) installations.push({ path, component: node.component, since: at, ...interval });
      visit(list(node.children));
    }
  };
  visit(list(twin.configuration));
  const source = body.source as Data | undefined;
  const lifecycle =
    twin.lifecycle === undefined || twin.lifecycle === 'as-built'
      ? []
      : [{ op: 'lifecycle', to: twin.lifecycle }];
  return {
    positions,
    installations,
    changeSets: [
      {
        id: `present-${String(source?.twinId ?? twin.id)}`,
        seq: 1,
        reason: 'the configuration as shared at this time (the view shows no history)',
        effectiveAt: at,
        recordedAt,
        actor: { sub: 'twinthread', tenant: String(source?.tenant ?? 'twinthread') },
        operations: [
          { op: 'as-built', positions: positions.length, components: installations.length },
          ...lifecycle,
        ],
      },
    ],
  };
}

/**
 * An export: the twin, and its history, baselines, inspections, links and documents as far as the
 * view shows them. An Asset Administration Shell environment (format=aas) has no parts to project:
 * it passes only through a view that hides nothing, otherwise the answer is not visible.
 */
function projectExport(view: Projection, body: Data): Data | undefined {
  if (body.assetAdministrationShells !== undefined)
    return hidesAnything(view) ? undefined : view.usage === true ? { ...body } : withoutOperatingData(body);
  // a CycloneDX BOM (format=cyclonedx) likewise
  if (body.bomFormat !== undefined) return hidesAnything(view) ? undefined : { ...body };
  const { twin, history, baselines, inspections, links, documents } = body;
  const withHistory = view.history !== false;
  const shownInspections =
    inspections === undefined
      ? undefined
      : projectAll(inspections, (inspection) => projectInspection(view, inspection));
  const kindOf = new Map(list(documents).map((document) => [String(document.id), document.kind]));
  const kindShown = (documentId: unknown) =>
    view.documentKinds === undefined || view.documentKinds.includes(kindOf.get(String(documentId)) as never);
  // links carry no kind: through a view with document kinds they need the documents part to be judged
  const linksShown = links !== undefined && (view.documentKinds === undefined || documents !== undefined);
  const shownLinks = linksShown
    ? list(links)
        .filter((link) => link.position === undefined || pathVisible(view, String(link.position)))
        .filter((link) => kindShown(link.documentId))
        .map(({ actor: _actor, ...link }) => link)
    : undefined;
  const named = new Set([
    ...(shownLinks ?? []).map((link) => String(link.documentId)),
    ...list(shownInspections).flatMap((inspection) => list(inspection.documents).map(String)),
  ]);
  const shownTwin = projectTwin(view, twin as Data);
  const shownPositions =
    body.positions === undefined
      ? undefined
      : projectAll(body.positions, (position) => projectInterval(view, position));
  const shownInstallations =
    body.installations === undefined
      ? undefined
      : projectAll(body.installations, (item) => projectInterval(view, item));
  const openedByAsBuilt = (intervals: unknown[] | undefined) =>
    list(intervals).filter((interval) => interval.seq === 1).length;
  const asBuilt = {
    positions: openedByAsBuilt(shownPositions),
    components: openedByAsBuilt(shownInstallations),
  };
  // only the parts named here pass: a part added to the export format stays out until projected
  return {
    format: body.format,
    exportedAt: body.exportedAt,
    ...(body.source === undefined ? {} : { source: body.source }),
    ...(body.asOf === undefined ? {} : { asOf: body.asOf }),
    ...(body.knownAt === undefined ? {} : { knownAt: body.knownAt }),
    twin: shownTwin,
    ...(body.record === undefined ? {} : { record: projectTwin(view, body.record as Data) }),
    // raw intervals and change sets are history: absent when the view shows the present only
    ...(shownPositions === undefined || !withHistory ? {} : { positions: shownPositions }),
    ...(shownInstallations === undefined || !withHistory ? {} : { installations: shownInstallations }),
    ...(body.changeSets === undefined || withHistory ? {} : presentOnly(body, shownTwin)),
    ...(body.twinFields === undefined || !withHistory
      ? {}
      : {
          twinFields: list(body.twinFields).map(({ attributes, ...fields }) => ({
            ...fields,
            attributes: pick(attributes, view.twinAttributes) ?? {},
          })),
        }),
    ...(body.changeSets === undefined || !withHistory
      ? {}
      : {
          changeSets: projectAll(body.changeSets, (changeSet) => projectChangeSet(view, changeSet, asBuilt)),
        }),
    // stays inside other twins name their positions: shown like installed-in entries
    ...(body.mounts === undefined || !withHistory || view.positions !== undefined
      ? {}
      : { mounts: list(body.mounts).map((mount) => ({ ...mount })) }),
    ...(history === undefined || !withHistory ? {} : { history: projectEntries(view, history) }),
    ...(baselines === undefined || view.baselines === false
      ? {}
      : { baselines: list(baselines).map((baseline) => projectTwin(view, baseline)) }),
    ...(shownInspections === undefined ? {} : { inspections: shownInspections }),
    ...(shownLinks === undefined ? {} : { links: shownLinks }),
    ...(documents === undefined
      ? {}
      : {
          documents: list(documents).filter(
            (document) => named.has(String(document.id)) && kindShown(document.id),
          ),
        }),
  };
}

/**
 * Usage answers through a view that shows usage: only the stays and parts at positions it shows, parts
 * of kinds it shows. A serial's usage read through a shared unit (`twinId`) lists only its stays in
 * that unit: the owner's other units are not shared (their usage still counts in TSN and TSO).
 */
function projectUsage(view: Projection, shape: TwinDataShape, body: Data): Data | undefined {
  if (shape === 'component-usage') {
    const throughUnit = (stay: Data) => body.twinId === undefined || stay.twinId === body.twinId;
    const parameters = Object.fromEntries(
      Object.entries((body.parameters ?? {}) as Record<string, Data>).map(([name, usage]) => [
        name,
        {
          ...usage,
          stays: list(usage.stays).filter(
            (stay) => throughUnit(stay) && pathVisible(view, String(stay.path)),
          ),
        },
      ]),
    );
    return { ...body, parameters };
  }
  // nested twins' paths are their own: shown only when the view does not limit positions
  const shown = (item: Data) =>
    (view.positions === undefined || (item.twinId === body.twinId && pathVisible(view, String(item.path)))) &&
    (item.kind === undefined || view.kinds === undefined || view.kinds.includes(item.kind as never));
  return { ...body, items: list(body.items).filter(shown) };
}
