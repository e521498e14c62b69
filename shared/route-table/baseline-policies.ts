import {
  BaselinePolicy,
  BaselinePolicyBody,
  BaselinePolicyList,
  BaselinePolicyListQuery,
  BaselinePolicyParams,
} from '../schemas/baseline-policy';
import { READERS, type Route, WRITERS } from './route';

const policy = (route: Omit<Route, 'function' | 'auth'>): Route => ({
  ...route,
  function: 'twins',
  auth: true,
});

/** Baselines on a schedule: policies that take a baseline of each selected twin at each period boundary. */
export const baselinePolicyRoutes: readonly Route[] = [
  policy({
    method: 'PUT',
    path: '/v1/baseline-policies/{id}',
    operationId: 'putBaselinePolicy',
    summary:
      'Create or replace a baseline policy: a baseline of each selected twin at each monthly, quarterly, yearly or cron boundary, exactly once per twin and period',
    roles: WRITERS,
    request: { params: BaselinePolicyParams, body: BaselinePolicyBody },
    responses: {
      200: { description: 'Replaced', schema: BaselinePolicy },
      201: { description: 'Created', schema: BaselinePolicy },
    },
  }),
  policy({
    method: 'GET',
    path: '/v1/baseline-policies/{id}',
    operationId: 'getBaselinePolicy',
    summary: 'A baseline policy, with its next boundary',
    roles: READERS,
    request: { params: BaselinePolicyParams },
    responses: { 200: { description: 'The policy', schema: BaselinePolicy } },
  }),
  policy({
    method: 'GET',
    path: '/v1/baseline-policies',
    operationId: 'listBaselinePolicies',
    summary: "The tenant's baseline policies",
    roles: READERS,
    request: { query: BaselinePolicyListQuery },
    responses: { 200: { description: 'A page of policies', schema: BaselinePolicyList } },
  }),
  policy({
    method: 'DELETE',
    path: '/v1/baseline-policies/{id}',
    operationId: 'deleteBaselinePolicy',
    summary: 'Stop a baseline policy; the baselines it took stay',
    roles: WRITERS,
    request: { params: BaselinePolicyParams },
    responses: { 204: { description: 'Deleted' } },
  }),
];
