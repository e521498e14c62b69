import type { Route } from './route';

export const docsRoutes: readonly Route[] = [];
