/**
 * Scheduling a saved search (needs `rules:manage`, since a schedule raises alerts): the rule kind
 * and its parameters, a preview of what the last closed window would raise, the last run, and the
 * list of every scheduled search the caller can see. The server validates the query: a piped
 * query cannot be scheduled and its 400 message is shown as is.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, SEVERITIES } from '../api';
import { ago, num, text, Time } from '../format';
import { Modal } from './Modal';
import { ErrorState, Loading, Severity } from './States';
import {
  errorText,
  huntingApi,
  SCHEDULE_KINDS,
  THRESHOLD_OPS,
  type SavedSearch,
  type Schedule,
  type ScheduleKind,
  type SchedulePreview,
  type SearchSchedule,
  type ThresholdOp,
} from './huntingApi';

interface Draft {
  kind: ScheduleKind;
  op: ThresholdOp;
  value: string;
  by: string;
  field: string;
  historyDays: string;
  everyMinutes: string;
  windowMinutes: string;
  level: Schedule['level'];
  title: string;
  enabled: boolean;
}

function draftOf(s: SearchSchedule | undefined): Draft {
  const sc = s?.schedule;
  return {
    kind: sc?.kind ?? 'threshold',
    op: sc?.kind === 'threshold' ? sc.op : '>=',
    value: sc?.kind === 'threshold' ? String(sc.value) : '1',
    by: sc?.kind === 'threshold' ? (sc.by ?? '') : '',
    field: sc?.kind === 'new_terms' ? sc.field : '',
    historyDays: sc?.kind === 'new_terms' ? String(sc.historyDays) : '7',
    everyMinutes: String(sc?.everyMinutes ?? 5),
    windowMinutes: String(sc?.windowMinutes ?? 15),
    level: sc?.level ?? 'medium',
    title: sc?.title ?? '',
    enabled: s?.enabled ?? true,
  };
}

/** The body the server's discriminated union expects; numbers stay as typed so zod names a bad one. */
function scheduleOf(d: Draft): Schedule {
  const common = {
    everyMinutes: Number(d.everyMinutes),
    windowMinutes: Number(d.windowMinutes),
    level: d.level,
    ...(d.title.trim() ? { title: d.title.trim() } : {}),
  };
  switch (d.kind) {
    case 'threshold':
      return {
        ...common,
        kind: 'threshold',
        op: d.op,
        value: Number(d.value),
        ...(d.by.trim() ? { by: d.by.trim() } : {}),
      };
    case 'new_terms':
      return { ...common, kind: 'new_terms', field: d.field.trim(), historyDays: Number(d.historyDays) };
    case 'no_data':
      return { ...common, kind: 'no_data' };
  }
}

export function LastRun({ s }: { s: SearchSchedule }) {
  if (!s.lastRunAt) return <span className="muted">not run yet</span>;
  return (
    <span className="last-run">
      <span className={`badge state-${s.lastStatus === 'ok' ? 'ok' : 'breached'}`}>{s.lastStatus}</span>{' '}
      <span title={s.lastRunAt}>{ago(s.lastRunAt)}</span> · {num(s.lastHits)} hit
      {s.lastHits === 1 ? '' : 's'}
      {s.lastError && <span className="form-error hunt-wrap"> {s.lastError}</span>}
    </span>
  );
}

function PreviewResult({ p }: { p: SchedulePreview }) {
  return (
    <div className="schedule-preview" data-testid="schedule-preview" aria-live="polite">
      <div className="muted small">
        Window <Time iso={p.windowStart} /> – <Time iso={p.windowEnd} />:{' '}
        {p.detections.length === 0
          ? 'nothing would fire.'
          : `${num(p.detections.length)} alert${p.detections.length === 1 ? '' : 's'} would fire.`}
      </div>
      {p.detections.length > 0 && (
        <ul className="hunt-list">
          {p.detections.map((d) => (
            <li key={d.id} className="hunt-wrap">
              <Severity level={d.level} /> {d.title}
              {d.details.group && (
                <span className="mono">
                  {' '}
                  {Object.entries(d.details.group)
                    .map(([k, v]) => `${k}=${text(v)}`)
                    .join(', ')}
                </span>
              )}
              {typeof d.details.count === 'number' && (
                <span className="muted"> · count {num(d.details.count)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ScheduleDialog({ saved, onClose }: { saved: SavedSearch; onClose: () => void }) {
  const qc = useQueryClient();
  const current = useQuery({
    queryKey: ['schedule', saved.id],
    queryFn: async () => {
      try {
        return await huntingApi.schedule(saved.id);
      } catch (e) {
        // No schedule yet is a state, not an error.
        if (e instanceof ApiError && e.status === 404 && !e.notAvailable) return null;
        throw e;
      }
    },
    retry: false,
  });
  if (current.isPending)
    return (
      <Modal title={`Schedule “${saved.name}”`} onClose={onClose}>
        <Loading what="Loading the schedule" />
      </Modal>
    );
  if (current.error)
    return (
      <Modal title={`Schedule “${saved.name}”`} onClose={onClose}>
        <ErrorState error={current.error} what="Schedule" retry={() => void current.refetch()} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </Modal>
    );
  return (
    <ScheduleForm
      saved={saved}
      existing={current.data ?? undefined}
      onClose={onClose}
      onChanged={() => {
        void qc.invalidateQueries({ queryKey: ['schedule', saved.id] });
        void qc.invalidateQueries({ queryKey: ['scheduled-searches'] });
      }}
    />
  );
}

function ScheduleForm({
  saved,
  existing,
  onClose,
  onChanged,
}: {
  saved: SavedSearch;
  existing: SearchSchedule | undefined;
  onClose: () => void;
  onChanged: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(existing));
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const preview = useMutation({ mutationFn: () => huntingApi.previewSchedule(saved.id, scheduleOf(d)) });
  const save = useMutation({
    mutationFn: () => huntingApi.putSchedule(saved.id, scheduleOf(d), d.enabled),
    onSuccess: onChanged,
  });
  const remove = useMutation({ mutationFn: () => huntingApi.deleteSchedule(saved.id), onSuccess: onChanged });
  const error = save.error ?? preview.error ?? remove.error;
  const state = save.data ?? (remove.isSuccess ? undefined : existing);

  return (
    <Modal title={`Schedule “${saved.name}”`} onClose={onClose} wide testId="schedule-dialog">
      <p className="mono small hunt-wrap muted">{saved.query || '(every event)'}</p>
      <form
        className="hunt-grid"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label>
          Kind
          <select value={d.kind} onChange={(e) => set({ kind: e.target.value as ScheduleKind })}>
            {SCHEDULE_KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        {d.kind === 'threshold' && (
          <>
            <label>
              Operator
              <select value={d.op} onChange={(e) => set({ op: e.target.value as ThresholdOp })}>
                {THRESHOLD_OPS.map((o) => (
                  <option key={o} value={o}>
                    count {o}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Value
              <input
                type="number"
                min={0}
                required
                value={d.value}
                onChange={(e) => set({ value: e.target.value })}
              />
            </label>
            <label>
              Group by field (optional)
              <input
                value={d.by}
                maxLength={200}
                placeholder="user.name"
                onChange={(e) => set({ by: e.target.value })}
              />
            </label>
          </>
        )}
        {d.kind === 'new_terms' && (
          <>
            <label>
              Field
              <input
                required
                value={d.field}
                maxLength={200}
                placeholder="process.name"
                onChange={(e) => set({ field: e.target.value })}
              />
            </label>
            <label>
              History (days)
              <input
                type="number"
                min={1}
                max={365}
                required
                value={d.historyDays}
                onChange={(e) => set({ historyDays: e.target.value })}
              />
            </label>
          </>
        )}
        <label>
          Every (minutes)
          <input
            type="number"
            min={1}
            max={10080}
            required
            value={d.everyMinutes}
            onChange={(e) => set({ everyMinutes: e.target.value })}
          />
        </label>
        <label>
          Window (minutes)
          <input
            type="number"
            min={1}
            max={10080}
            required
            value={d.windowMinutes}
            onChange={(e) => set({ windowMinutes: e.target.value })}
          />
        </label>
        <label>
          Level
          <select value={d.level} onChange={(e) => set({ level: e.target.value as Schedule['level'] })}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="hunt-span-2">
          Alert title (optional)
          <input
            value={d.title}
            maxLength={200}
            placeholder={saved.name}
            onChange={(e) => set({ title: e.target.value })}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Enabled
        </label>
        <div className="actions hunt-span-all">
          <button type="button" onClick={() => preview.mutate()} disabled={preview.isPending}>
            {preview.isPending ? 'Previewing…' : 'Preview'}
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            Save schedule
          </button>
          {state && (
            <button
              type="button"
              className="hunt-danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Stop running “${saved.name}” on a schedule?`)) remove.mutate();
              }}
            >
              Remove schedule
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      {error && (
        <p className="form-error hunt-wrap" role="alert" data-testid="schedule-error">
          {errorText(error)}
        </p>
      )}
      {save.isSuccess && !remove.isSuccess && (
        <p className="hunt-ok" role="status">
          Schedule saved.
        </p>
      )}
      {remove.isSuccess && (
        <p className="hunt-ok" role="status">
          Schedule removed.
        </p>
      )}
      {preview.data && <PreviewResult p={preview.data} />}
      {state && (
        <div className="small" data-testid="schedule-last-run">
          Last run: <LastRun s={state} />
        </div>
      )}
    </Modal>
  );
}

function describe(s: Schedule): string {
  const base = `every ${s.everyMinutes} min over ${s.windowMinutes} min`;
  switch (s.kind) {
    case 'threshold':
      return `count ${s.op} ${s.value}${s.by ? ` by ${s.by}` : ''}, ${base}`;
    case 'new_terms':
      return `new ${s.field} vs ${s.historyDays} d, ${base}`;
    case 'no_data':
      return `no data, ${base}`;
  }
}

/** Every scheduled search the caller can see, with its last run. */
export function ScheduledSearches({ onLoad }: { onLoad: (query: string) => void }) {
  const list = useQuery({
    queryKey: ['scheduled-searches'],
    queryFn: huntingApi.scheduledSearches,
    refetchInterval: 30_000,
  });
  if (list.isPending) return <Loading what="Loading scheduled searches" />;
  if (list.error)
    return <ErrorState error={list.error} what="Scheduled searches" retry={() => void list.refetch()} />;
  if (list.data.schedules.length === 0)
    return <div className="state state-empty">No scheduled searches.</div>;
  return (
    <table className="table compact hunt-fixed" data-testid="scheduled-searches">
      <thead>
        <tr>
          <th>Name</th>
          <th>Rule</th>
          <th>Level</th>
          <th>Last run</th>
        </tr>
      </thead>
      <tbody>
        {list.data.schedules.map((s) => (
          <tr key={s.searchId} className={s.enabled ? undefined : 'row-muted'}>
            <td className="ellipsis" title={s.query}>
              <button type="button" className="linklike" onClick={() => onLoad(s.query)}>
                {s.name}
              </button>
              {!s.enabled && <span className="muted"> (disabled)</span>}
            </td>
            <td className="ellipsis" title={describe(s.schedule)}>
              {describe(s.schedule)}
            </td>
            <td>
              <Severity level={s.schedule.level} />
            </td>
            <td className="wrap">
              <LastRun s={s} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
