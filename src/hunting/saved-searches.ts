/**
 * Saved searches: a named query owned by a user, private or shared with the user's tenant. The
 * query is validated by the same parser the search API uses, so a saved search always runs.
 */
import { z } from 'zod';
import { parseQuery } from '../search/parser.js';

export interface SavedSearch {
  id: string;
  tenant: string;
  /** The principal id (user or API token) that saved it: names can repeat, ids cannot. */
  owner: string;
  name: string;
  query: string;
  shared: boolean;
  created_at: string;
  updated_at: string;
}

export const savedSearchInput = z.object({
  name: z.string().trim().min(1).max(200),
  query: z
    .string()
    .max(4096)
    .superRefine((q, ctx) => {
      const r = parseQuery(q);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: `column ${r.column}: ${r.reason}` });
    }),
  shared: z.boolean().default(false),
});
export type SavedSearchInput = z.infer<typeof savedSearchInput>;

export interface SavedSearchStore {
  create(tenant: string, owner: string, input: SavedSearchInput): Promise<SavedSearch>;
  /** The caller's own searches plus those shared in the tenant. */
  listVisible(tenant: string, user: string): Promise<SavedSearch[]>;
  get(tenant: string, id: string): Promise<SavedSearch | undefined>;
  update(tenant: string, id: string, input: SavedSearchInput): Promise<SavedSearch | undefined>;
  delete(tenant: string, id: string): Promise<boolean>;
}

/** Who may see a saved search: its owner, or anyone in the tenant once shared. */
export function canSee(s: SavedSearch, user: string): boolean {
  return s.shared || s.owner === user;
}
