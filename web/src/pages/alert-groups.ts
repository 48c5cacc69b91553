/**
 * The alert queue grouped by rule or entity: the groups and their counts come from the server
 * (over every matching alert, not only the loaded ones); a group's alerts are fetched when it is
 * open. The first groups open by themselves, so the worst of the queue is in view at once.
 */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type Alert, type AlertGroup } from '../api';

export type GroupBy = '' | 'rule' | 'entity';

export type QueueRow =
  | { kind: 'alert'; alert: Alert; index: number }
  | { kind: 'group'; group: AlertGroup; open: boolean; loaded: Alert[] }
  | { kind: 'more'; group: AlertGroup; shown: number };

export interface QueueFilters {
  status: string;
  severity: string;
  q: string;
  sort: string;
}

/** Groups opened without a click. */
const AUTO_OPEN = 5;
/** Alerts fetched per open group, and per "show more". */
export const GROUP_PAGE = 100;
const GROUPS_SHOWN = 500;

const listFilters = (f: QueueFilters) => ({
  status: f.status ? f.status.split(',') : undefined,
  severity: f.severity ? f.severity.split(',') : undefined,
  q: f.q || undefined,
});

/** The alert list filter naming one group's alerts. */
export const groupFilter = (g: AlertGroup): { rule?: string; entity?: string } =>
  g.ruleId !== null
    ? { rule: g.ruleId }
    : { entity: g.entity ? `${g.entity.type}:${g.entity.value}` : 'none' };

/** Every alert id of a group (up to 1,000 per request), for selecting a whole group. */
export async function groupAlertIds(g: AlertGroup, f: QueueFilters): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < g.count && offset < 10_000; offset += 1000) {
    const page = await api.alerts({ ...listFilters(f), ...groupFilter(g), limit: 1000, offset });
    ids.push(...page.alerts.map((a) => a.id));
    if (page.alerts.length < 1000) break;
  }
  return ids;
}

export function useGroupedQueue(
  by: GroupBy,
  f: QueueFilters,
  toggled: ReadonlySet<string>,
  shown: ReadonlyMap<string, number>,
) {
  const groups = useQuery({
    queryKey: ['alerts', 'queue', 'groups', by, f.status, f.severity, f.q],
    queryFn: () => api.alertGroups({ by: by as 'rule' | 'entity', ...listFilters(f), limit: GROUPS_SHOWN }),
    enabled: by !== '',
    refetchInterval: 5_000,
  });
  const list = groups.data?.groups ?? [];
  const isOpen = (g: AlertGroup, i: number) => i < AUTO_OPEN !== toggled.has(g.key);
  const open = list.filter(isOpen);
  const memberData = useQueries({
    queries: open.map((g) => ({
      queryKey: [
        'alerts',
        'queue',
        'group',
        by,
        g.key,
        f.status,
        f.severity,
        f.q,
        f.sort,
        shown.get(g.key) ?? GROUP_PAGE,
      ],
      queryFn: () =>
        api.alerts({
          ...listFilters(f),
          ...groupFilter(g),
          sort: f.sort,
          limit: shown.get(g.key) ?? GROUP_PAGE,
        }),
      refetchInterval: 5_000,
    })),
    combine: dataOf,
  });

  const derived = useMemo(() => {
    const loadedOf = new Map(open.map((g, i) => [g.key, memberData[i]?.alerts ?? []]));
    const alerts: Alert[] = [];
    const rows: QueueRow[] = [];
    list.forEach((g, i) => {
      const opened = isOpen(g, i);
      const loaded = loadedOf.get(g.key) ?? [];
      rows.push({ kind: 'group', group: g, open: opened, loaded });
      if (!opened) return;
      for (const alert of loaded) {
        rows.push({ kind: 'alert', alert, index: alerts.length });
        alerts.push(alert);
      }
      if (loaded.length > 0 && loaded.length < g.count)
        rows.push({ kind: 'more', group: g, shown: loaded.length });
    });
    return { alerts, rows };
    // `list`, `open` and `isOpen` derive from groups.data and toggled.
  }, [groups.data, memberData, toggled]);
  return { groups, total: groups.data?.total ?? 0, ...derived };
}

/** Stable, so useQueries keeps the combined array while no member query changed. */
function dataOf(results: Array<{ data?: { alerts: Alert[] } | undefined }>) {
  return results.map((r) => r.data);
}
