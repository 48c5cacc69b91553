/**
 * The alert queue: filter, sort, keyboard triage (j/k, x, Enter, a, c, e), bulk actions, live
 * refresh. Rows are virtualized, so a queue of ten thousand scrolls as smoothly as one of ten.
 */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Lazy, lazyComponent } from '../lazy';
import { ALERT_STATUSES, ALERT_VERDICTS, api, SEVERITIES, type Alert, type AlertAction } from '../api';
import { ErrorState, Loading, PageHeader, Severity, StateBadge } from '../components/States';
import { AddToCaseDialog } from '../components/AddToCaseDialog';
import { VirtualList } from '../components/VirtualList';
import { useLiveEvents, useLiveStatus } from '../components/live';
import { ago, num, Time } from '../format';
import { navigate, useLocation } from '../router';
import { GROUP_PAGE, groupAlertIds, useGroupedQueue, type GroupBy, type QueueRow } from './alert-groups';
import { useSession } from '../session';
import { Modal } from '../components/Modal';

const AlertDetail = lazyComponent(() => import('./AlertDetail'));

const PAGE = 500;
const ROW = 30;
const OPEN = 'new,acknowledged,in_progress';
const SORTS: Array<[string, string]> = [
  ['-lastSeen', 'Latest activity'],
  ['-severity', 'Severity, highest first'],
  ['-createdAt', 'Newest'],
  ['createdAt', 'Oldest'],
  ['-count', 'Most detections'],
];

const activatable = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && t.closest('button, a[href], summary, [role="button"]') !== null;

const typing = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export default function Alerts({ segments }: { segments: string[] }) {
  const id = segments[0];
  if (id) return <Lazy of={AlertDetail} render={(C) => <C id={id} />} />;
  return <AlertQueue />;
}

/** Runs an action on alerts (in chunks the bulk API accepts) and refreshes the queue. */
export function useAlertAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ ids, action }: { ids: string[]; action: AlertAction }) => {
      for (let i = 0; i < ids.length; i += 1000) await api.bulkAlerts(ids.slice(i, i + 1000), action);
      return { ids, action };
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: ['alerts'] }),
  });
}

export function describeAction(a: AlertAction, n: number): string {
  const what = `${num(n)} alert${n === 1 ? '' : 's'}`;
  switch (a.action) {
    case 'ack':
      return `Acknowledged ${what}`;
    case 'assign':
      return a.assignee ? `Assigned ${what} to ${a.assignee}` : `Unassigned ${what}`;
    case 'close':
      return `Closed ${what} as ${a.verdict.replace(/_/g, ' ')}`;
    case 'tag':
      return `Tagged ${what}`;
  }
}

function AlertQueue() {
  const { me, can } = useSession();
  const loc = useLocation();
  const status = loc.query.get('status') ?? OPEN;
  const severity = loc.query.get('severity') ?? '';
  const q = loc.query.get('q') ?? '';
  const sort = loc.query.get('sort') ?? '-lastSeen';
  const groupBy = (loc.query.get('group') ?? '') as GroupBy;
  /** Groups opened or closed by hand (the first few are open unless toggled). */
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  /** How many alerts each open group shows (it grows with "show more"). */
  const [shown, setShown] = useState<ReadonlyMap<string, number>>(new Map());
  const [draft, setDraft] = useState(q);
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<'close' | 'assign' | 'add-to-case' | undefined>();
  const [message, setMessage] = useState<string>();
  const filterRef = useRef<HTMLInputElement>(null);
  const writable = can('alerts:write');
  const canOpenCase = can('cases:write');

  const setQuery = (patch: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = {
      status,
      severity,
      q,
      sort,
      group: groupBy || undefined,
      ...patch,
    };
    navigate('/alerts', next, true);
    setCursor(0);
  };

  const list = useInfiniteQuery({
    queryKey: ['alerts', 'queue', status, severity, q, sort],
    queryFn: ({ pageParam }) =>
      api.alerts({
        status: status ? status.split(',') : undefined,
        severity: severity ? severity.split(',') : undefined,
        q: q || undefined,
        sort,
        limit: PAGE,
        offset: pageParam,
      }),
    initialPageParam: 0,
    getNextPageParam: (last, all) => {
      const loaded = all.reduce((a, p) => a + p.alerts.length, 0);
      return loaded < last.total && last.alerts.length > 0 ? loaded : undefined;
    },
    // Live: every few seconds; a long loaded queue (all its pages are refetched) a little slower.
    refetchInterval: (query) => ((query.state.data?.pages.length ?? 1) > 4 ? 15_000 : 5_000),
    enabled: !groupBy,
  });
  const filters = { status, severity, q, sort };
  const grouped = useGroupedQueue(groupBy, filters, toggled, shown);

  const listed = useMemo(() => {
    // Offset pages of a live list can overlap; keep each alert once.
    const seen = new Set<string>();
    const out: Alert[] = [];
    for (const p of list.data?.pages ?? []) {
      for (const a of p.alerts) {
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        out.push(a);
      }
    }
    return out;
  }, [list.data]);
  // In group mode the keyboard and selection work over the open groups' alerts, in group order.
  const alerts = groupBy ? grouped.alerts : listed;
  const source = groupBy ? grouped.groups : list;
  const total = groupBy
    ? (grouped.groups.data?.groups ?? []).reduce((n, g) => n + g.count, 0)
    : (list.data?.pages[0]?.total ?? 0);
  useEffect(() => {
    // Closed alerts leave an open-only queue; keep the cursor on a row that exists.
    if (cursor > alerts.length - 1) setCursor(Math.max(0, alerts.length - 1));
  }, [alerts.length, cursor]);
  const current = alerts[Math.min(cursor, alerts.length - 1)];

  // Live arrival: new alerts are announced over the stream; the queue refetches (at most once a
  // second) and the keyboard cursor stays on the alert it was on, however many rows arrive above.
  const qc = useQueryClient();
  const live = useLiveStatus();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [arrived, setArrived] = useState(0);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLiveEvents((name, data) => {
    if (name !== 'alert.created' && name !== 'alert.updated' && name !== 'resync') return;
    if (name === 'alert.created') {
      const ids = data.alertIds ?? [];
      setArrived((n) => n + ids.length);
      setFresh((f) => new Set([...f, ...ids]));
    }
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = undefined;
      void qc.invalidateQueries({ queryKey: ['alerts', 'queue'] });
    }, 1000);
  });
  useEffect(() => () => clearTimeout(refetchTimer.current), []);
  const anchor = useRef<{ id?: string; list?: Alert[] }>({});
  useEffect(() => {
    const a = anchor.current;
    if (a.list !== alerts && a.id) {
      a.list = alerts;
      const idx = alerts.findIndex((x) => x.id === a.id);
      if (idx >= 0 && idx !== cursor) {
        setCursor(idx);
        return;
      }
    }
    a.list = alerts;
    a.id = alerts[cursor]?.id;
  }, [alerts, cursor]);

  const act = useAlertAction();
  const run = useCallback(
    (action: AlertAction) => {
      const ids = selected.size > 0 ? [...selected] : current ? [current.id] : [];
      if (ids.length === 0 || !writable) return;
      act.mutate(
        { ids, action },
        {
          onSuccess: () => {
            setMessage(describeAction(action, ids.length));
            setSelected(new Set());
          },
          onError: (e) => setMessage(`Failed: ${e instanceof Error ? e.message : String(e)}`),
        },
      );
    },
    [act, current, selected, writable],
  );

  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '/' && !typing(e.target)) {
        e.preventDefault();
        filterRef.current?.focus();
        return;
      }
      if (typing(e.target)) return;
      const k = e.key;
      if (k === 'j' || k === 'ArrowDown') setCursor((c) => Math.min(alerts.length - 1, c + 1));
      else if (k === 'k' || k === 'ArrowUp') setCursor((c) => Math.max(0, c - 1));
      else if (k === 'Home') setCursor(0);
      else if (k === 'End') setCursor(Math.max(0, alerts.length - 1));
      else if (k === 'x' && current) toggle(current.id);
      // Enter on a focused button or link is that control's own; only elsewhere does it open the alert.
      else if (k === 'Enter' && activatable(e.target)) return;
      else if ((k === 'Enter' || k === 'o') && current) navigate(`/alerts/${current.id}`);
      else if (k === 'Escape') setSelected(new Set());
      else if (k === 'a' && writable) run({ action: 'ack' });
      else if (k === 'c' && writable) setDialog('close');
      else if (k === 'e' && writable) setDialog('assign');
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [alerts.length, current, dialog, run, toggle, writable]);

  const rows: QueueRow[] = useMemo(
    () => (groupBy ? grouped.rows : listed.map((alert, index) => ({ kind: 'alert' as const, alert, index }))),
    [groupBy, grouped.rows, listed],
  );
  const groupCount = grouped.groups.data?.groups.length ?? 0;
  const cursorRow = rows.findIndex((r) => r.kind === 'alert' && r.index === cursor);
  const allSelected = alerts.length > 0 && selected.size === alerts.length;
  const targets = selected.size > 0 ? selected.size : current ? 1 : 0;

  return (
    <>
      <PageHeader title="Alerts">
        <span className="muted" data-testid="alert-total">
          {groupBy
            ? grouped.groups.data
              ? `${num(groupCount)} group${groupCount === 1 ? '' : 's'} · ${num(total)} alert${total === 1 ? '' : 's'}`
              : ''
            : list.data
              ? `${num(alerts.length)} of ${num(total)}`
              : ''}
        </span>
        {source.isFetching && <span className="spinner small" aria-label="refreshing" />}
        <span className={`badge live-${live}`} data-testid="live-status" title="Live updates over the stream">
          {live === 'live'
            ? 'live'
            : live === 'reconnecting' || live === 'connecting'
              ? 'connecting…'
              : 'polling'}
        </span>
      </PageHeader>
      {arrived > 0 && (
        <div className="notice live-arrivals" role="status" aria-live="polite" data-testid="live-arrivals">
          {num(arrived)} new alert{arrived === 1 ? '' : 's'} arrived{' '}
          <button
            type="button"
            className="ghost tiny"
            onClick={() => {
              setArrived(0);
              setFresh(new Set());
            }}
          >
            Dismiss
          </button>
        </div>
      )}

      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ q: draft || undefined });
        }}
      >
        <label>
          Status
          <select value={status} onChange={(e) => setQuery({ status: e.target.value })}>
            <option value={OPEN}>open</option>
            {ALERT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
            <option value="">any</option>
          </select>
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => setQuery({ severity: e.target.value || undefined })}>
            <option value="">any</option>
            {[...SEVERITIES].reverse().map((s, i, all) => (
              <option key={s} value={all.slice(0, i + 1).join(',')}>
                {s}
                {i > 0 ? ' or higher' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort
          <select value={sort} onChange={(e) => setQuery({ sort: e.target.value })}>
            {SORTS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select
            value={groupBy}
            onChange={(e) => setQuery({ group: e.target.value || undefined })}
            data-testid="group-by"
          >
            <option value="">nothing</option>
            <option value="rule">rule</option>
            <option value="entity">entity</option>
          </select>
        </label>
        <label className="grow">
          Filter
          <input
            ref={filterRef}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="title, rule, entity or observable  ( / )"
            maxLength={200}
          />
        </label>
        <button type="submit">Apply</button>
      </form>

      {writable && (
        <div className="bulkbar" aria-label="Actions">
          <span className="muted">
            {selected.size > 0
              ? `${num(selected.size)} selected`
              : current
                ? 'current alert'
                : 'nothing selected'}
          </span>
          <button
            type="button"
            disabled={targets === 0 || act.isPending}
            onClick={() => run({ action: 'ack' })}
          >
            Acknowledge <kbd>a</kbd>
          </button>
          <button type="button" disabled={targets === 0 || act.isPending} onClick={() => setDialog('assign')}>
            Assign <kbd>e</kbd>
          </button>
          <button type="button" disabled={targets === 0 || act.isPending} onClick={() => setDialog('close')}>
            Close <kbd>c</kbd>
          </button>
          {canOpenCase && (
            <button
              type="button"
              data-testid="open-case"
              disabled={targets === 0}
              title="Open a case with these alerts"
              onClick={() =>
                navigate('/cases/new', {
                  alerts: (selected.size > 0 ? [...selected] : current ? [current.id] : []).join(','),
                })
              }
            >
              Open case…
            </button>
          )}
          {canOpenCase && (
            <button
              type="button"
              data-testid="add-to-case-button"
              disabled={targets === 0}
              title="Attach these alerts to an open case"
              onClick={() => setDialog('add-to-case')}
            >
              Add to case…
            </button>
          )}
          {selected.size > 0 && (
            <button type="button" className="ghost" onClick={() => setSelected(new Set())}>
              Clear selection <kbd>Esc</kbd>
            </button>
          )}
          <span className="status-msg" role="status" aria-live="polite" data-testid="action-message">
            {message}
          </span>
        </div>
      )}

      {source.isPending ? (
        <Loading what="Loading alerts" />
      ) : source.error ? (
        <ErrorState error={source.error} what="Alerts" retry={() => void source.refetch()} />
      ) : rows.length === 0 ? (
        <div className="state state-empty">
          No alerts match. {status === OPEN ? 'The queue is clear.' : ''}
        </div>
      ) : (
        <div className="grid-table alerts-grid">
          <div className="grid-head" role="row">
            <span>
              <input
                type="checkbox"
                aria-label="Select all loaded alerts"
                checked={allSelected}
                onChange={() => setSelected(allSelected ? new Set() : new Set(alerts.map((a) => a.id)))}
              />
            </span>
            <span>Severity</span>
            <span>Title</span>
            <span>Entity</span>
            <span>Status</span>
            <span>Assignee</span>
            <span className="num">Count</span>
            <span>Last seen</span>
          </div>
          {groupBy && (
            <div className="muted small" data-testid="group-note">
              {num(groupCount)} group{groupCount === 1 ? '' : 's'} counted over all {num(total)} matching
              alert
              {total === 1 ? '' : 's'}
              {groupCount < (grouped.total ?? 0)
                ? ` (the first ${num(groupCount)} of ${num(grouped.total)} shown)`
                : ''}
            </div>
          )}
          <VirtualList
            items={rows}
            rowHeight={ROW}
            cursor={cursorRow < 0 ? 0 : cursorRow}
            label="Alert queue"
            className="alerts-body"
            onNearEnd={() => {
              if (!groupBy && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
            }}
            render={(row) => {
              if (row.kind === 'more') {
                return (
                  <div key={`m:${row.group.key}`} role="row" className="grid-row group-more">
                    <span />
                    <span />
                    <span className="muted">
                      showing {num(row.shown)} of {num(row.group.count)}{' '}
                      <button
                        type="button"
                        className="link"
                        onClick={() => setShown(new Map(shown).set(row.group.key, row.shown + GROUP_PAGE))}
                      >
                        show {num(Math.min(GROUP_PAGE, row.group.count - row.shown))} more
                      </button>
                    </span>
                  </div>
                );
              }
              if (row.kind === 'group') {
                const g = row.group;
                const all = row.loaded.length > 0 && row.loaded.every((x) => selected.has(x.id));
                return (
                  <div key={`g:${g.key}`} role="row" className="grid-row group-row" data-group={g.key}>
                    <span>
                      <input
                        type="checkbox"
                        aria-label={`Select the ${g.count} alerts of ${g.label}`}
                        checked={all}
                        onChange={() => {
                          const apply = (ids: string[]) =>
                            setSelected((cur) => {
                              const next = new Set(cur);
                              for (const x of ids) {
                                if (all) next.delete(x);
                                else next.add(x);
                              }
                              return next;
                            });
                          // The whole group, not only the alerts its open rows show.
                          if (all || row.loaded.length >= g.count) apply(row.loaded.map((x) => x.id));
                          else
                            void groupAlertIds(g, filters).then(apply, (e: unknown) =>
                              setMessage(`Failed: ${e instanceof Error ? e.message : String(e)}`),
                            );
                        }}
                      />
                    </span>
                    <span>
                      <Severity level={g.worst} />
                    </span>
                    <span className="ellipsis">
                      <button
                        type="button"
                        className="link"
                        aria-expanded={row.open}
                        title={g.label}
                        onClick={() => {
                          const next = new Set(toggled);
                          if (next.has(g.key)) next.delete(g.key);
                          else next.add(g.key);
                          setToggled(next);
                        }}
                      >
                        {row.open ? '▾' : '▸'} {g.label}
                      </button>
                    </span>
                    <span className="muted">{groupBy === 'rule' ? 'rule' : 'entity'}</span>
                    <span />
                    <span />
                    <span className="num" data-testid="group-count">
                      {num(g.count)}
                    </span>
                    <span className="ellipsis">
                      <Time iso={g.latest} />
                    </span>
                  </div>
                );
              }
              const a = row.alert;
              const i = row.index;
              return (
                <div
                  key={a.id}
                  role="row"
                  aria-selected={selected.has(a.id)}
                  data-alert-id={a.id}
                  className={`grid-row${i === cursor ? ' cursor' : ''}${selected.has(a.id) ? ' selected' : ''}${fresh.has(a.id) ? ' fresh' : ''}`}
                  onClick={() => setCursor(i)}
                  onDoubleClick={() => navigate(`/alerts/${a.id}`)}
                >
                  <span>
                    <input
                      type="checkbox"
                      aria-label={`Select ${a.title}`}
                      checked={selected.has(a.id)}
                      onChange={() => toggle(a.id)}
                      onClick={(e) => e.stopPropagation()}
                    />
                  </span>
                  <span>
                    <Severity level={a.severity} />
                  </span>
                  <span className="ellipsis">
                    <a href={`#/alerts/${encodeURIComponent(a.id)}`} title={a.title}>
                      {a.title}
                    </a>
                  </span>
                  <span
                    className="ellipsis mono"
                    title={a.entity ? `${a.entity.type}: ${a.entity.value}` : ''}
                  >
                    {a.entity ? a.entity.value : '—'}
                  </span>
                  <span>
                    <StateBadge state={a.status} />
                  </span>
                  <span className="ellipsis">{a.assignee ?? <span className="muted">—</span>}</span>
                  <span className="num">{num(a.count)}</span>
                  <span className="ellipsis" title={a.lastSeen}>
                    <Time iso={a.lastSeen} /> <span className="muted">{ago(a.lastSeen)}</span>
                  </span>
                </div>
              );
            }}
          />
        </div>
      )}

      {dialog === 'close' && (
        <VerdictDialog
          count={targets}
          onCancel={() => setDialog(undefined)}
          onPick={(verdict) => {
            setDialog(undefined);
            run({ action: 'close', verdict });
          }}
        />
      )}
      {dialog === 'add-to-case' && (
        <AddToCaseDialog
          alertIds={selected.size > 0 ? [...selected] : current ? [current.id] : []}
          onClose={() => setDialog(undefined)}
          onDone={(m) => {
            setDialog(undefined);
            setMessage(m);
            setSelected(new Set());
            void qc.invalidateQueries({ queryKey: ['alerts'] });
          }}
        />
      )}
      {dialog === 'assign' && (
        <AssignDialog
          count={targets}
          initial={me?.name ?? ''}
          onCancel={() => setDialog(undefined)}
          onAssign={(assignee) => {
            setDialog(undefined);
            run({ action: 'assign', assignee });
          }}
        />
      )}
    </>
  );
}

export function VerdictDialog({
  count,
  onPick,
  onCancel,
}: {
  count: number;
  onPick: (v: (typeof ALERT_VERDICTS)[number]) => void;
  onCancel: () => void;
}) {
  useEffect(() => {
    // The digits pick wherever focus is; Escape is the dialog's own.
    const onKey = (e: KeyboardEvent) => {
      const n = Number(e.key);
      if (n >= 1 && n <= ALERT_VERDICTS.length) {
        e.preventDefault();
        onPick(ALERT_VERDICTS[n - 1]!);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onPick]);
  return (
    <Modal
      title="Close with verdict"
      heading={`Close ${num(count)} alert${count === 1 ? '' : 's'} as…`}
      onClose={onCancel}
    >
      <div className="choices">
        {ALERT_VERDICTS.map((v, i) => (
          <button key={v} type="button" onClick={() => onPick(v)} autoFocus={i === 0}>
            <kbd>{i + 1}</kbd> {v.replace(/_/g, ' ')}
          </button>
        ))}
      </div>
      <button type="button" className="ghost" onClick={onCancel}>
        Cancel <kbd>Esc</kbd>
      </button>
    </Modal>
  );
}

export function AssignDialog({
  count,
  initial,
  onAssign,
  onCancel,
}: {
  count: number;
  initial: string;
  onAssign: (a: string | null) => void;
  onCancel: () => void;
}) {
  const [who, setWho] = useState(initial);
  return (
    <Modal title="Assign" heading={`Assign ${num(count)} alert${count === 1 ? '' : 's'}`} onClose={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onAssign(who.trim() || null);
        }}
      >
        <label>
          Assignee (empty to unassign)
          <input value={who} onChange={(e) => setWho(e.target.value)} autoFocus maxLength={100} />
        </label>
        <div className="choices">
          <button type="submit" className="primary">
            Assign
          </button>
          <button type="button" className="ghost" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
