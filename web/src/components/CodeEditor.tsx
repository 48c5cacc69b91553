/**
 * A plain textarea with a line-number gutter; lines with errors are marked in the gutter and listed
 * under the editor. Text stays text: nothing typed here is ever rendered as HTML.
 */
import { useRef, type UIEvent } from 'react';

export interface LineError {
  line: number;
  message: string;
  /** Where in the document (`steps.1.action`), when known. */
  path?: string;
}

export function CodeEditor({
  value,
  onChange,
  errors = [],
  label,
  readOnly = false,
  rows = 24,
}: {
  value: string;
  onChange?: (v: string) => void;
  errors?: readonly LineError[];
  label: string;
  readOnly?: boolean;
  rows?: number;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const lines = Math.max(1, value.split('\n').length);
  const bad = new Map<number, string>();
  for (const e of errors) if (!bad.has(e.line)) bad.set(e.line, e.message);
  const sync = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const at =
      value
        .split('\n')
        .slice(0, line - 1)
        .join('\n').length + (line > 1 ? 1 : 0);
    el.focus();
    el.setSelectionRange(at, at);
    // Roughly centre the line; the gutter follows through onScroll.
    el.scrollTop = Math.max(0, (line - 5) * 18);
  };
  return (
    <div className="code-editor-wrap">
      <div className="code-editor" style={{ height: `${rows * 18 + 12}px` }}>
        <div className="code-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div
              key={i}
              className={bad.has(i + 1) ? 'code-line-no bad' : 'code-line-no'}
              title={bad.get(i + 1)}
              data-line={i + 1}
            >
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          className="code-text"
          aria-label={label}
          value={value}
          readOnly={readOnly}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          wrap="off"
          onScroll={sync}
          onChange={(e) => onChange?.(e.target.value)}
          onKeyDown={(e) => {
            // Tab indents (YAML wants spaces) instead of leaving the editor; Esc then Tab still leaves.
            if (e.key === 'Tab' && !e.shiftKey && !readOnly) {
              e.preventDefault();
              const el = e.currentTarget;
              const s = el.selectionStart;
              const next = value.slice(0, s) + '  ' + value.slice(el.selectionEnd);
              onChange?.(next);
              requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
            }
          }}
        />
      </div>
      {errors.length > 0 && (
        <ul className="code-errors" data-testid="editor-errors" aria-label="Errors">
          {errors.map((e, i) => (
            <li key={i}>
              <button type="button" className="linklike" onClick={() => goTo(e.line)}>
                line {e.line}
              </button>
              : {e.path && <span className="mono muted">{e.path}: </span>}
              <span className="mono">{e.message}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
