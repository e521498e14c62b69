/**
 * A tenant id: a letter or digit, then letters, digits, ".", "_" or "-", at most 64 in all.
 * Written so that it means the same as an HTML `pattern` (which browsers compile with the `v` flag,
 * where "-" in a class must be escaped) and as a JavaScript regular expression.
 */
export const TENANT_PATTERN_SOURCE = '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}';

export const TENANT_PATTERN = new RegExp(`^(?:${TENANT_PATTERN_SOURCE})$`);
