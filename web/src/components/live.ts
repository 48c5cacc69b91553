/**
 * Live updates from GET /api/v1/stream (Server-Sent Events). One connection per browser tab, shared
 * by every component that listens; it opens with the first listener and closes after the last.
 * EventSource reconnects by itself after a dropped connection; a `resync` (updates were dropped for
 * a slow connection) or a reconnect tells listeners to refetch instead of trusting what they hold.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { API_PATHS } from '../api-paths';
import { onTenantChange, selectedTenant } from '../tenant';

export type LiveEventName =
  'alert.created' | 'alert.updated' | 'case.created' | 'case.status' | 'playbook.run' | 'resync' | 'ready';

export interface LiveAlert {
  id: string;
  title: string;
  severity: string;
  status: string;
  ruleId: string;
  entity: { type: string; value: string } | null;
  createdAt: string;
}

export interface LiveEvent {
  tenant?: string;
  alertIds?: string[];
  alerts?: LiveAlert[];
  caseId?: string;
  status?: string;
  reason?: string;
  /** playbook.run: the run and its playbook (status above). */
  run?: string;
  playbook?: string;
}

export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting' | 'ended';

type Listener = (name: LiveEventName, data: LiveEvent) => void;

const EVENTS: LiveEventName[] = [
  'alert.created',
  'alert.updated',
  'case.created',
  'case.status',
  'playbook.run',
  'resync',
];
const listeners = new Set<Listener>();
const statusSubs = new Set<() => void>();
let source: EventSource | undefined;
let status: LiveStatus = 'off';
let closeTimer: ReturnType<typeof setTimeout> | undefined;
let everReady = false;

function setStatus(s: LiveStatus): void {
  status = s;
  for (const f of statusSubs) f();
}

function emit(name: LiveEventName, data: LiveEvent): void {
  for (const l of [...listeners]) l(name, data);
}

function parse(e: MessageEvent): LiveEvent {
  try {
    const v = JSON.parse(String(e.data)) as unknown;
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function open(): void {
  if (source) return;
  setStatus('connecting');
  const tenant = selectedTenant();
  const es = new EventSource(
    tenant ? `${API_PATHS.stream}?tenant=${encodeURIComponent(tenant)}` : API_PATHS.stream,
  );
  source = es;
  es.addEventListener('ready', () => {
    // After a reconnect, whatever happened while we were away is unknown: refetch.
    if (everReady) emit('resync', { reason: 'reconnected' });
    everReady = true;
    setStatus('live');
  });
  for (const name of EVENTS) es.addEventListener(name, (e) => emit(name, parse(e)));
  es.addEventListener('end', () => {
    es.close();
    if (source === es) source = undefined;
    setStatus('ended');
  });
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      if (source === es) source = undefined;
      setStatus('ended');
    } else setStatus('reconnecting');
  };
}

function close(): void {
  source?.close();
  source = undefined;
  everReady = false;
  setStatus('off');
}

// Another tenant is another stream: reconnect with it if a connection is open.
onTenantChange(() => {
  if (!source) return;
  close();
  open();
});

function subscribe(l: Listener): () => void {
  listeners.add(l);
  if (closeTimer) clearTimeout(closeTimer);
  closeTimer = undefined;
  open();
  return () => {
    listeners.delete(l);
    // Page changes unsubscribe and resubscribe at once: keep the connection over the gap.
    if (listeners.size === 0) closeTimer = setTimeout(close, 2000);
  };
}

/** Calls `onEvent` for every live event while mounted (and `enabled`). */
export function useLiveEvents(onEvent: Listener, enabled = true): void {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  useEffect(() => {
    if (!enabled) return;
    return subscribe((n, d) => ref.current(n, d));
  }, [enabled]);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (f) => {
      statusSubs.add(f);
      return () => statusSubs.delete(f);
    },
    () => status,
  );
}

/** Reopens a stream that ended (after the session was renewed, for instance). */
export function reconnectLive(): void {
  if (listeners.size > 0 && !source) open();
}
