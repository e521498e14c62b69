import type { z } from 'zod';
import type { Operation } from '../schemas/change';
import type { Lifecycle, Product } from '../schemas/twin';
import type { InstallationRecord, Interval, PositionRecord } from './configuration';

/**
 * The records a twin is stored as, at the bottom of the domain: every other domain module may import
 * them, they import nothing of the domain but the interval types (so no module imports another in a circle).
 */

type AttributeMap = Record<string, unknown>;

/** The twin without its configuration tree: what the META item holds. */
export interface TwinRecord {
  id: string;
  serialNumber: string;
  product: z.infer<typeof Product>;
  oem?: string;
  site?: string;
  lifecycle: z.infer<typeof Lifecycle>;
  type?: string;
  /** The type version last validated against. */
  typeVersion?: number;
  attributes: AttributeMap;
  version: number;
  builtAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface Actor {
  sub: string;
  tenant: string;
}

/** How the as-built record appears in history: the first change set of every twin. */
export interface AsBuiltOperation {
  op: 'as-built';
  positions: number;
  components: number;
}

type FieldChange<T> = { from: T | null; to: T | null };

/**
 * How an edit of the twin's own fields (`PATCH /v1/twins/{id}`) appears in history: each field that
 * changed, from → to (`null`: absent); `attributes` lists only the attributes that changed.
 */
export interface SetTwinOperation {
  op: 'set-twin';
  site?: FieldChange<string>;
  type?: FieldChange<string>;
  attributes?: Record<string, FieldChange<unknown>>;
}

/**
 * The twin's own fields (site, type, attributes) over a bitemporal interval, like a position's:
 * append-only, opened by the edit of version `seq`, closed once by the next edit.
 */
export interface TwinFieldsRecord extends Omit<Interval, 'path'> {
  site?: string;
  type?: string;
  typeVersion?: number;
  attributes: Record<string, unknown>;
}

/** A change set as recorded: append-only, the source of the twin's history. */
export interface ChangeSetRecord {
  id: string;
  /** The twin version this change set produced. */
  seq: number;
  reason: string;
  workOrder?: string;
  effectiveAt: string;
  recordedAt: string;
  actor: Actor;
  operations: (Operation | AsBuiltOperation | SetTwinOperation)[];
  /** Every position the operations touch (for history by position). */
  paths: string[];
}

/** A stay of this twin inside another twin (systems of systems): position `path` of twin `parentId`. */
export interface MountRecord {
  parentId: string;
  path: string;
  validFrom: string;
  validTo: string | null;
  recordedAt: string;
  closedAt?: string;
  /** Who recorded the installation, and who the removal. */
  actor?: Actor;
  closedBy?: Actor;
}

/** What a twin is made of in storage: its record and every interval and change set it ever had. */
export interface TwinHistory {
  record: TwinRecord;
  positions: PositionRecord[];
  installations: InstallationRecord[];
  changeSets: ChangeSetRecord[];
  /** Where this twin was itself installed, over time. */
  mounts?: MountRecord[];
  /** Where this twin is installed now, if it is. */
  mountedIn?: { twinId: string; path: string; since: string };
  /** Named snapshots (as loaded from the store; a plan does not touch them). */
  baselines?: BaselineRecord[];
  /** Inspections of the twin (as loaded from the store; a plan does not touch them). */
  inspections?: InspectionRecord[];
  /** Documents linked to the twin or its positions. */
  links?: LinkRecord[];
  /** The twin's own fields over time (absent on twins recorded before they were kept: then only now is known). */
  twinFields?: TwinFieldsRecord[];
  /** Lifecycle moves (as loaded for time travel; derived from the change sets when absent). */
  lifecycles?: LifecycleMove[];
}

/** A lifecycle move, kept as its own item so that time travel never reads change sets. */
export interface LifecycleMove {
  to: z.infer<typeof Lifecycle>;
  effectiveAt: string;
  recordedAt: string;
  /** The twin version of the change set that made it. */
  seq: number;
}

/**
 * One position of the current configuration (item `CUR#<path>`): its open interval, the open
 * installation there if any, and the last valid time anything happened there (a back-dated change
 * must not come before it).
 */
export interface CurrentPosition {
  position: PositionRecord;
  installation?: InstallationRecord;
  lastEventAt: string;
}

/**
 * What a change is planned against: the twin now, never its past. `vacated` holds the last valid
 * time of positions that no longer exist (at least those the change names).
 */
export interface TwinState {
  record: TwinRecord;
  current: CurrentPosition[];
  vacated: Record<string, string>;
  /** Effective time of the latest lifecycle move. */
  lifecycleChangedAt?: string;
  /** The order the next added position gets (one more than any position ever had). */
  nextOrder: number;
  /** How many positions the twin has now (META; `current` may hold only the ones a change reads). */
  positionCount?: number;
  /** The software it carries now (META's summary, kept up to date from the positions each change touches). */
  software?: InstalledSoftware[];
  mountedIn?: TwinHistory['mountedIn'];
  /** META's timeline mark (shared/domain/timeline.ts): what the next change set's entry is compared with. */
  timeline?: TimelineMark;
}

/** What META keeps of the timeline: where its entries start, and the latest times of any entry so far. */
export interface TimelineMark {
  /** The first change set with an entry; every later one has one. */
  from: number;
  latestAt?: string;
  latestRecordedAt?: string;
}

/** One installed piece of software: where, which part, which version. */
export interface InstalledSoftware {
  path: string;
  partNumber: string;
  softwareVersion?: string;
}

/**
 * A named, immutable snapshot of a twin's configuration: the tree at valid time `at` as recorded at
 * `knownAt` (the moment it was taken). Only this metadata is stored: history is append-only, so the
 * configuration at (at, knownAt) can never change later and is assembled again on every read, which
 * keeps a 10,000-position snapshot out of a 400 KB item.
 */
export interface BaselineRecord {
  id: string;
  name: string;
  at: string;
  knownAt: string;
  createdAt: string;
  actor: Actor;
}

/** A document linked to a twin (no position), to one of its positions, or to a serialized component. */
export interface LinkRecord {
  documentId: string;
  twinId?: string;
  position?: string;
  component?: { partNumber: string; serialNumber: string };
  createdAt: string;
  actor: Actor;
}

/**
 * What the inspector reports at one position. `serialNumber: null` means the position was found
 * empty; a field left out is not judged (the inspector did not read it).
 */
export interface Observation {
  path: string;
  serialNumber?: string | null;
  partNumber?: string;
  softwareVersion?: string;
}

/** A component as a discrepancy shows it: the fields an inspector can read off the unit. */
export interface ComponentSummary {
  partNumber?: string;
  serialNumber?: string;
  softwareVersion?: string;
}

/** One difference between what was found and what was recorded; `null` is an empty position. */
export interface Discrepancy {
  path: string;
  kind: DiscrepancyKind;
  expected?: ComponentSummary | null;
  observed?: ComponentSummary | null;
}

/** An inspection as recorded: append-only, in the twin's partition (`INSP#<performedAt>#<id>`). */
export interface InspectionRecord {
  id: string;
  performedAt: string;
  recordedAt: string;
  inspector: string;
  findings?: string;
  observed: Observation[];
  documents?: string[];
  actor: Actor;
  /** Judged when recorded, against the configuration at `performedAt` as known then. */
  discrepancies: Discrepancy[];
}

export const DISCREPANCY_KINDS = [
  'missing',
  'unexpected-serial',
  'version-mismatch',
  'unknown-position',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];
