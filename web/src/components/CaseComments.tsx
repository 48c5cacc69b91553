/** Comments on a case, written and shown as Markdown (escaped first, see CaseUi's Markdown). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { caseApi } from '../api';
import { Time } from '../format';
import { errorText, Markdown, useCaseMutation } from './CaseUi';
import { useSession } from '../session';
import { ErrorState, Loading } from './States';

export function CaseComments({ caseId, writable }: { caseId: string; writable: boolean }) {
  const comments = useQuery({
    queryKey: ['case', caseId, 'comments'],
    queryFn: () => caseApi.comments(caseId),
  });
  const [body, setBody] = useState('');
  const [preview, setPreview] = useState(false);
  const [editing, setEditing] = useState<string>();
  const { me } = useSession();
  const add = useCaseMutation(
    caseId,
    (b: string) => caseApi.addComment(caseId, b),
    () => {
      setBody('');
      setPreview(false);
    },
  );
  const submit = () => {
    if (body.trim()) add.mutate(body.trim());
  };
  return (
    <>
      {comments.isPending ? (
        <Loading what="Loading comments" />
      ) : comments.error ? (
        <ErrorState error={comments.error} what="Comments" retry={() => void comments.refetch()} />
      ) : comments.data.comments.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ul className="comments" data-testid="case-comments">
          {comments.data.comments.map((c) => (
            <li key={c.id} className="case-comment">
              <div className="muted small">
                <strong>{c.author}</strong> · <Time iso={c.createdAt} />
                {c.editedAt && (
                  <span>
                    {' '}
                    · edited <Time iso={c.editedAt} />
                  </span>
                )}
              </div>
              {editing === c.id ? (
                <EditComment
                  caseId={caseId}
                  commentId={c.id}
                  initial={c.body}
                  onDone={() => setEditing(undefined)}
                />
              ) : (
                <>
                  <Markdown source={c.body} className="comment-md" />
                  {writable && c.author === me?.name && (
                    <button type="button" className="ghost tiny" onClick={() => setEditing(c.id)}>
                      Edit
                    </button>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {writable && (
        <form
          className="case-comment-form"
          aria-label="Add a comment"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label>
            Comment (Markdown; Ctrl+Enter to send)
            <textarea
              value={body}
              onChange={(e) => setBody(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  submit();
                }
              }}
              rows={4}
              maxLength={100_000}
            />
          </label>
          {preview && body.trim() && (
            <div className="panel md-preview" aria-label="Preview">
              <Markdown source={body} />
            </div>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={add.isPending || !body.trim()}>
              Comment
            </button>
            <button type="button" onClick={() => setPreview(!preview)} aria-pressed={preview}>
              Preview
            </button>
            {add.error && <span className="form-error">{errorText(add.error)}</span>}
          </div>
        </form>
      )}
    </>
  );
}

/** One's own comment, edited in place; the server keeps when it was edited. */
function EditComment({
  caseId,
  commentId,
  initial,
  onDone,
}: {
  caseId: string;
  commentId: string;
  initial: string;
  onDone: () => void;
}) {
  const [text, setText] = useState(initial);
  const save = useCaseMutation(caseId, (b: string) => caseApi.editComment(caseId, commentId, b), onDone);
  return (
    <form
      className="case-comment-form"
      aria-label="Edit the comment"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) save.mutate(text.trim());
      }}
    >
      <textarea
        aria-label="Comment text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={4}
        maxLength={100_000}
      />
      <button type="submit" disabled={save.isPending || !text.trim()}>
        Save
      </button>
      <button type="button" className="ghost" onClick={onDone}>
        Cancel
      </button>
      {save.error && <div className="form-error">{errorText(save.error)}</div>}
    </form>
  );
}
