import { num } from '../format';

export function Pager({
  offset,
  page,
  total,
  onOffset,
}: {
  offset: number;
  page: number;
  total: number;
  onOffset: (o: number) => void;
}) {
  if (total <= page) return null;
  return (
    <div className="pager">
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - page))}>
        ← Newer
      </button>
      <span className="muted">
        {num(offset + 1)}–{num(Math.min(total, offset + page))} of {num(total)}
      </span>
      <button type="button" disabled={offset + page >= total} onClick={() => onOffset(offset + page)}>
        Older →
      </button>
    </div>
  );
}
