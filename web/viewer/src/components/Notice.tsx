import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

/** An error, announced at once by screen readers; a service that is down says so. `retry` offers to try again. */
export function ErrorNotice({ error, retry }: { error: unknown; retry?: () => void }) {
  const unavailable = error instanceof ApiError && (error.problem === 'unavailable' || error.problem === 'offline');
  return (
    <div role="alert" className={unavailable ? 'notice notice-down' : 'notice notice-error'}>
      <p>{error instanceof Error ? error.message : 'Something went wrong. Please try again.'}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A success, announced politely. */
export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="notice notice-ok">
      {children}
    </div>
  );
}
