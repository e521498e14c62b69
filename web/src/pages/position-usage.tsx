import { href } from '../router';
import type { TwinContext } from '../twin-context';
import type { TreeNode } from '../types';
import { ComponentUsageLife } from './usage-life';

/** The reads of a serial's usage and life: the tenant's own (shared twins: none until grantees have them). */
const componentReads = (context: TwinContext, partNumber: string, serialNumber: string) =>
  context.owner ? undefined : href('v1', 'components', partNumber, serialNumber);

/** The selected serial's usage and life at the page's time, with a link to its whole trace. */
export function PositionUsage(props: { context: TwinContext & { node: TreeNode } }) {
  const { context } = props;
  const component = context.node.component;
  if (!component?.serialNumber) return null;
  const base = componentReads(context, component.partNumber, component.serialNumber);
  if (!base) return null;
  const query = new URLSearchParams(
    Object.entries(context.time).filter((entry): entry is [string, string] => Boolean(entry[1])),
  ).toString();
  return (
    <ComponentUsageLife
      key={`${component.partNumber}/${component.serialNumber}`}
      partNumber={component.partNumber}
      serialNumber={component.serialNumber}
      base={base}
      time={context.time}
      level={3}
      version={context.twin.version}
      traceHref={`${href('components', component.partNumber, component.serialNumber)}${query ? `?${query}` : ''}`}
    />
  );
}
