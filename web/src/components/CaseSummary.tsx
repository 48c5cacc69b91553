/** The head of a case: its facts at a glance, the status change, and an edit form for every field. */
import { useState } from 'react';
import {
  CASE_RESOLUTIONS,
  CASE_STATUSES,
  caseApi,
  PAP_LEVELS,
  SEVERITIES,
  TLP_LEVELS,
  type CaseDetail,
  type CasePatch,
} from '../api';
import { Time } from '../format';
import { Link } from '../router';
import {
  errorText,
  fromLocalInput,
  RenderedMarkdown,
  splitList,
  toLocalInput,
  useCaseMutation,
} from './CaseUi';
import { Severity, StateBadge } from './States';

const words = (s: string) => s.replace(/_/g, ' ');

function slaText(c: CaseDetail): string {
  const s = c.sla?.remainingSeconds;
  if (s === null || s === undefined) return '';
  const abs = Math.abs(s);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const span = h >= 48 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${h}h ${m}m`;
  return s >= 0 ? `${span} left` : `${span} over`;
}

export function CaseStatusControl({ c, writable }: { c: CaseDetail; writable: boolean }) {
  const [status, setStatus] = useState(c.status);
  const [resolution, setResolution] = useState(c.resolution ?? '');
  const [msg, setMsg] = useState<string>();
  const save = useCaseMutation(
    c.id,
    (p: CasePatch) => caseApi.patch(c.id, p),
    (r) => setMsg(`Status: ${words(r.status)}`),
  );
  const needsResolution = status === 'resolved' || status === 'closed';
  if (!writable) return null;
  return (
    <form
      className="case-status"
      onSubmit={(e) => {
        e.preventDefault();
        setMsg(undefined);
        save.mutate(needsResolution ? { status, resolution: resolution || null } : { status }, {
          onError: (err) => setMsg(`Failed: ${errorText(err)}`),
        });
      }}
    >
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="case-status-select">
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {words(s)}
            </option>
          ))}
        </select>
      </label>
      {needsResolution && (
        <label>
          Resolution
          <select value={resolution} onChange={(e) => setResolution(e.target.value)} required>
            <option value="">— choose —</option>
            {CASE_RESOLUTIONS.filter((r) => r !== 'merged').map((r) => (
              <option key={r} value={r}>
                {words(r)}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" disabled={save.isPending || (status === c.status && !needsResolution)}>
        Set status
      </button>
      <span className="status-msg" role="status" aria-live="polite" data-testid="case-status-msg">
        {msg}
      </span>
    </form>
  );
}

/**
 * Who may see a restricted case: named users only (managers and admins always), or, with no
 * members, everyone of the tenant.
 */
function CaseMembers({ c, writable }: { c: CaseDetail; writable: boolean }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(c.members.join(', '));
  const [msg, setMsg] = useState<string>();
  const save = useCaseMutation(
    c.id,
    (members: string[]) => caseApi.setMembers(c.id, members),
    () => setEditing(false),
  );
  if (!editing)
    return (
      <>
        {c.members.length === 0 ? (
          <span className="muted">everyone in the tenant</span>
        ) : (
          c.members.map((m) => (
            <span key={m} className="tag">
              {m}
            </span>
          ))
        )}{' '}
        {writable && (
          <button
            type="button"
            className="tiny"
            onClick={() => {
              setText(c.members.join(', '));
              setEditing(true);
            }}
          >
            Restrict…
          </button>
        )}
        {msg && <span className="form-error">{msg}</span>}
      </>
    );
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        setMsg(undefined);
        save.mutate(splitList(text), { onError: (err) => setMsg(`Failed: ${errorText(err)}`) });
      }}
    >
      <input
        aria-label="Case members (user names, comma-separated; empty: everyone in the tenant)"
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder="empty: everyone in the tenant"
        data-testid="case-members-input"
      />
      <button type="submit" className="tiny" disabled={save.isPending}>
        Save
      </button>
      <button type="button" className="ghost tiny" onClick={() => setEditing(false)}>
        Cancel
      </button>
    </form>
  );
}

export function CaseSummary({ c, writable }: { c: CaseDetail; writable: boolean }) {
  const [editing, setEditing] = useState(false);
  return (
    <section className="panel case-summary" aria-label="Case summary">
      {editing ? (
        <CaseEditForm c={c} onDone={() => setEditing(false)} />
      ) : (
        <>
          <dl className="facts">
            <dt>Severity</dt>
            <dd>
              <Severity level={c.severity} />
            </dd>
            <dt>Status</dt>
            <dd data-testid="case-status">
              <StateBadge state={c.status} />
              {c.resolution && <span className="muted"> · {words(c.resolution)}</span>}
            </dd>
            <dt>Assignee</dt>
            <dd>{c.assignee ?? '—'}</dd>
            <dt>Members</dt>
            <dd data-testid="case-members">
              <CaseMembers c={c} writable={writable} />
            </dd>
            <dt>Due / SLA</dt>
            <dd>
              {c.dueAt ? <Time iso={c.dueAt} /> : '—'}{' '}
              {/* The SLA clock stops once the case is resolved: its state then says nothing. */}
              {c.sla && (c.status === 'open' || c.status === 'in_progress') && (
                <>
                  <StateBadge state={c.sla.state} /> <span className="muted">{slaText(c)}</span>
                </>
              )}
              {c.dueSource === 'manual' && <span className="muted"> (set by hand)</span>}
            </dd>
            <dt>TLP / PAP</dt>
            <dd>
              <span className={`badge tlp tlp-${c.tlp.replace(/[^a-z]/g, '')}`}>
                TLP:{c.tlp.toUpperCase()}
              </span>{' '}
              <span className="badge">PAP:{c.pap.toUpperCase()}</span>
            </dd>
            <dt>Tags</dt>
            <dd>
              {c.tags.length === 0
                ? '—'
                : c.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
            </dd>
            <dt>ATT&amp;CK</dt>
            <dd data-testid="case-attack">
              {c.attack.tactics.length + c.attack.techniques.length === 0
                ? '—'
                : [
                    ...c.attack.tactics.map((t) => (
                      <span key={`ta-${t}`} className="tag">
                        {t}
                      </span>
                    )),
                    ...c.attack.techniques.map((t) => (
                      <a
                        key={`te-${t}`}
                        className="tag mono"
                        href={`https://attack.mitre.org/techniques/${t.toUpperCase().replace('.', '/')}/`}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        {t.toUpperCase()}
                      </a>
                    )),
                  ]}
            </dd>
            <dt>Opened</dt>
            <dd>
              <Time iso={c.createdAt} /> <span className="muted">by {c.createdBy}</span>
            </dd>
            <dt>Tenant</dt>
            <dd>{c.tenant}</dd>
            {c.mergedInto && (
              <>
                <dt>Merged into</dt>
                <dd>
                  <Link to={`/cases/${c.mergedInto}`}>the surviving case</Link>
                </dd>
              </>
            )}
          </dl>
          <div className="case-description">
            {c.description.trim() ? (
              <RenderedMarkdown html={c.descriptionHtml} testId="case-description" />
            ) : (
              <p className="muted">No description.</p>
            )}
          </div>
          {writable && (
            <div className="actions">
              <button type="button" onClick={() => setEditing(true)}>
                Edit case
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function CaseEditForm({ c, onDone }: { c: CaseDetail; onDone: () => void }) {
  const [f, setF] = useState({
    title: c.title,
    description: c.description,
    severity: c.severity,
    tlp: c.tlp,
    pap: c.pap,
    tags: c.tags.join(', '),
    assignee: c.assignee ?? '',
    dueAt: toLocalInput(c.dueAt),
    techniques: c.attack.techniques.join(', '),
    tactics: c.attack.tactics.join(', '),
  });
  const save = useCaseMutation(c.id, (p: CasePatch) => caseApi.patch(c.id, p), onDone);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });

  /** Only what changed goes to the server, so the audit trail and timeline show real changes. */
  const patch = (): CasePatch => {
    const p: CasePatch = {};
    if (f.title.trim() !== c.title) p.title = f.title.trim();
    if (f.description !== c.description) p.description = f.description;
    if (f.severity !== c.severity) p.severity = f.severity;
    if (f.tlp !== c.tlp) p.tlp = f.tlp;
    if (f.pap !== c.pap) p.pap = f.pap;
    const tags = splitList(f.tags);
    if (tags.join('\n') !== c.tags.join('\n')) p.tags = tags;
    const assignee = f.assignee.trim() || null;
    if (assignee !== c.assignee) p.assignee = assignee;
    if (f.dueAt !== toLocalInput(c.dueAt)) p.dueAt = fromLocalInput(f.dueAt);
    const attack = {
      techniques: splitList(f.techniques).map((t) => t.toUpperCase()),
      tactics: splitList(f.tactics),
    };
    if (
      attack.techniques.join() !== c.attack.techniques.join() ||
      attack.tactics.join() !== c.attack.tactics.join()
    )
      p.attack = attack;
    return p;
  };

  return (
    <form
      className="case-edit"
      aria-label="Edit case"
      onSubmit={(e) => {
        e.preventDefault();
        const p = patch();
        if (Object.keys(p).length === 0) onDone();
        else save.mutate(p);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onDone();
      }}
    >
      <label className="span-all">
        Title
        <input value={f.title} onChange={set('title')} required maxLength={500} autoFocus />
      </label>
      <label>
        Severity
        <select value={f.severity} onChange={set('severity')}>
          {SEVERITIES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        TLP
        <select value={f.tlp} onChange={set('tlp')}>
          {TLP_LEVELS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        PAP
        <select value={f.pap} onChange={set('pap')}>
          {PAP_LEVELS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Assignee
        <input value={f.assignee} onChange={set('assignee')} maxLength={128} placeholder="user name" />
      </label>
      <label>
        Due
        <input type="datetime-local" value={f.dueAt} onChange={set('dueAt')} />
      </label>
      <label>
        Tags (comma separated)
        <input value={f.tags} onChange={set('tags')} />
      </label>
      <label>
        ATT&amp;CK techniques
        <input value={f.techniques} onChange={set('techniques')} placeholder="T1110, T1059.001" />
      </label>
      <label>
        ATT&amp;CK tactics
        <input value={f.tactics} onChange={set('tactics')} placeholder="credential-access" />
      </label>
      <label className="span-all">
        Description (Markdown)
        <textarea value={f.description} onChange={set('description')} rows={6} maxLength={100_000} />
      </label>
      <div className="actions span-all">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        {save.error && (
          <span className="form-error" role="alert">
            {errorText(save.error)}
          </span>
        )}
      </div>
    </form>
  );
}
