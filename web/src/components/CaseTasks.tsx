/** Tasks of a case: add by hand or from a template, then work them (status, assignee, due). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { caseApi, TASK_STATUSES, type CaseTask } from '../api';
import { Time } from '../format';
import { errorText, fromLocalInput, toLocalInput, useCaseMutation } from './CaseUi';
import { Empty, ErrorState, Loading, StateBadge } from './States';

export function CaseTasks({ caseId, writable }: { caseId: string; writable: boolean }) {
  const tasks = useQuery({ queryKey: ['case', caseId, 'tasks'], queryFn: () => caseApi.tasks(caseId) });
  if (tasks.isPending) return <Loading what="Loading tasks" />;
  if (tasks.error) return <ErrorState error={tasks.error} what="Tasks" retry={() => void tasks.refetch()} />;
  const list = tasks.data.tasks;
  const open = list.filter((t) => t.status === 'todo' || t.status === 'in_progress').length;
  return (
    <>
      {writable && <AddTask caseId={caseId} />}
      {list.length === 0 ? (
        <Empty>No tasks yet.</Empty>
      ) : (
        <>
          <p className="muted small">
            {open} open of {list.length}
          </p>
          <table className="table compact" data-testid="case-tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Group</th>
                <th>Status</th>
                <th>Assignee</th>
                <th>Due</th>
                <th>Done</th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <TaskRow key={t.id} caseId={caseId} t={t} writable={writable} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function TaskRow({ caseId, t, writable }: { caseId: string; t: CaseTask; writable: boolean }) {
  const [assignee, setAssignee] = useState(t.assignee ?? '');
  const patch = useCaseMutation(caseId, (b: Parameters<typeof caseApi.patchTask>[2]) =>
    caseApi.patchTask(caseId, t.id, b),
  );
  const overdue =
    t.dueAt && (t.status === 'todo' || t.status === 'in_progress') && Date.parse(t.dueAt) < Date.now();
  return (
    <tr data-task-id={t.id} className={overdue ? 'row-warn' : undefined}>
      <td className="wrap" title={t.description || undefined}>
        {t.title}
        {t.description && <div className="muted small clamp">{t.description}</div>}
        {patch.error && <div className="form-error">{errorText(patch.error)}</div>}
      </td>
      <td className="muted">{t.group ?? ''}</td>
      <td>
        {writable ? (
          <select
            aria-label={`Status of ${t.title}`}
            value={t.status}
            disabled={patch.isPending}
            onChange={(e) => patch.mutate({ status: e.target.value })}
          >
            {TASK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        ) : (
          <StateBadge state={t.status} />
        )}
      </td>
      <td>
        {writable ? (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              patch.mutate({ assignee: assignee.trim() || null });
            }}
          >
            <input
              aria-label={`Assignee of ${t.title}`}
              value={assignee}
              onChange={(e) => setAssignee(e.target.value)}
              onBlur={() => {
                if ((assignee.trim() || null) !== t.assignee)
                  patch.mutate({ assignee: assignee.trim() || null });
              }}
              size={12}
              maxLength={128}
              placeholder="—"
            />
          </form>
        ) : (
          (t.assignee ?? '—')
        )}
      </td>
      <td>
        {writable ? (
          <input
            type="datetime-local"
            aria-label={`Due date of ${t.title}`}
            defaultValue={toLocalInput(t.dueAt)}
            onBlur={(e) => {
              if (e.target.value !== toLocalInput(t.dueAt))
                patch.mutate({ dueAt: fromLocalInput(e.target.value) });
            }}
          />
        ) : (
          <Time iso={t.dueAt} />
        )}
      </td>
      <td>{t.completedAt ? <Time iso={t.completedAt} /> : ''}</td>
    </tr>
  );
}

function AddTask({ caseId }: { caseId: string }) {
  const [title, setTitle] = useState('');
  const [group, setGroup] = useState('');
  const [template, setTemplate] = useState('');
  const [msg, setMsg] = useState<string>();
  const templates = useQuery({
    queryKey: ['case-templates'],
    queryFn: () => caseApi.templates(),
    staleTime: 60_000,
  });
  const add = useCaseMutation(
    caseId,
    (b: { title: string; group?: string | null }) => caseApi.addTask(caseId, b),
    () => {
      setTitle('');
      setMsg('Task added');
    },
  );
  // A template's tasks are added one by one: the API has no "apply template" to an existing case.
  const fromTemplate = useCaseMutation(
    caseId,
    async (id: string) => {
      const t = templates.data?.templates.find((x) => x.id === id);
      if (!t) throw new Error(`no template ${id}`);
      const now = Date.now();
      for (const task of t.tasks) {
        await caseApi.addTask(caseId, {
          title: task.title,
          description: task.description,
          group: task.group,
          dueAt: task.dueInHours ? new Date(now + task.dueInHours * 3_600_000).toISOString() : null,
        });
      }
      return t;
    },
    (t) => setMsg(`Added ${t.tasks.length} task(s) from ${t.name}`),
  );
  return (
    <div className="case-add-row">
      <form
        className="filters"
        aria-label="Add a task"
        onSubmit={(e) => {
          e.preventDefault();
          if (title.trim()) add.mutate({ title: title.trim(), group: group.trim() || null });
        }}
      >
        <label className="grow">
          New task
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={300}
            placeholder="What needs doing"
          />
        </label>
        <label>
          Group
          <input value={group} onChange={(e) => setGroup(e.target.value)} maxLength={100} size={12} />
        </label>
        <button type="submit" disabled={add.isPending || !title.trim()}>
          Add task
        </button>
      </form>
      {(templates.data?.templates.length ?? 0) > 0 && (
        <form
          className="filters"
          aria-label="Add tasks from a template"
          onSubmit={(e) => {
            e.preventDefault();
            if (template) fromTemplate.mutate(template);
          }}
        >
          <label>
            From template
            <select value={template} onChange={(e) => setTemplate(e.target.value)}>
              <option value="">— template —</option>
              {templates.data!.templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.tasks.length})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={!template || fromTemplate.isPending}>
            Add its tasks
          </button>
        </form>
      )}
      <span className="status-msg" role="status" aria-live="polite">
        {add.error
          ? `Failed: ${errorText(add.error)}`
          : fromTemplate.error
            ? `Failed: ${errorText(fromTemplate.error)}`
            : msg}
      </span>
    </div>
  );
}
