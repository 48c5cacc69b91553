/**
 * A modal dialog: Escape or a click outside closes it; focus moves into it on open, stays inside
 * while it is open (Tab wraps) and goes back to what had it on close, so the keyboard user lands
 * where they left.
 */
import { type ReactNode } from 'react';
import { useFocusTrap } from './focus-trap';

export function Modal({
  title,
  heading = title,
  onClose,
  children,
  wide = false,
  testId,
}: {
  /** the dialog's accessible name, and its heading unless `heading` is given */
  title: string;
  heading?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  const box = useFocusTrap<HTMLDivElement>();
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        ref={box}
        tabIndex={-1}
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h2>{heading}</h2>
        {children}
      </div>
    </div>
  );
}
