import type { Route } from './route';

export const ingestRoutes: readonly Route[] = [];
