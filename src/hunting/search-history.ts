/**
 * Search history per user: each search a person (or token) runs, newest first, so an analyst can
 * go back to what they looked at. Kept per principal up to HISTORY_PER_USER entries; the audit
 * trail (`search.run`) is the complete record for the auditor.
 */
export const HISTORY_PER_USER = 200;

export interface SearchHistoryEntry {
  id: number;
  tenant: string;
  /** Principal id: names can repeat, ids cannot. */
  owner: string;
  query: string;
  from: string | null;
  to: string | null;
  /** Events matched or table rows; null when the search failed. */
  total: number | null;
  tookMs: number | null;
  error: string | null;
  at: string;
}

export type NewHistoryEntry = Omit<SearchHistoryEntry, 'id'>;

export interface SearchHistoryStore {
  /** Records one search and trims the owner's history to HISTORY_PER_USER. */
  add(e: NewHistoryEntry): Promise<void>;
  /** The owner's searches in these tenants, newest first. */
  list(tenants: string[], owner: string, limit: number): Promise<SearchHistoryEntry[]>;
}
