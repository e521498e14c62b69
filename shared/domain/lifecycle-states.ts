/** A unit's lifecycle states, in the order a unit goes through them (a module of its own: the console imports it). */
export const LIFECYCLE_STATES = [
  'as-built',
  'delivered',
  'installed',
  'commissioned',
  'in-service',
  'maintenance',
  'retired',
  'recycled',
] as const;
