import { NotFound } from '../domain/errors';
import { projectThroughView, unionOfViews } from '../domain/view';
import type { Route } from '../route-table/route';
import type { ViewBody } from '../schemas/sharing';
import { getRoleViews } from '../store/sharing-store';
import type { Caller } from './auth';
import type { HttpResult } from './response';

/**
 * Inside a tenant, a role may carry a default view (technicians without commercial attributes):
 * an answer with twin data is then projected through it on the way out. Admins see everything, and
 * so does a caller with any role that has no view. One GetItem, only for non-admin callers of
 * routes that answer with twin data.
 */
export async function throughRoleView(route: Route, caller: Caller | undefined, result: HttpResult) {
  if (!route.twinData || route.projectedByGrant || !caller) return result;
  if (result.status >= 300 || result.body === undefined) return result;
  const view = await roleViewOf(caller);
  if (view === undefined) return result;
  const body = projectThroughView({ shape: route.twinData, body: result.body }, view);
  if (body === undefined) throw new NotFound('Not visible through your role view');
  return { ...result, body };
}

/**
 * The view the caller's roles carry inside its tenant (the union when several do): none for admins,
 * nor when any of the caller's roles has none. One GetItem for non-admin callers.
 */
export async function roleViewOf(caller: Caller): Promise<ViewBody | undefined> {
  if (caller.roles.includes('admin')) return undefined;
  const roleViews = await getRoleViews(caller.tenant);
  const views = caller.roles.map((role) => roleViews.views[roleViews.roles[role] ?? '']);
  if (views.length === 0 || views.some((view) => view === undefined)) return undefined;
  return unionOfViews(views as never);
}
