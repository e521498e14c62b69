import { ulid } from 'ulid';

/** A tenant no other test uses: tests share one table, as tenants share one in production. */
export const newTenant = (label = 't') => `${label}-${ulid().toLowerCase()}`;
