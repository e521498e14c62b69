import type { Route } from './route';

/** Inspections: what was found on the unit, and the discrepancies. */
export const inspectionRoutes: readonly Route[] = [];
