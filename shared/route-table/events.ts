import type { Route } from './route';

export const eventRoutes: readonly Route[] = [];
