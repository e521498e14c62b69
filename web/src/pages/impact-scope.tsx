import { href } from '../router';
import { loadSession } from '../session';

/** Whose units an impact question searches: the tenant's own fleet, or the installed base shared with it. */
export type ImpactScope = 'fleet' | 'installed-base';

export const IMPACT_ENDPOINT: Record<ImpactScope, string> = {
  fleet: '/v1/fleet/impact',
  'installed-base': '/v1/installed-base/impact',
};

/** The choice of fleet, as part of the impact form. */
export function ImpactScopeChoice(props: { scope: ImpactScope; onChange: (scope: ImpactScope) => void }) {
  const option = (scope: ImpactScope, label: string) => (
    <label class="inline">
      <input
        type="radio"
        name="impact-scope"
        checked={props.scope === scope}
        onChange={() => props.onChange(scope)}
      />{' '}
      {label}
    </label>
  );
  return (
    <fieldset class="row">
      <legend>Search</legend>
      {option('fleet', 'Our fleet')}
      {option('installed-base', 'Installed base (units customers share with us: paas, supplier)')}
    </fieldset>
  );
}

/** Which tenant's fleet was searched, and where else to look when our own fleet has nothing. */
export function SearchedScope(props: {
  scope: ImpactScope;
  total: number;
  byOwner?: Record<string, number>;
}) {
  const tenant = loadSession()?.tenant ?? '';
  if (props.scope === 'installed-base') {
    const owners = Object.keys(props.byOwner ?? {}).length;
    return (
      <p data-testid="impact-scope">
        Searched the installed base shared with <strong>{tenant}</strong>: {owners} owner(s) with affected
        units.
      </p>
    );
  }
  return (
    <p data-testid="impact-scope">
      Searched the fleet of tenant <strong>{tenant}</strong>.
      {props.total === 0 ? ' Units other tenants share with you are searched under "Installed base".' : ''}
    </p>
  );
}

/** An affected unit's page: the owner's shared twin on the installed base, else ours. */
export const affectedUnitHref = (item: { twinId: string; owner?: string }) =>
  item.owner === undefined ? href('twins', item.twinId) : href('shared', item.owner, item.twinId);
