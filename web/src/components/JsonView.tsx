/**
 * An event or any JSON as a collapsible tree. Every key and value is rendered as text (never HTML).
 * Fields named in `highlight` (dotted paths) are marked; clicking a value pivots on it.
 */
import { useState } from 'react';

interface Props {
  value: unknown;
  highlight?: ReadonlySet<string>;
  onPivot?: (field: string, value: string) => void;
  /** Levels open at first. */
  open?: number;
}

export function JsonView({ value, highlight, onPivot, open = 3 }: Props) {
  return (
    <div className="json" role="tree">
      <Node
        name={undefined}
        path=""
        value={value}
        depth={0}
        open={open}
        highlight={highlight}
        onPivot={onPivot}
      />
    </div>
  );
}

function isHighlighted(path: string, h?: ReadonlySet<string>): boolean {
  return !!h && path !== '' && h.has(path);
}

function Node({
  name,
  path,
  value,
  depth,
  open,
  highlight,
  onPivot,
}: { name: string | undefined; path: string; value: unknown; depth: number } & Required<Pick<Props, 'open'>> &
  Omit<Props, 'value' | 'open'>) {
  const [expanded, setExpanded] = useState(depth < open);
  const mark = isHighlighted(path, highlight);
  const label =
    name === undefined ? null : (
      <span className={`json-key${mark ? ' json-hit' : ''}`}>
        {name}
        <span className="json-colon">: </span>
      </span>
    );
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return (
      <div className="json-node" role="treeitem" aria-expanded={expanded}>
        <button
          type="button"
          className="json-toggle"
          onClick={() => setExpanded(!expanded)}
          aria-label={expanded ? 'collapse' : 'expand'}
        >
          {expanded ? '▾' : '▸'}
        </button>
        {label}
        <span className="json-punct">{brackets[0]}</span>
        {!expanded && (
          <span className="json-punct">
            {' '}
            {entries.length} … {brackets[1]}
          </span>
        )}
        {expanded && (
          <div className="json-children">
            {entries.map(([k, v]) => {
              const childPath = Array.isArray(value) ? path : path ? `${path}.${k}` : k;
              return (
                <Node
                  key={k}
                  name={k}
                  path={childPath}
                  value={v}
                  depth={depth + 1}
                  open={open}
                  highlight={highlight}
                  onPivot={onPivot}
                />
              );
            })}
          </div>
        )}
        {expanded && <span className="json-punct">{brackets[1]}</span>}
      </div>
    );
  }
  const t = typeof value === 'string' ? value : String(value);
  const cls = `json-value json-${value === null ? 'null' : typeof value}${mark ? ' json-hit' : ''}`;
  return (
    <div className="json-leaf" role="treeitem">
      {label}
      {onPivot && path ? (
        <button
          type="button"
          className={`${cls} pivot`}
          title={`Search ${path}:${t}`}
          onClick={() => onPivot(path, t)}
        >
          {typeof value === 'string' ? `"${t}"` : t}
        </button>
      ) : (
        <span className={cls}>{typeof value === 'string' ? `"${t}"` : t}</span>
      )}
    </div>
  );
}
