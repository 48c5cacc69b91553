/**
 * Saved searches on the Search page: save the current query (private or shared in the tenant),
 * load one, rename or delete it, and, for a role that manages rules, schedule it. The API does not
 * tell the console who owns a shared search, so rename/delete are offered and the server's
 * refusal is shown inline when the caller may not change it.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSession } from '../session';
import { Modal } from './Modal';
import { ScheduleDialog, ScheduledSearches } from './ScheduleDialog';
import { ErrorState, Loading } from './States';
import { errorText, huntingApi, type SavedSearch } from './huntingApi';

const KEY = ['saved-searches'];

function SaveDialog({ query, onClose }: { query: string; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const save = useMutation({
    mutationFn: () => huntingApi.createSaved({ name: name.trim(), query, shared }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
  });
  return (
    <Modal title="Save search" onClose={onClose} testId="save-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) save.mutate();
        }}
      >
        <label>
          Name
          <input value={name} maxLength={200} required onChange={(e) => setName(e.target.value)} />
        </label>
        <p className="mono small muted hunt-wrap">{query || '(every event)'}</p>
        <label className="check">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          Shared with the tenant
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={!name.trim() || save.isPending}>
            Save
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
        {save.error && (
          <p className="form-error hunt-wrap" role="alert">
            {errorText(save.error)}
          </p>
        )}
      </form>
    </Modal>
  );
}

function SavedRow({
  s,
  onLoad,
  onSchedule,
  maySchedule,
}: {
  s: SavedSearch;
  onLoad: (q: string) => void;
  onSchedule: (s: SavedSearch) => void;
  maySchedule: boolean;
}) {
  const qc = useQueryClient();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(s.name);
  const done = () => void qc.invalidateQueries({ queryKey: KEY });
  const rename = useMutation({
    mutationFn: () => huntingApi.updateSaved(s.id, { name: name.trim(), query: s.query, shared: s.shared }),
    onSuccess: () => {
      setRenaming(false);
      done();
    },
  });
  const remove = useMutation({ mutationFn: () => huntingApi.deleteSaved(s.id), onSuccess: done });
  const error = rename.error ?? remove.error;
  return (
    <li className="saved-row" data-testid="saved-search">
      <div className="saved-main">
        {renaming ? (
          <form
            className="actions"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) rename.mutate();
            }}
          >
            <input
              aria-label={`New name for ${s.name}`}
              value={name}
              maxLength={200}
              autoFocus
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  setRenaming(false);
                }
              }}
            />
            <button type="submit" className="primary" disabled={!name.trim() || rename.isPending}>
              Rename
            </button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="linklike saved-name"
            title={`Load: ${s.query}`}
            onClick={() => onLoad(s.query)}
          >
            {s.name}
          </button>
        )}
        {s.shared && <span className="badge">shared</span>}
        <span className="mono small muted hunt-clip saved-query" title={s.query}>
          {s.query || '(every event)'}
        </span>
      </div>
      <div className="actions">
        {!renaming && (
          <button
            type="button"
            className="tiny"
            aria-label={`Rename ${s.name}`}
            onClick={() => setRenaming(true)}
          >
            Rename
          </button>
        )}
        <button
          type="button"
          className="tiny"
          aria-label={`Delete ${s.name}`}
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete the saved search “${s.name}”?`)) remove.mutate();
          }}
        >
          Delete
        </button>
        {maySchedule && (
          <button
            type="button"
            className="tiny"
            aria-label={`Schedule ${s.name}`}
            onClick={() => onSchedule(s)}
          >
            Schedule…
          </button>
        )}
      </div>
      {error && (
        <p className="form-error hunt-wrap small" role="alert">
          {errorText(error)}
        </p>
      )}
    </li>
  );
}

function SavedList({
  onLoad,
  onSchedule,
  maySchedule,
}: {
  onLoad: (q: string) => void;
  onSchedule: (s: SavedSearch) => void;
  maySchedule: boolean;
}) {
  const list = useQuery({ queryKey: KEY, queryFn: huntingApi.savedSearches });
  if (list.isPending) return <Loading what="Loading saved searches" />;
  if (list.error)
    return <ErrorState error={list.error} what="Saved searches" retry={() => void list.refetch()} />;
  if (list.data.searches.length === 0)
    return <div className="state state-empty">No saved searches yet. Run a query and press “Save…”.</div>;
  return (
    <ul className="saved-list" aria-label="Saved searches">
      {list.data.searches.map((s) => (
        <SavedRow key={s.id} s={s} onLoad={onLoad} onSchedule={onSchedule} maySchedule={maySchedule} />
      ))}
    </ul>
  );
}

/** The "Save…" and "Saved" buttons of the search bar, and the panel the latter opens. */
export function SavedSearches({ query, onLoad }: { query: string; onLoad: (q: string) => void }) {
  const { can } = useSession();
  const maySchedule = can('rules:manage');
  const [saving, setSaving] = useState(false);
  const [open, setOpen] = useState(false);
  const [scheduling, setScheduling] = useState<SavedSearch | undefined>();
  const load = (q: string) => {
    setOpen(false);
    onLoad(q);
  };
  return (
    <>
      <div className="actions">
        <button type="button" onClick={() => setSaving(true)}>
          Save…
        </button>
        <button
          type="button"
          aria-expanded={open}
          aria-controls="saved-panel"
          onClick={() => setOpen((o) => !o)}
        >
          Saved {open ? '▴' : '▾'}
        </button>
      </div>
      {open && (
        <section id="saved-panel" className="panel saved-panel" aria-label="Saved and scheduled searches">
          <h2 className="small">Saved searches</h2>
          <SavedList onLoad={load} onSchedule={setScheduling} maySchedule={maySchedule} />
          <h2 className="small">Scheduled searches</h2>
          <ScheduledSearches onLoad={load} />
        </section>
      )}
      {saving && <SaveDialog query={query} onClose={() => setSaving(false)} />}
      {scheduling && <ScheduleDialog saved={scheduling} onClose={() => setScheduling(undefined)} />}
    </>
  );
}
