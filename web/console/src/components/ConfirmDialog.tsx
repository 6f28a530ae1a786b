// Every change asks for a reason (kept in the audit log) and a confirmation, in a modal dialog
// (the browser's <dialog>: focus moves into it, Escape cancels, the page behind is inert).
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api.ts';

export interface Confirmation {
  title: string;
  /** What will happen, in words. */
  summary: ReactNode;
  confirmLabel: string;
  /** Does the change and says what happened; a rejection is shown in the dialog, which stays open. */
  run(reason: string): Promise<string>;
}

interface Props {
  request: Confirmation | undefined;
  onDone(message: string | undefined): void;
}

export function ConfirmDialog({ request, onDone }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (request && !element.open) {
      setReason('');
      setError(undefined);
      element.showModal();
    } else if (!request && element.open) element.close();
  }, [request]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!request) return;
    if (reason.trim() === '') return setError('A reason is required: it is kept in the audit log.');
    setBusy(true);
    try {
      onDone(await request.run(reason.trim()));
    } catch (e) {
      setError(e instanceof ApiError ? `Refused (${e.status}): ${e.message}` : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        onDone(undefined);
      }}
    >
      {request && (
        <form onSubmit={submit} noValidate>
          <h2 id={`${id}-title`}>{request.title}</h2>
          <div className="summary">{request.summary}</div>
          <label htmlFor={`${id}-reason`}>Reason (kept in the audit log)</label>
          <textarea
            id={`${id}-reason`}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            maxLength={500}
            rows={3}
            aria-describedby={error ? `${id}-error` : undefined}
            aria-invalid={error ? true : undefined}
          />
          {error && (
            <p id={`${id}-error`} className="error" role="alert">
              {error}
            </p>
          )}
          <div className="buttons">
            <button type="button" onClick={() => onDone(undefined)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
