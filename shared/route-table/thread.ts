import { documentRoutes } from './documents';
import { inspectionRoutes } from './inspections';
import { linkRoutes } from './links';
import type { Route } from './route';

/** The `thread` function's routes: documents, inspections, links, thread, work packages. */
export const threadRoutes: readonly Route[] = [...documentRoutes, ...inspectionRoutes, ...linkRoutes];
