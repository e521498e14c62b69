export interface Component {
  partNumber: string;
  serialNumber?: string;
  revision?: string;
  kind: 'mechanical' | 'electrical' | 'software';
  softwareVersion?: string;
  twinId?: string;
  attributes?: Record<string, unknown>;
  /** The installed twin itself, when the twin was read with `?expand=twins`. */
  twin?: Twin;
}

export interface TreeNode {
  position: string;
  path: string;
  name?: string;
  component: Component | null;
  children: TreeNode[];
  twin?: Twin;
}

export interface Twin {
  id: string;
  serialNumber: string;
  product: { partNumber: string; revision?: string; name?: string };
  oem?: string;
  site?: string;
  lifecycle: string;
  type?: string;
  attributes: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
  configuration: TreeNode[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Operation {
  op: string;
  position?: string;
  from?: string;
  to?: string;
  component?: Component;
  softwareVersion?: string;
  revision?: string;
  attributes?: Record<string, unknown>;
  name?: string;
  /** `set-twin`: a twin-level field that changed (null: absent) */
  site?: FieldChange;
  type?: FieldChange;
}

export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface ChangeSet {
  id: string;
  reason: string;
  workOrder?: string;
  effectiveAt: string;
  recordedAt: string;
  actor: { sub: string; tenant?: string } | string;
  operations: Operation[];
}

export interface Baseline {
  id: string;
  name: string;
  at: string;
}

export interface DiffChange {
  path: string;
  from: Component | null;
  to: Component | null;
}

export interface ConfigurationDiff {
  from: { asOf: string; knownAt: string; baseline?: { id: string; name: string } };
  to: { asOf: string; knownAt: string; baseline?: { id: string; name: string } };
  added: DiffChange[];
  removed: DiffChange[];
  replaced: DiffChange[];
  versionChanged: DiffChange[];
  positionsAdded: string[];
  positionsRemoved: string[];
}

export interface DocumentMeta {
  id: string;
  kind: string;
  title: string;
  version?: number;
  latestVersion?: number;
  availableVersion?: number;
  contentType: string;
  size?: number;
  effectivity?: {
    partNumber: string;
    revisions?: string[];
    softwareVersions?: string;
    serialNumbers?: unknown;
  };
}

export interface Discrepancy {
  path: string;
  kind: string;
  expected?: Record<string, unknown> | null;
  observed?: Record<string, unknown> | null;
}

export interface Inspection {
  id: string;
  performedAt: string;
  recordedAt?: string;
  documents?: string[];
  inspector: string;
  findings?: string;
  observed: { path: string; serialNumber?: string | null; partNumber?: string; softwareVersion?: string }[];
  discrepancies?: Discrepancy[];
}

export interface Thread {
  documents: { document: DocumentMeta; via: 'link' | 'effectivity'; path?: string }[];
  inspections: Inspection[];
  changes: ChangeSet[];
  /** More inspections (or changes) follow: the thread again with this cursor. */
  inspectionsNextCursor?: string;
  changesNextCursor?: string;
}
