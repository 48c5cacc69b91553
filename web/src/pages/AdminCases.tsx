/**
 * Case settings of the tenant: the SLA (hours to resolve by severity, and when a case counts as at
 * risk) and case templates (shipped ones read-only, the tenant's own editable). Everyone who reads
 * cases sees them; `templates:manage` (managers, admins) may change them.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { caseApi, SEVERITIES, type CaseTemplate, type CaseTemplateInput, type SlaPolicy } from '../api';
import { errorText, splitList } from '../components/CaseUi';
import { Empty, ErrorState, Loading } from '../components/States';
import { useSession } from '../session';
import { useAdminWrite } from './AdminUsers';

export function AdminCases() {
  const { can } = useSession();
  const writable = can('templates:manage');
  return (
    <>
      <SlaEditor writable={writable} />
      <Templates writable={writable} />
    </>
  );
}

function SlaEditor({ writable }: { writable: boolean }) {
  const sla = useQuery({ queryKey: ['admin', 'sla'], queryFn: () => caseApi.sla() });
  const [draft, setDraft] = useState<SlaPolicy>();
  const [msg, setMsg] = useState<string>();
  const save = useAdminWrite(
    (p: SlaPolicy) => caseApi.setSla(p),
    () => {
      setMsg('SLA saved');
      setDraft(undefined);
    },
  );
  if (sla.isPending) return <Loading what="Loading the SLA" />;
  if (sla.error) return <ErrorState error={sla.error} what="SLA" retry={() => void sla.refetch()} />;
  const p = draft ?? sla.data;
  const set = (k: keyof SlaPolicy, v: string) => setDraft({ ...p, [k]: Number(v) });
  return (
    <form
      className="panel"
      aria-label="Case SLA"
      onSubmit={(e) => {
        e.preventDefault();
        setMsg(undefined);
        save.mutate(p, { onError: (err) => setMsg(`Failed: ${errorText(err)}`) });
      }}
    >
      <h2>SLA: hours to resolve a case</h2>
      <div className="filters">
        {SEVERITIES.map((s) => (
          <label key={s}>
            {s}
            <input
              type="number"
              min={0.1}
              max={24 * 365}
              step="any"
              value={p[s]}
              disabled={!writable}
              onChange={(e) => set(s, e.target.value)}
              data-testid={`sla-${s}`}
              required
            />
          </label>
        ))}
        <label>
          at risk after (share of the time)
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={p.atRiskFraction}
            disabled={!writable}
            onChange={(e) => set('atRiskFraction', e.target.value)}
            required
          />
        </label>
        {writable && (
          <button type="submit" disabled={save.isPending || !draft}>
            Save SLA
          </button>
        )}
      </div>
      <span className="status-msg" role="status" aria-live="polite" data-testid="sla-msg">
        {msg}
      </span>
    </form>
  );
}

const blankTask = () => ({ title: '', description: '', group: null, dueInHours: null });

function Templates({ writable }: { writable: boolean }) {
  const list = useQuery({ queryKey: ['admin', 'case-templates'], queryFn: () => caseApi.templates() });
  const [editing, setEditing] = useState<CaseTemplateInput>();
  if (list.isPending) return <Loading what="Loading case templates" />;
  if (list.error)
    return <ErrorState error={list.error} what="Case templates" retry={() => void list.refetch()} />;
  const templates = list.data.templates;
  return (
    <section className="panel" aria-labelledby="templates-title">
      <h2 id="templates-title">Case templates</h2>
      {writable && !editing && (
        <button
          type="button"
          onClick={() =>
            setEditing({ id: '', name: '', description: '', severity: null, tags: [], tasks: [blankTask()] })
          }
        >
          New template
        </button>
      )}
      {editing && (
        <TemplateForm initial={editing} existing={templates} onDone={() => setEditing(undefined)} />
      )}
      {templates.length === 0 ? (
        <Empty>No templates.</Empty>
      ) : (
        <table className="table compact" data-testid="case-templates">
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Source</th>
              <th className="num">Tasks</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <TemplateRow key={t.id} t={t} writable={writable} onEdit={() => setEditing(toInput(t))} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const toInput = (t: CaseTemplate): CaseTemplateInput => ({
  id: t.id,
  name: t.name,
  description: t.description,
  severity: t.severity ?? null,
  tags: t.tags ?? [],
  tasks: t.tasks.map((x) => ({ ...x })),
});

function TemplateRow({ t, writable, onEdit }: { t: CaseTemplate; writable: boolean; onEdit: () => void }) {
  const remove = useAdminWrite(() => caseApi.removeTemplate(t.id));
  return (
    <tr>
      <td className="ellipsis wide" title={t.description}>
        {t.name}
        {remove.error && <div className="form-error">{errorText(remove.error)}</div>}
      </td>
      <td className="mono">{t.id}</td>
      <td className="muted">{t.source === 'builtin' ? 'shipped' : 'this tenant'}</td>
      <td className="num">{t.tasks.length}</td>
      <td>
        {writable && t.source === 'tenant' && (
          <>
            <button type="button" className="tiny" onClick={onEdit}>
              Edit
            </button>{' '}
            <button
              type="button"
              className="ghost tiny"
              aria-label={`Remove template ${t.name}`}
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Remove the case template ${t.name}?`)) remove.mutate(undefined);
              }}
            >
              ✕
            </button>
          </>
        )}
        {writable && t.source === 'builtin' && (
          <button
            type="button"
            className="tiny"
            title="A tenant copy of this shipped template, to adapt"
            onClick={() => {
              onEdit();
            }}
          >
            Copy
          </button>
        )}
      </td>
    </tr>
  );
}

function TemplateForm({
  initial,
  existing,
  onDone,
}: {
  initial: CaseTemplateInput;
  existing: CaseTemplate[];
  onDone: () => void;
}) {
  const builtinCopy = existing.some((t) => t.id === initial.id && t.source === 'builtin');
  const [t, setT] = useState<CaseTemplateInput>(
    builtinCopy ? { ...initial, id: `${initial.id}-local` } : initial,
  );
  const [tags, setTags] = useState(initial.tags.join(', '));
  const [msg, setMsg] = useState<string>();
  const save = useAdminWrite((v: CaseTemplateInput) => caseApi.saveTemplate(v), onDone);
  const setTask = (i: number, patch: Partial<CaseTemplateInput['tasks'][number]>) =>
    setT({ ...t, tasks: t.tasks.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  return (
    <form
      className="panel template-form"
      aria-label="Case template"
      onSubmit={(e) => {
        e.preventDefault();
        setMsg(undefined);
        save.mutate(
          { ...t, tags: splitList(tags) },
          { onError: (err) => setMsg(`Failed: ${errorText(err)}`) },
        );
      }}
    >
      <div className="filters">
        <label>
          Id
          <input
            value={t.id}
            onChange={(e) => setT({ ...t, id: e.target.value })}
            pattern="[a-z0-9][a-z0-9_\-]*"
            maxLength={63}
            required
            data-testid="template-id"
          />
        </label>
        <label>
          Name
          <input
            value={t.name}
            onChange={(e) => setT({ ...t, name: e.target.value })}
            maxLength={200}
            required
          />
        </label>
        <label>
          Severity
          <select value={t.severity ?? ''} onChange={(e) => setT({ ...t, severity: e.target.value || null })}>
            <option value="">— from the alerts —</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tags (comma-separated)
          <input value={tags} onChange={(e) => setTags(e.target.value)} />
        </label>
      </div>
      <label className="block">
        Description (Markdown)
        <textarea
          value={t.description}
          onChange={(e) => setT({ ...t, description: e.target.value })}
          rows={3}
          maxLength={20_000}
        />
      </label>
      <table className="table compact" aria-label="Template tasks">
        <thead>
          <tr>
            <th>Task</th>
            <th>Group</th>
            <th className="num">Due in hours</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {t.tasks.map((task, i) => (
            <tr key={i}>
              <td>
                <input
                  aria-label={`Task ${i + 1} title`}
                  value={task.title}
                  onChange={(e) => setTask(i, { title: e.target.value })}
                  maxLength={300}
                  required
                />
              </td>
              <td>
                <input
                  aria-label={`Task ${i + 1} group`}
                  value={task.group ?? ''}
                  onChange={(e) => setTask(i, { group: e.target.value || null })}
                  maxLength={100}
                />
              </td>
              <td className="num">
                <input
                  aria-label={`Task ${i + 1} due in hours`}
                  type="number"
                  min={0.1}
                  step="any"
                  value={task.dueInHours ?? ''}
                  onChange={(e) => setTask(i, { dueInHours: e.target.value ? Number(e.target.value) : null })}
                />
              </td>
              <td>
                <button
                  type="button"
                  className="ghost tiny"
                  aria-label={`Remove task ${i + 1}`}
                  disabled={t.tasks.length === 1}
                  onClick={() => setT({ ...t, tasks: t.tasks.filter((_, j) => j !== i) })}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="filters">
        <button type="button" onClick={() => setT({ ...t, tasks: [...t.tasks, blankTask()] })}>
          Add task
        </button>
        <button type="submit" disabled={save.isPending} data-testid="template-save">
          Save template
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
        <span className="status-msg" role="status" aria-live="polite">
          {msg}
        </span>
      </div>
    </form>
  );
}
