/** Evidence files: upload (hashed by the server), download, re-verify, and each item's custody log. */
import { useQuery } from '@tanstack/react-query';
import { Fragment, useRef, useState } from 'react';
import { caseApi, evidenceHref, uploadEvidence, type CaseEvidence as Evidence } from '../api';
import { Time } from '../format';
import { bytes, errorText, useCaseMutation } from './CaseUi';
import { Empty, ErrorState, Loading } from './States';

export function CaseEvidence({ caseId, canWrite }: { caseId: string; canWrite: boolean }) {
  const ev = useQuery({ queryKey: ['case', caseId, 'evidence'], queryFn: () => caseApi.evidence(caseId) });
  const [open, setOpen] = useState<string>();
  if (ev.isPending) return <Loading what="Loading evidence" />;
  if (ev.error) return <ErrorState error={ev.error} what="Evidence" retry={() => void ev.refetch()} />;
  const list = ev.data.evidence;
  return (
    <>
      {canWrite && <Upload caseId={caseId} />}
      {list.length === 0 ? (
        <Empty>No evidence yet.</Empty>
      ) : (
        <table className="table compact" data-testid="case-evidence">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Size</th>
              <th>SHA-256</th>
              <th>Integrity</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <Fragment key={e.id}>
                <EvidenceRow
                  caseId={caseId}
                  e={e}
                  expanded={open === e.id}
                  onToggle={() => setOpen(open === e.id ? undefined : e.id)}
                />
                {open === e.id && (
                  <tr>
                    <td colSpan={6} className="wrap">
                      <Custody caseId={caseId} evidenceId={e.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function EvidenceRow({
  caseId,
  e,
  expanded,
  onToggle,
}: {
  caseId: string;
  e: Evidence;
  expanded: boolean;
  onToggle: () => void;
}) {
  const [result, setResult] = useState<string>();
  const verify = useCaseMutation(
    caseId,
    () => caseApi.verify(caseId, e.id),
    (r) => setResult(r.ok ? 'hash matches' : `MISMATCH: ${r.actual ?? 'file missing'}`),
  );
  return (
    <tr data-evidence-id={e.id} className={e.integrity === 'mismatch' ? 'row-warn' : undefined}>
      <td
        className="ellipsis"
        title={`${e.name}${e.description ? `\n${e.description}` : ''}\n${e.contentType}`}
      >
        {e.name}
        {e.description && <div className="muted small clamp">{e.description}</div>}
      </td>
      <td className="num" title={`${e.size} bytes`}>
        {bytes(e.size)}
      </td>
      <td className="mono sha" data-testid="evidence-sha256">
        {e.sha256}
      </td>
      <td>
        <span className={`badge ${e.integrity === 'ok' ? 'state-ok' : 'state-breached'}`}>{e.integrity}</span>
        {e.lastVerifiedAt && (
          <div className="muted small">
            checked <Time iso={e.lastVerifiedAt} />
          </div>
        )}
        {result && (
          <div className="small" role="status">
            {result}
          </div>
        )}
        {verify.error && <div className="form-error">{errorText(verify.error)}</div>}
      </td>
      <td>
        <Time iso={e.addedAt} /> <span className="muted">{e.addedBy}</span>
      </td>
      <td className="nowrap">
        {e.integrity === 'ok' ? (
          <a href={evidenceHref(caseId, e.id)} download={e.name} className="button-link">
            Download
          </a>
        ) : (
          <span className="muted" title="Downloads are refused once the stored bytes changed">
            blocked
          </span>
        )}{' '}
        <button
          type="button"
          className="tiny"
          disabled={verify.isPending}
          onClick={() => verify.mutate(undefined)}
        >
          Verify
        </button>{' '}
        <button type="button" className="tiny" aria-expanded={expanded} onClick={onToggle}>
          Custody
        </button>
      </td>
    </tr>
  );
}

function Custody({ caseId, evidenceId }: { caseId: string; evidenceId: string }) {
  const c = useQuery({
    queryKey: ['case', caseId, 'custody', evidenceId],
    queryFn: () => caseApi.custody(caseId, evidenceId),
  });
  if (c.isPending) return <Loading what="Loading custody log" />;
  if (c.error) return <ErrorState error={c.error} what="Custody log" />;
  return (
    <table className="table compact" data-testid="custody-log" aria-label="Chain of custody">
      <thead>
        <tr>
          <th>#</th>
          <th>When</th>
          <th>Action</th>
          <th>Who</th>
          <th>From</th>
          <th>SHA-256</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {c.data.custody.map((x) => (
          <tr key={x.seq}>
            <td className="num">{x.seq}</td>
            <td>
              <Time iso={x.at} />
            </td>
            <td>{x.action.replace(/_/g, ' ')}</td>
            <td>{x.actor}</td>
            <td className="mono">{x.ip ?? ''}</td>
            <td className="mono ellipsis narrow" title={x.sha256}>
              {x.sha256}
            </td>
            <td className="wrap">{x.detail ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Upload({ caseId }: { caseId: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [description, setDescription] = useState('');
  const [msg, setMsg] = useState<string>();
  const up = useCaseMutation(
    caseId,
    async (files: File[]) => {
      const out: Evidence[] = [];
      for (const f of files) out.push(await uploadEvidence(caseId, f, f.name, description));
      return out;
    },
    (saved) => {
      setDescription('');
      if (input.current) input.current.value = '';
      setMsg(saved.map((e) => `${e.name} stored, SHA-256 ${e.sha256}`).join('; '));
    },
  );
  return (
    <form
      className="filters case-add-row"
      aria-label="Upload evidence"
      onSubmit={(e) => {
        e.preventDefault();
        const files = [...(input.current?.files ?? [])];
        if (files.length > 0) {
          setMsg(undefined);
          up.mutate(files);
        }
      }}
    >
      <label>
        Evidence file
        <input ref={input} type="file" multiple />
      </label>
      <label className="grow">
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={10_000} />
      </label>
      <button type="submit" disabled={up.isPending}>
        {up.isPending ? 'Uploading…' : 'Upload'}
      </button>
      <span className="status-msg mono small" role="status" aria-live="polite" data-testid="evidence-msg">
        {up.error ? `Failed: ${errorText(up.error)}` : msg}
      </span>
    </form>
  );
}
