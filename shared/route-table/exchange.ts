import type { Route } from './route';

export const exchangeRoutes: readonly Route[] = [];
