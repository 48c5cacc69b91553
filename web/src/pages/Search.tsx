/**
 * Search / hunt: query bar with the parser's error under the column it names, a time range, results
 * with expandable JSON, and click-to-pivot on any value. Saved and scheduled searches, export of
 * the current query, and a second tab for Sigma retro-hunts over stored events.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { api, ApiError, type EventDoc } from '../api';
import { exportHref } from '../components/huntingApi';
import { JsonView } from '../components/JsonView';
import { RetroHunts } from '../components/RetroHunts';
import { SavedSearches } from '../components/SavedSearches';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { field, num, term, text, Time } from '../format';
import { navigate, useLocation } from '../router';

const RANGES: Array<[string, string, number | undefined]> = [
  ['15m', 'last 15 minutes', 15 * 60_000],
  ['1h', 'last hour', 3600_000],
  ['24h', 'last 24 hours', 86_400_000],
  ['7d', 'last 7 days', 7 * 86_400_000],
  ['30d', 'last 30 days', 30 * 86_400_000],
  ['all', 'all time', undefined],
];
const COLUMNS = ['host.name', 'event.dataset', 'source.ip', 'user.name'];

function summary(e: EventDoc): string {
  const m = field(e, 'message') ?? field(e, 'event.original');
  return m === undefined ? text(e) : text(m);
}

/** The column a parse error names (1-based), from the error's details or its message. */
export function errorColumn(e: unknown): number | undefined {
  if (!(e instanceof ApiError) || e.status !== 400) return undefined;
  const d = e.details as { column?: unknown } | undefined;
  if (d && typeof d.column === 'number') return d.column;
  const m = /column (\d+)/.exec(e.message);
  return m ? Number(m[1]) : undefined;
}

const TABS = [
  ['search', 'Search'],
  ['hunt', 'Sigma retro-hunt'],
] as const;

/** WAI-ARIA tabs (arrow keys, Home/End); the selected one lives in the URL as `tab`. */
function SearchTabs({ current }: { current: string }) {
  const select = (id: string) => {
    navigate('/search', { tab: id === 'search' ? undefined : id });
    requestAnimationFrame(() => document.getElementById(`search-tab-${id}`)?.focus());
  };
  const onKey = (e: ReactKeyboardEvent<HTMLDivElement>) => {
    const i = TABS.findIndex(([id]) => id === current);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    select(TABS[next]![0]);
  };
  return (
    <div className="case-tabs search-tabs" role="tablist" aria-label="Search sections" onKeyDown={onKey}>
      {TABS.map(([id, label]) => (
        <button
          key={id}
          type="button"
          role="tab"
          id={`search-tab-${id}`}
          aria-selected={id === current}
          aria-controls={`search-panel-${id}`}
          tabIndex={id === current ? 0 : -1}
          onClick={() => select(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

export default function Search() {
  const loc = useLocation();
  const tab = loc.query.get('tab') === 'hunt' ? 'hunt' : 'search';
  const q = loc.query.get('q') ?? '';
  const range = loc.query.get('range') ?? '24h';
  const limit = Number(loc.query.get('limit') ?? 100);
  const [draft, setDraft] = useState(q);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setDraft(q), [q]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (
        e.key === '/' &&
        document.activeElement !== input.current &&
        !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)
      ) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const span = RANGES.find((r) => r[0] === range)?.[2];
  const results = useQuery({
    queryKey: ['search', q, range, limit],
    queryFn: () =>
      api.searchEvents({ q, limit, from: span ? new Date(Date.now() - span).toISOString() : undefined }),
    retry: false,
    enabled: tab === 'search',
  });

  const run = (next: { q?: string; range?: string; limit?: string }) => {
    setOpen(new Set());
    navigate('/search', { q, range, limit: String(limit), ...next });
  };
  const pivot = (f: string, v: string) => {
    const t = term(f, v);
    run({ q: q.includes(t) ? q : `${q} ${t}`.trim() });
  };
  const col = errorColumn(results.error);

  if (tab === 'hunt')
    return (
      <>
        <PageHeader title="Search" />
        <SearchTabs current={tab} />
        <section
          id="search-panel-hunt"
          role="tabpanel"
          aria-labelledby="search-tab-hunt"
          className="search-panel"
        >
          <RetroHunts ruleId={loc.query.get('rule') ?? undefined} />
        </section>
      </>
    );

  // The export covers the same range as the results shown, computed when the link is pressed.
  const exportLink = (format: 'csv' | 'ndjson') =>
    exportHref(format, q, span ? new Date(Date.now() - span).toISOString() : undefined);

  return (
    <>
      <PageHeader title="Search" />
      <SearchTabs current={tab} />
      <section
        id="search-panel-search"
        role="tabpanel"
        aria-labelledby="search-tab-search"
        className="search-panel"
      >
        <form
          className="searchbar"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            run({ q: draft });
          }}
        >
          <div className="query-wrap grow">
            <input
              ref={input}
              className={`query mono${col ? ' invalid' : ''}`}
              aria-label="Query"
              aria-invalid={col ? true : undefined}
              aria-describedby={col ? 'query-error' : undefined}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              placeholder='host.name:web01 user.name:"root" failed   ( / to focus )'
              spellCheck={false}
              autoComplete="off"
              maxLength={4096}
            />
            {col !== undefined && q === draft && (
              <div className="query-underline mono" aria-hidden="true" data-testid="query-underline">
                <span className="invisible">{q.slice(0, col - 1)}</span>
                <span className="squiggle">{q.slice(col - 1, col) || ' '}</span>
              </div>
            )}
          </div>
          <select aria-label="Time range" value={range} onChange={(e) => run({ range: e.target.value })}>
            {RANGES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
          <select aria-label="Result limit" value={limit} onChange={(e) => run({ limit: e.target.value })}>
            {[50, 100, 500, 1000].map((n) => (
              <option key={n} value={n}>
                {n} rows
              </option>
            ))}
          </select>
          <button type="submit" className="primary">
            Search
          </button>
        </form>
        <div className="search-tools">
          <SavedSearches query={q} onLoad={(saved) => run({ q: saved })} />
          <div className="actions">
            <a
              className="button"
              href={exportLink('csv')}
              download
              onClick={(e) => {
                e.currentTarget.href = exportLink('csv');
              }}
            >
              Export CSV
            </a>
            <a
              className="button"
              href={exportLink('ndjson')}
              download
              onClick={(e) => {
                e.currentTarget.href = exportLink('ndjson');
              }}
            >
              Export NDJSON
            </a>
          </div>
        </div>
        <p className="muted small">
          Terms: <code>field:value</code>, <code>field:"quoted value"</code>, <code>field:*</code> (exists),{' '}
          <code>field:*part*</code> (contains), bare words (free text). All terms must hold. Click any value
          in a result to add it to the query.
        </p>
        {col !== undefined && (
          <p id="query-error" className="form-error" role="alert" data-testid="query-error">
            {(results.error as ApiError).message}
          </p>
        )}

        {results.isPending ? (
          <Loading what="Searching" />
        ) : results.error ? (
          col === undefined && (
            <ErrorState error={results.error} what="Search results" retry={() => void results.refetch()} />
          )
        ) : results.data.events.length === 0 ? (
          <div className="state state-empty">No events match.</div>
        ) : (
          <>
            <div className="muted small" data-testid="search-total">
              {num(results.data.total)} event{results.data.total === 1 ? '' : 's'}
              {results.data.total > results.data.events.length
                ? `, showing the newest ${num(results.data.events.length)}`
                : ''}
            </div>
            <table className="table results">
              <thead>
                <tr>
                  <th aria-label="expand" />
                  <th>Time</th>
                  {COLUMNS.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                  <th>Message</th>
                </tr>
              </thead>
              <tbody>
                {results.data.events.map((e, i) => {
                  const isOpen = open.has(i);
                  return [
                    <tr key={i} className={isOpen ? 'expanded' : undefined}>
                      <td>
                        <button
                          type="button"
                          className="ghost tiny"
                          aria-expanded={isOpen}
                          aria-label={isOpen ? 'Collapse event' : 'Expand event'}
                          onClick={() =>
                            setOpen((s) => {
                              const n = new Set(s);
                              if (n.has(i)) n.delete(i);
                              else n.add(i);
                              return n;
                            })
                          }
                        >
                          {isOpen ? '▾' : '▸'}
                        </button>
                      </td>
                      <td>
                        <Time iso={text(field(e, '@timestamp'))} />
                      </td>
                      {COLUMNS.map((c) => {
                        const v = field(e, c);
                        return (
                          <td key={c} className="ellipsis narrow">
                            {v === undefined ? (
                              <span className="muted">—</span>
                            ) : (
                              <button
                                type="button"
                                className="pivot"
                                title={`Add ${c}:${text(v)} to the query`}
                                onClick={() => pivot(c, text(v))}
                              >
                                {text(v)}
                              </button>
                            )}
                          </td>
                        );
                      })}
                      <td className="ellipsis wide mono" title={summary(e)}>
                        {summary(e)}
                      </td>
                    </tr>,
                    isOpen && (
                      <tr key={`${i}-json`} className="json-row">
                        <td colSpan={COLUMNS.length + 3}>
                          <JsonView value={e} onPivot={pivot} />
                        </td>
                      </tr>
                    ),
                  ];
                })}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}
