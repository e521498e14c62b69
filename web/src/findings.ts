import { useMemo } from 'preact/hooks';
import { api, nullWhenHidden } from './api';
import { findNode, installedTwins, NESTED, type NodeMarkers } from './tree';
import type { TimePoint } from './twin-context';
import type { TreeNode } from './types';
import { useAsync } from './ui';

/** One finding of the configuration model's judgement (GET …/conformance). */
export interface Finding {
  path: string;
  code: string;
  rule: string;
  level: 'red' | 'amber';
  message: string;
}

export interface Conformance {
  status: 'green' | 'amber' | 'red' | null;
  modelVersion: number | null;
  findings: Finding[];
}

/** A finding as the tree marks it: `path` is its place in the combined tree (installed twins nested in). */
export type FindingMark = Finding & { twinId: string };

/**
 * The unit's conformance at the page's time (null: the view does not show conformance, or the
 * twin has no such read), and the findings of it and of its installed twins by tree node.
 */
export interface ConformanceState {
  data?: Conformance | null;
  error?: unknown;
  reload: () => void;
  /** Findings by the tree path they are marked at (a missing position: its closest shown ancestor). */
  byNode: Map<string, FindingMark[]>;
}

/** The closest node of the tree at or above a path (a mandatory position that is missing has none itself). */
function shownAt(configuration: TreeNode[], path: string): string | undefined {
  const parent = (of: string) => of.slice(0, Math.max(of.lastIndexOf('/'), of.lastIndexOf(NESTED), 0));
  for (let cut = path; cut; cut = parent(cut)) {
    if (findNode(configuration, cut)) return cut;
  }
  return undefined;
}

/**
 * Reads the conformance of the unit (and, for an own twin, of each twin installed in it) at the
 * page's time, again after every change (`version`).
 */
export function useConformance(props: {
  base: string;
  twinId: string;
  shared: boolean;
  configuration: TreeNode[];
  time: TimePoint;
  /** The twin's version read (undefined: not read yet, nothing is asked). */
  version: number | undefined;
}): ConformanceState {
  const nested = props.shared ? [] : installedTwins(props.configuration);
  const key = nested.map((item) => `${item.twinId}@${item.at}`).join(',');
  const query = { asOf: props.time.asOf, knownAt: props.time.knownAt };
  const judged = useAsync(async () => {
    if (props.version === undefined) return undefined;
    const [own, ...installed] = await Promise.all([
      api<Conformance>('GET', `${props.base}/conformance`, { query }).catch(nullWhenHidden),
      ...nested.map((item) =>
        api<Conformance>('GET', `/v1/twins/${encodeURIComponent(item.twinId)}/conformance`, { query }).catch(
          nullWhenHidden,
        ),
      ),
    ]);
    const marks: FindingMark[] = [
      ...(own?.findings ?? []).map((finding) => ({ ...finding, twinId: props.twinId })),
      ...installed.flatMap((answer, index) =>
        (answer?.findings ?? []).map((finding) => ({
          ...finding,
          path: `${nested[index]!.at}${NESTED}${finding.path}`,
          twinId: nested[index]!.twinId,
        })),
      ),
    ];
    return { own, marks };
  }, [props.base, props.time.asOf, props.time.knownAt, props.version, key]);
  const byNode = useMemo(() => {
    const found = new Map<string, FindingMark[]>();
    for (const mark of judged.data?.marks ?? []) {
      const at = shownAt(props.configuration, mark.path);
      if (at) found.set(at, [...(found.get(at) ?? []), mark]);
    }
    return found;
  }, [judged.data, props.configuration]);
  return {
    ...(judged.data ? { data: judged.data.own } : {}),
    ...(judged.error ? { error: judged.error } : {}),
    reload: judged.reload,
    byNode,
  };
}

/** A finding in words, for the tree and the pane (never its colour alone): code and level. */
export const findingLabel = (finding: Pick<Finding, 'code' | 'level'>) =>
  `${finding.code} · ${finding.level}`;

/** The node markers with each node's findings added beside its discrepancies and bulletins. */
export function withFindings(
  markers: Map<string, NodeMarkers>,
  byNode: Map<string, FindingMark[]>,
): Map<string, NodeMarkers> {
  if (byNode.size === 0) return markers;
  const out = new Map(markers);
  for (const [path, findings] of byNode)
    out.set(path, { ...(out.get(path) ?? { discrepancies: 0, bulletins: [] }), findings });
  return out;
}
