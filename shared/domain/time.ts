/** Normalizes an ISO 8601 time with any offset to UTC `toISOString()` form, which sorts as a string. */
export const toUtc = (iso: string): string => new Date(iso).toISOString();
