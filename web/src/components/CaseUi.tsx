/** Small pieces the case page's panels share: one mutation hook, tabs, a Markdown view, time inputs. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
// The server's own renderer: it escapes every character first and writes only its own tags, so its
// output is safe to hand to the DOM (the same code renders case reports).
import { renderMarkdown } from '../../../src/cases/markdown';

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A write on one case; on success every query of that case is refreshed (its counts, timeline, audit). */
export function useCaseMutation<V, R>(caseId: string, fn: (v: V) => Promise<R>, onDone?: (r: R) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (r) => {
      onDone?.(r);
      void qc.invalidateQueries({ queryKey: ['case', caseId] });
      void qc.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}

export function Markdown({ source, className }: { source: string; className?: string }) {
  return (
    <div className={`md ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: renderMarkdown(source) }} />
  );
}

/** Server-rendered Markdown (the server ran the same escaping renderer). */
export function RenderedMarkdown({ html, testId }: { html: string; testId?: string }) {
  return <div className="md" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}

export interface Tab {
  id: string;
  label: string;
  count?: number;
}

/** WAI-ARIA tabs: arrow keys move between them, Home/End jump; the selected one is in the URL. */
export function CaseTabs({
  tabs,
  current,
  onSelect,
  children,
}: {
  tabs: Tab[];
  current: string;
  onSelect: (id: string) => void;
  children: ReactNode;
}) {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.id === current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const t = tabs[next]!;
    onSelect(t.id);
    refs.current[t.id]?.focus();
  };
  return (
    <div className="case-tabset">
      <div className="case-tabs" role="tablist" aria-label="Case sections" onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === current}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === current ? 0 : -1}
            className={t.id === current ? 'active' : undefined}
            onClick={() => onSelect(t.id)}
          >
            {t.label}
            {t.count !== undefined && <span className="case-tab-count">{t.count}</span>}
          </button>
        ))}
      </div>
      <section
        className="panel case-panel"
        role="tabpanel"
        id={`panel-${current}`}
        aria-labelledby={`tab-${current}`}
      >
        {children}
      </section>
    </div>
  );
}

/** `<input type="datetime-local">` speaks local wall time; the API speaks ISO instants. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** "a, b ,c" as a clean list. */
export const splitList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v >= 10 ? 0 : 1)} ${units[u]}`;
}
