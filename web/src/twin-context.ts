import type { ConformanceState } from './findings';
import type { LifeSheetState } from './pages/llp-sheet';
import type { NodeMarkers } from './tree';
import type { Thread, TreeNode, Twin } from './types';

/** The time every panel of a twin shows: valid time (asOf) and record time (knownAt); absent: now. */
export interface TimePoint {
  asOf?: string;
  knownAt?: string;
}

/** The thread as the twin page loaded it once for every panel (documents at asOf, inspections paged). */
export interface ThreadState {
  data?: Thread;
  inspections: Thread['inspections'];
  hasMoreInspections: boolean;
  loading: boolean;
  error?: unknown;
  more: () => void;
  reload: () => void;
}

/**
 * What a tab or a pane section of the twin workspace gets: the twin at the chosen time, the
 * selection, what the user may do, and the thread. Panels added by other issues take this too.
 */
export interface TwinContext {
  /** `/v1/twins/{id}` or `/v1/shared/twins/{owner}/{id}` */
  base: string;
  owner?: string;
  twin: Twin;
  /** The tree with installed twins nested in (paths of those contain NESTED). */
  configuration: TreeNode[];
  node?: TreeNode;
  select: (path: string) => void;
  time: TimePoint;
  roles: string[];
  canWrite: boolean;
  canChange: boolean;
  canInspect: boolean;
  thread: ThreadState;
  markers: Map<string, NodeMarkers>;
  /** The unit's conformance at the time shown (data null: the view does not show it). */
  conformance: ConformanceState;
  /** The unit's LLP sheet at the time shown (data null: the view does not show usage). */
  life: LifeSheetState;
  /** The twin was changed: read it again (and the thread). */
  reload: () => void;
  /** Opens another tab of the workspace (`inspections`, …). */
  openTab: (id: string) => void;
}

/** A tab of the twin workspace: `render` draws its panel; `shows` hides it where it does not apply. */
export interface TwinTab {
  id: string;
  label: string;
  render: (context: TwinContext) => preact.JSX.Element;
  shows?: (context: TwinContext) => boolean;
}

/** A section of the details pane beside the tree, for the selected position. */
export interface PaneSection {
  id: string;
  render: (context: TwinContext & { node: TreeNode }) => preact.JSX.Element | null;
}
