import type { Route } from './route';

export const typeRoutes: readonly Route[] = [];
