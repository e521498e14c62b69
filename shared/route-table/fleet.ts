import type { Route } from './route';

export const fleetRoutes: readonly Route[] = [];
