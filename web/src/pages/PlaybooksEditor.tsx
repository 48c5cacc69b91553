/**
 * One playbook: YAML editor checked by the server as you type (errors marked at their line), save
 * as a new version, diff against any saved version, and a manual run (dry run by default) with
 * inputs and an optional alert, case or observable.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, socApi, type PlaybookDefinitionError, type RunRequest } from '../api';
import { CodeEditor } from '../components/CodeEditor';
import { LineDiff } from '../components/LineDiff';
import { ErrorState, Loading, PageHeader } from '../components/States';
import { Time } from '../format';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { RunList, runContext } from './Playbooks';

const TEMPLATE = `id: my-playbook
name: My playbook
description: What this playbook does and when.
enabled: false
triggers:
  - manual: true
inputs:
  ip: { type: string }
steps:
  - id: note
    action: log
    with:
      message: "Started for \${{ inputs.ip }}"
  - id: approve
    approval: { role: analyst, message: "Go ahead with \${{ inputs.ip }}?", timeout: 30m, default: reject }
  - id: done
    if: steps.approve.output.approved
    action: log
    with:
      message: approved
`;

/** A 400 from save carries every definition error with its line in `details`. */
function errorsOf(e: unknown): PlaybookDefinitionError[] {
  if (e instanceof ApiError && Array.isArray(e.details))
    return (e.details as PlaybookDefinitionError[]).filter((d) => typeof d?.line === 'number');
  return [];
}

export default function PlaybooksEditor({ id }: { id: string | undefined }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const loc = useLocation();
  const manage = can('playbooks:manage');
  const detail = useQuery({
    queryKey: ['playbooks', 'one', id],
    queryFn: () => socApi.playbook(id!),
    enabled: Boolean(id),
  });
  const [text, setText] = useState<string | undefined>(id ? undefined : TEMPLATE);
  useEffect(() => {
    if (detail.data && text === undefined) setText(detail.data.yaml);
  }, [detail.data, text]);
  const yaml = text ?? '';

  // Validate after a pause in typing; the last answer wins.
  const [checked, setChecked] = useState<{ for: string; errors: PlaybookDefinitionError[]; ok: boolean }>();
  const [checkError, setCheckError] = useState<string>();
  useEffect(() => {
    if (text === undefined) return;
    let stale = false;
    const t = setTimeout(() => {
      socApi
        .validatePlaybook(text)
        .then((r) => {
          if (stale) return;
          setChecked({ for: text, errors: r.errors, ok: r.valid });
          setCheckError(undefined);
        })
        .catch((e: unknown) => !stale && setCheckError(e instanceof Error ? e.message : String(e)));
    }, 400);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [text]);

  const [saveMsg, setSaveMsg] = useState<string>();
  const save = useMutation({
    mutationFn: () => (id ? socApi.savePlaybook(id, yaml) : socApi.createPlaybook(yaml)),
    onSuccess: (r) => {
      setSaveMsg(`Saved ${r.id} as version ${r.version}`);
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
      if (!id) navigate(`/playbooks/${r.id}`);
    },
    onError: (e) => {
      setSaveMsg(`Not saved: ${e instanceof Error ? e.message : String(e)}`);
      const errs = errorsOf(e);
      if (errs.length) setChecked({ for: yaml, errors: errs, ok: false });
    },
  });

  const errors = checked && checked.for === yaml ? checked.errors : (checked?.errors ?? []);
  const dirty = detail.data ? yaml !== detail.data.yaml : true;

  if (id && detail.isPending) return <Loading what="Loading playbook" />;
  if (id && detail.error)
    return <ErrorState error={detail.error} what="Playbook" retry={() => void detail.refetch()} />;

  return (
    <>
      <PageHeader title={id ? `Playbook ${detail.data?.playbook?.name ?? id}` : 'New playbook'}>
        <Link to="/playbooks">all playbooks</Link>
        {detail.data && (
          <span className="muted">
            version {detail.data.version}, saved by {detail.data.updatedBy}{' '}
            <Time iso={detail.data.updatedAt} />
          </span>
        )}
      </PageHeader>
      <div className="pb-layout">
        <section className="panel pb-editor" aria-labelledby="yaml-title">
          <h2 id="yaml-title">
            Definition{' '}
            <span className="small" data-testid="validation-state" role="status" aria-live="polite">
              {checkError ? (
                <span className="warn">cannot check: {checkError}</span>
              ) : !checked || checked.for !== yaml ? (
                <span className="muted">checking…</span>
              ) : checked.ok ? (
                <span className="ok-text">valid</span>
              ) : (
                <span className="warn">
                  {errors.length} error{errors.length === 1 ? '' : 's'}
                </span>
              )}
            </span>
          </h2>
          <CodeEditor
            value={yaml}
            onChange={manage ? setText : undefined}
            readOnly={!manage}
            errors={errors}
            label="Playbook YAML"
          />
          {manage && (
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={save.isPending || (!dirty && Boolean(id))}
                onClick={() => save.mutate()}
              >
                {id ? 'Save new version' : 'Create'}
              </button>
              {detail.data && dirty && (
                <button type="button" className="ghost" onClick={() => setText(detail.data.yaml)}>
                  Discard changes
                </button>
              )}
              <span className="status-msg" role="status" data-testid="save-message">
                {saveMsg}
              </span>
            </div>
          )}
        </section>
        <div className="pb-side">
          {id && can('playbooks:run') && <RunPanel id={id} initial={runContext(loc.query)?.request} />}
          {id && <Versions id={id} current={yaml} />}
        </div>
      </div>
      {id && <RunList title="Runs of this playbook" playbook={id} />}
    </>
  );
}

function RunPanel({ id, initial }: { id: string; initial?: RunRequest }) {
  const [dryRun, setDryRun] = useState(true);
  const [kind, setKind] = useState<'none' | 'alert' | 'case' | 'observable'>(
    initial?.alertId ? 'alert' : initial?.caseId ? 'case' : initial?.observable ? 'observable' : 'none',
  );
  const [ref, setRef] = useState(initial?.alertId ?? initial?.caseId ?? '');
  const [obsType, setObsType] = useState(initial?.observable?.type ?? 'ip');
  const [obsValue, setObsValue] = useState(initial?.observable?.value ?? '');
  const [inputs, setInputs] = useState('{}');
  const [err, setErr] = useState<string>();
  const run = useMutation({
    mutationFn: (body: RunRequest) => socApi.run(id, body),
    onSuccess: (r) => navigate(`/playbooks/runs/${r.run.id}`),
    onError: (e) => setErr(e instanceof Error ? e.message : String(e)),
  });
  const submit = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(inputs || '{}');
    } catch (e) {
      setErr(`inputs: not JSON (${(e as Error).message})`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setErr('inputs: a JSON object, e.g. {"ip": "203.0.113.7"}');
      return;
    }
    setErr(undefined);
    run.mutate({
      inputs: parsed as Record<string, unknown>,
      dryRun,
      wait: false,
      ...(kind === 'alert' && ref ? { alertId: ref.trim() } : {}),
      ...(kind === 'case' && ref ? { caseId: ref.trim() } : {}),
      ...(kind === 'observable' && obsValue ? { observable: { type: obsType, value: obsValue.trim() } } : {}),
    });
  };
  return (
    <section className="panel" aria-labelledby="run-title">
      <h2 id="run-title">Run by hand</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label>
          On
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="none">nothing (inputs only)</option>
            <option value="alert">an alert</option>
            <option value="case">a case</option>
            <option value="observable">an observable</option>
          </select>
        </label>
        {(kind === 'alert' || kind === 'case') && (
          <label>
            {kind === 'alert' ? 'Alert id' : 'Case id'}
            <input value={ref} onChange={(e) => setRef(e.target.value)} maxLength={200} required />
          </label>
        )}
        {kind === 'observable' && (
          <div className="row">
            <label>
              Type
              <input value={obsType} onChange={(e) => setObsType(e.target.value)} maxLength={50} required />
            </label>
            <label className="grow">
              Value
              <input
                value={obsValue}
                onChange={(e) => setObsValue(e.target.value)}
                maxLength={2000}
                required
              />
            </label>
          </div>
        )}
        <label>
          Inputs (JSON)
          <textarea
            className="mono"
            rows={3}
            value={inputs}
            onChange={(e) => setInputs(e.target.value)}
            spellCheck={false}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (no
          side effects; connectors show what they would send)
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={run.isPending}>
            {dryRun ? 'Dry run' : 'Run'}
          </button>
          {err && (
            <span className="form-error" role="alert" data-testid="run-error">
              {err}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

function Versions({ id, current }: { id: string; current: string }) {
  const versions = useQuery({ queryKey: ['playbooks', 'versions', id], queryFn: () => socApi.versions(id) });
  const [left, setLeft] = useState<number>();
  const [right, setRight] = useState<number | 'editor'>('editor');
  const leftText = useQuery({
    queryKey: ['playbooks', 'version', id, left],
    queryFn: () => socApi.version(id, left!),
    enabled: left !== undefined,
  });
  const rightText = useQuery({
    queryKey: ['playbooks', 'version', id, right],
    queryFn: () => socApi.version(id, right as number),
    enabled: typeof right === 'number',
  });
  const list = versions.data?.versions ?? [];
  return (
    <section className="panel" aria-labelledby="ver-title">
      <h2 id="ver-title">Versions</h2>
      {versions.isPending ? (
        <Loading />
      ) : versions.error ? (
        <ErrorState error={versions.error} what="Versions" />
      ) : (
        <>
          <ol className="versions" reversed>
            {list.map((v) => (
              <li key={v.version}>
                <button type="button" className="linklike" onClick={() => setLeft(v.version)}>
                  v{v.version}
                </button>{' '}
                <span className="muted">
                  {v.savedBy}, <Time iso={v.savedAt} />
                </span>
              </li>
            ))}
          </ol>
          <div className="row">
            <label>
              Compare
              <select
                value={left ?? ''}
                onChange={(e) => setLeft(e.target.value ? Number(e.target.value) : undefined)}
                aria-label="Older version"
              >
                <option value="">pick a version</option>
                {list.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <label>
              with
              <select
                value={String(right)}
                onChange={(e) => setRight(e.target.value === 'editor' ? 'editor' : Number(e.target.value))}
                aria-label="Newer version"
              >
                <option value="editor">the editor</option>
                {list.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {left !== undefined &&
            (leftText.data && (right === 'editor' || rightText.data) ? (
              <LineDiff
                before={leftText.data.yaml}
                after={right === 'editor' ? current : rightText.data!.yaml}
                label={`Differences between v${left} and ${right === 'editor' ? 'the editor' : `v${right}`}`}
              />
            ) : (
              <Loading what="Loading version" />
            ))}
        </>
      )}
    </section>
  );
}
