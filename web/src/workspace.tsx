import { ChangeActions } from './pages/change';
import { CompliancePanel } from './pages/compliance';
import { ConfigurationTab } from './pages/configuration';
import { ConformancePanel, ModelEditor } from './pages/conformance';
import { DiffPanel, HistoryTimeline } from './pages/history';
import { InspectionsPanel } from './pages/inspections';
import { LifeTab, lifeShown } from './pages/llp-sheet';
import { PositionDetails } from './pages/position';
import { PositionFindings } from './pages/position-findings';
import { PositionUsage } from './pages/position-usage';
import { ThreadPanel } from './pages/thread';
import { NESTED } from './tree';
import type { PaneSection, TwinTab } from './twin-context';

/**
 * The tabs of a twin, in order. Adding one is one line here: `{ id, label, render: (context) => <MyPanel … /> }`
 * (its component in its own file under web/src/pages/; `shows` hides it where it does not apply).
 */
export const TWIN_TABS: TwinTab[] = [
  {
    id: 'configuration',
    label: 'Configuration',
    render: (context) => <ConfigurationTab context={context} />,
  },
  {
    id: 'history',
    label: 'History',
    render: (context) => (
      <HistoryTimeline
        base={context.base}
        shared={Boolean(context.owner)}
        time={context.time}
        key={context.twin.version}
      />
    ),
  },
  { id: 'thread', label: 'Thread', render: (context) => <ThreadPanel context={context} /> },
  { id: 'inspections', label: 'Inspections', render: (context) => <InspectionsPanel context={context} /> },
  {
    id: 'compliance',
    label: 'Compliance',
    render: (c) => <CompliancePanel context={c} />,
    shows: (c) => !c.owner,
  },
  {
    id: 'conformance',
    label: 'Conformance',
    render: (context) => (
      <>
        <ConformancePanel
          judged={context.conformance}
          onSelect={(path) => {
            context.select(path);
            context.openTab('configuration');
          }}
        />
        {context.canWrite && <ModelEditor productPartNumber={context.twin.product.partNumber} />}
      </>
    ),
    // a view that does not show conformance, or a shared twin without the read: no tab
    shows: (context) =>
      context.owner ? Boolean(context.conformance.data) : context.conformance.data !== null,
  },
  { id: 'life', label: 'Life', render: (context) => <LifeTab context={context} />, shows: lifeShown },
  {
    id: 'compare',
    label: 'Compare',
    render: (context) => <DiffPanel base={context.base} canWrite={context.canWrite} />,
    shows: (context) => !context.owner,
  },
];

/**
 * The sections of the details pane for the selected position, top to bottom. Adding one is one
 * line here: `{ id, render: (context) => <MySection … /> }` (null: nothing for this position).
 */
export const PANE_SECTIONS: PaneSection[] = [
  { id: 'details', render: (context) => <PositionDetails context={context} /> },
  { id: 'findings', render: (context) => <PositionFindings context={context} /> },
  { id: 'usage-life', render: (context) => <PositionUsage context={context} /> },
  {
    id: 'change',
    render: (context) =>
      context.canChange && !context.node.path.includes(NESTED) ? (
        <ChangeActions
          key={context.node.path}
          base={context.base}
          twin={context.twin}
          node={context.node}
          onChanged={context.reload}
        />
      ) : null,
  },
];
