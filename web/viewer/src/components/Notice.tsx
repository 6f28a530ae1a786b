import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

/** An error, announced at once by screen readers; a service that is down says so. */
export function ErrorNotice({ error, children }: { error: unknown; children?: ReactNode }) {
  const unavailable = error instanceof ApiError && (error.problem === 'unavailable' || error.problem === 'offline');
  return (
    <div role="alert" className={unavailable ? 'notice notice-down' : 'notice notice-error'}>
      <p>{error instanceof Error ? error.message : 'Something went wrong. Please try again.'}</p>
      {children}
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
