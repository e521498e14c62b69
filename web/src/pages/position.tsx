import { href } from '../router';
import { NESTED, softwareText } from '../tree';
import type { TwinContext } from '../twin-context';
import type { TreeNode } from '../types';
import { KindBadge, Link } from '../ui';

/** The work package page of a position, for an own twin or a shared one. */
export const workPackageHref = (context: TwinContext, path: string) =>
  `${context.owner ? href('shared', context.owner, context.twin.id, 'work-package') : href('twins', context.twin.id, 'work-package')}?position=${encodeURIComponent(path)}`;

/** The selected position: what is installed, what is flagged on it, and where to go from it. */
export function PositionDetails(props: { context: TwinContext & { node: TreeNode } }) {
  const { context } = props;
  const { node } = context;
  const component = node.component;
  const marks = context.markers.get(node.path);
  return (
    <>
      {node.name && <p>{node.name}</p>}
      {component ? (
        <dl class="details">
          <dt>Kind</dt>
          <dd>
            <KindBadge kind={component.kind} />
          </dd>
          <dt>Part number</dt>
          <dd>
            <code>{component.partNumber}</code>
          </dd>
          {component.serialNumber && (
            <>
              <dt>Serial number</dt>
              <dd>
                <Link href={href('components', component.partNumber, component.serialNumber)}>
                  {component.serialNumber}
                </Link>
              </dd>
            </>
          )}
          {component.revision && (
            <>
              <dt>Revision</dt>
              <dd>{component.revision}</dd>
            </>
          )}
          {component.softwareVersion && (
            <>
              <dt>Software version</dt>
              <dd title={softwareText(component.softwareVersion)}>{component.softwareVersion}</dd>
            </>
          )}
          {component.twinId && (
            <>
              <dt>Installed twin</dt>
              <dd>
                <Link href={href('twins', component.twinId)}>open the installed twin</Link>
              </dd>
            </>
          )}
        </dl>
      ) : node.children.length > 0 ? (
        <p>
          A grouping position of {node.children.length} positions; nothing is installed at a group itself.
        </p>
      ) : (
        <p class="empty-position">No component installed.</p>
      )}
      {marks && (marks.discrepancies > 0 || marks.bulletins.length > 0) && (
        <ul class="marks">
          {marks.discrepancies > 0 && (
            <li>
              <span class="badge marker-discrepancy">open discrepancy</span> found by the last inspection here
              (see Inspections)
            </li>
          )}
          {marks.bulletins.map((title) => (
            <li key={title}>
              <span class="badge marker-bulletin">bulletin applies</span> {title}
            </li>
          ))}
        </ul>
      )}
      {/* a position of an installed twin has its work package on that twin's page */}
      {!node.path.includes(NESTED) && (
        <p class="row no-print">
          <Link href={workPackageHref(context, node.path)}>Work package for {node.path}</Link>
          {context.canInspect && (
            <button type="button" onClick={() => context.openTab('inspections')}>
              Inspect {node.path} and below
            </button>
          )}
        </p>
      )}
    </>
  );
}
