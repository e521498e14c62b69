import type { Route } from './route';

/** Links, the digital thread of a twin, applicability and work packages. */
export const linkRoutes: readonly Route[] = [];
