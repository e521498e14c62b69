import { findingLabel } from '../findings';
import type { TwinContext } from '../twin-context';
import type { TreeNode } from '../types';

/**
 * The selected position's conformance findings at the page's time (a missing mandatory position
 * below it is listed here too, with its path); nothing where there are none or the view hides them.
 */
export function PositionFindings(props: { context: TwinContext & { node: TreeNode } }) {
  const findings = props.context.conformance.byNode.get(props.context.node.path) ?? [];
  if (findings.length === 0) return null;
  return (
    <section aria-labelledby="position-findings-heading" class="position-findings">
      <h3 id="position-findings-heading">Conformance findings</h3>
      <ul class="findings" aria-label={`Findings at ${props.context.node.path}`}>
        {findings.map((finding) => (
          <li
            class="finding"
            key={`${finding.path}:${finding.rule}:${finding.code}`}
            data-level={finding.level}
          >
            <span class={`badge conformance-${finding.level}`}>{findingLabel(finding)}</span>{' '}
            {finding.message}
            {finding.path !== props.context.node.path && (
              <>
                {' '}
                (at <code>{finding.path}</code>, not in the tree)
              </>
            )}{' '}
            <span class="muted">rule {finding.rule}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
