/**
 * Renders only the rows in view (plus a few either side), so ten thousand rows scroll like ten.
 * Rows have one fixed height; the spacer keeps the scrollbar true to the whole list.
 */
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface Props<T> {
  items: readonly T[];
  rowHeight: number;
  render: (item: T, index: number) => ReactNode;
  /** Index to keep in view (keyboard cursor). */
  cursor?: number;
  overscan?: number;
  onNearEnd?: () => void;
  className?: string;
  label: string;
}

export function VirtualList<T>({
  items,
  rowHeight,
  render,
  cursor,
  overscan = 8,
  onNearEnd,
  className,
  label,
}: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || cursor === undefined || cursor < 0) return;
    const top = cursor * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  }, [cursor, rowHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    if (onNearEnd && last >= items.length - overscan && items.length > 0) onNearEnd();
  }, [last, items.length, overscan, onNearEnd]);

  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(render(items[i]!, i));
  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ''}`}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      role="grid"
      aria-label={label}
      aria-rowcount={items.length}
    >
      <div className="vlist-spacer" style={{ height: items.length * rowHeight }}>
        <div className="vlist-window" style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
