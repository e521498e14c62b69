import * as z from 'zod';
import { SEARCH_KINDS } from '../domain/search';
import { Cursor, Label, Limit, TenantId } from './common';

const Q = Label(128).meta({
  description:
    'What to find: a prefix of a serial or part number, site or searchable attribute (case-insensitive), or words of a title, name or findings',
  example: 'hvc-8',
});

export const SearchQuery = z.strictObject({ q: Q, limit: Limit, cursor: Cursor.optional() });
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SharedSearchQuery = z.strictObject({
  q: Q,
  owner: TenantId.optional().meta({ description: 'Only the twins this owner shares' }),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type SharedSearchQuery = z.infer<typeof SharedSearchQuery>;

const SearchHit = z
  .object({
    kind: z.enum(SEARCH_KINDS),
    id: z
      .string()
      .meta({ description: 'Twin id, `<partNumber>/<serialNumber>`, document id or inspection id' }),
    label: z.string(),
    owner: z.string().optional().meta({ description: 'Shared search: the tenant the twin belongs to' }),
    twinId: z.string().optional().meta({ description: 'The twin it is, is installed in, or inspected' }),
    path: z.string().optional().meta({ description: 'A component: the position it is installed at' }),
    installed: z.boolean().optional().meta({ description: 'A component: installed now, or not' }),
    matched: z.string().meta({
      description: 'The field of the best match (`serialNumber`, `attributes.tailNumber`, `title`)',
    }),
    score: z.number().meta({ description: 'Rank: exact before prefix, identifiers before words' }),
  })
  .meta({ id: 'SearchHit' });

export const SearchResults = z
  .object({
    items: z.array(SearchHit),
    total: z.number().int().meta({ description: 'Hits over every page (what the caller may see)' }),
    complete: z.boolean().meta({
      description: 'false when a token matched more index entries than one search reads: refine the query',
    }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'SearchResults' });
