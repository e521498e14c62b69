import type { ChangeSetBody } from '../schemas/change';
import { componentIdentity, parentPath } from './configuration';

/**
 * What a change set must read to be checked: the current items of the positions it names (and the
 * parent of each position it adds), the first children of each position it removes (enough to find
 * one that stays), and where the serialized components it installs sit now. Never the rest of the
 * twin, so that a change costs what it touches, not what the twin holds.
 */
export interface ChangeScope {
  paths: string[];
  /** Positions removed: read the first `limit` current items under `<path>/`. */
  subtrees: { path: string; limit: number }[];
  /** Serialized components arriving: their records say whether they already sit in this twin. */
  arriving: { partNumber: string; serialNumber: string }[];
  /** Twins arriving (systems of systems): their META says where they are installed now. */
  arrivingTwins: string[];
}

export function changeScope(body: Pick<ChangeSetBody, 'operations'>): ChangeScope {
  const paths = new Set<string>();
  const subtrees: ChangeScope['subtrees'] = [];
  const arriving = new Map<string, { partNumber: string; serialNumber: string }>();
  const arrivingTwins = new Set<string>();
  for (const operation of body.operations) {
    switch (operation.op) {
      case 'move':
        paths.add(operation.from).add(operation.to);
        break;
      case 'add-position': {
        paths.add(operation.position);
        const parent = parentPath(operation.position);
        if (parent !== null) paths.add(parent);
        break;
      }
      case 'remove-position':
        paths.add(operation.position);
        // children removed by the same change set are named by it: one more than those finds any that stays
        subtrees.push({ path: operation.position, limit: body.operations.length + 1 });
        break;
      case 'lifecycle':
        break;
      case 'install':
      case 'replace': {
        paths.add(operation.position);
        const { partNumber, serialNumber, twinId } = operation.component;
        if (twinId !== undefined) arrivingTwins.add(twinId);
        const identity = componentIdentity(operation.component);
        if (identity !== null && serialNumber !== undefined)
          arriving.set(identity, { partNumber, serialNumber });
        break;
      }
      default:
        paths.add(operation.position);
    }
  }
  return { paths: [...paths], subtrees, arriving: [...arriving.values()], arrivingTwins: [...arrivingTwins] };
}
