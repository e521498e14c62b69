import { href } from '../router';
import type { TwinContext } from '../twin-context';
import type { TreeNode } from '../types';
import { ComponentUsageLife } from './usage-life';

/**
 * The reads of a serial's usage and life: the tenant's own, or through the grant of a shared twin
 * (`/v1/shared/twins/{owner}/{id}/components/{pn}/{sn}/…`, its stays in that unit only).
 */
const componentReads = (context: TwinContext, partNumber: string, serialNumber: string) =>
  context.owner
    ? `${context.base}/components/${encodeURIComponent(partNumber)}/${encodeURIComponent(serialNumber)}`
    : href('v1', 'components', partNumber, serialNumber);

/** The selected serial's usage and life at the page's time, with a link to its whole trace. */
export function PositionUsage(props: { context: TwinContext & { node: TreeNode } }) {
  const { context } = props;
  const component = context.node.component;
  if (!component?.serialNumber) return null;
  const base = componentReads(context, component.partNumber, component.serialNumber);
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
      {...(context.owner
        ? {
            shared: {
              owner: context.owner,
              twinId: context.twin.id,
              serialNumber: context.twin.serialNumber,
            },
          }
        : {
            traceHref: `${href('components', component.partNumber, component.serialNumber)}${query ? `?${query}` : ''}`,
          })}
    />
  );
}
