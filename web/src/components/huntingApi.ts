/**
 * Client of the hunting API (saved and scheduled searches, export, Sigma retro-hunts). Kept beside
 * its components rather than in api.ts so the Search page's additions stay in their own files.
 */
import { fill, request } from '../api';
import { API_PATHS } from '../api-paths';
// The server's own types: what the routes answer is exactly what the console reads.
import type { SavedSearch } from '../../../src/hunting/saved-searches';
import type { SearchSchedule } from '../../../src/hunting/scheduled-searches';
import type { Schedule } from '../../../src/hunting/schedules';
import type { SigmaHunt as StoredHunt, SigmaHuntHit } from '../../../src/hunting/sigma-hunts';

export type { SavedSearch, Schedule, SearchSchedule, SigmaHuntHit };

export interface SavedSearchInput {
  name: string;
  query: string;
  shared: boolean;
}

export const THRESHOLD_OPS = ['>', '>=', '<', '<=', '=='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];
export const SCHEDULE_KINDS = ['threshold', 'new_terms', 'no_data'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export interface ScheduledSearchRow extends SearchSchedule {
  name: string;
  query: string;
}
export interface PreviewDetection {
  id: string;
  title: string;
  level: string;
  ts: string;
  eventIds: string[];
  details: { count?: number; group?: Record<string, unknown>; [k: string]: unknown };
}
export interface SchedulePreview {
  windowStart: string;
  windowEnd: string;
  detections: PreviewDetection[];
}

export const HUNT_ACTIVE = new Set(['queued', 'running']);
/** A hunt as the API answers it: the stored job and its progress share. */
export type SigmaHunt = StoredHunt & { progress: number };

export const huntingApi = {
  savedSearches: () => request<{ searches: SavedSearch[] }>('GET', API_PATHS.savedSearches),
  createSaved: (body: SavedSearchInput) => request<SavedSearch>('POST', API_PATHS.savedSearches, { body }),
  updateSaved: (id: string, body: SavedSearchInput) =>
    request<SavedSearch>('PUT', fill(API_PATHS.savedSearch, { id }), { body }),
  deleteSaved: (id: string) => request<{ deleted: boolean }>('DELETE', fill(API_PATHS.savedSearch, { id })),

  schedule: (id: string) => request<SearchSchedule>('GET', fill(API_PATHS.savedSearchSchedule, { id })),
  putSchedule: (id: string, schedule: Schedule, enabled: boolean) =>
    request<SearchSchedule>('PUT', fill(API_PATHS.savedSearchSchedule, { id }), {
      body: { schedule, enabled },
    }),
  deleteSchedule: (id: string) =>
    request<{ deleted: boolean }>('DELETE', fill(API_PATHS.savedSearchSchedule, { id })),
  previewSchedule: (id: string, schedule: Schedule) =>
    request<SchedulePreview>('POST', fill(API_PATHS.savedSearchSchedulePreview, { id }), {
      body: { schedule },
    }),
  scheduledSearches: () => request<{ schedules: ScheduledSearchRow[] }>('GET', API_PATHS.scheduledSearches),

  hunts: () => request<{ hunts: SigmaHunt[] }>('GET', API_PATHS.sigmaHunts),
  startHunt: (body: { rule: string; from: string; to?: string; raise_alerts: boolean }) =>
    request<SigmaHunt>('POST', API_PATHS.sigmaHunts, { body }),
  cancelHunt: (id: string) => request<SigmaHunt>('POST', fill(API_PATHS.sigmaHuntCancel, { id })),
  huntHits: (id: string, limit = 100) =>
    request<{ total: number; hits: SigmaHuntHit[] }>('GET', fill(API_PATHS.sigmaHuntHits, { id }), {
      query: { limit },
    }),
  rule: (id: string) =>
    request<{ id: string; title: string; kind: string; yaml: string | null }>(
      'GET',
      fill(API_PATHS.rule, { id }),
    ),
};

/**
 * A plain link to the streaming export: the browser downloads it with the session cookie (a GET
 * needs no CSRF token), so a large result never sits in the page's memory.
 */
export function exportHref(format: 'csv' | 'ndjson', q: string, from?: string): string {
  const sp = new URLSearchParams({ format });
  if (q) sp.set('q', q);
  if (from) sp.set('from', from);
  return `${API_PATHS.searchExport}?${sp.toString()}`;
}

/** The message of a failed call, for inline display. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
