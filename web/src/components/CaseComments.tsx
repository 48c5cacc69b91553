/** Comments on a case, written and shown as Markdown (escaped first, see CaseUi's Markdown). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { caseApi } from '../api';
import { Time } from '../format';
import { errorText, Markdown, useCaseMutation } from './CaseUi';
import { ErrorState, Loading } from './States';

export function CaseComments({ caseId, writable }: { caseId: string; writable: boolean }) {
  const comments = useQuery({
    queryKey: ['case', caseId, 'comments'],
    queryFn: () => caseApi.comments(caseId),
  });
  const [body, setBody] = useState('');
  const [preview, setPreview] = useState(false);
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
              <Markdown source={c.body} className="comment-md" />
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
