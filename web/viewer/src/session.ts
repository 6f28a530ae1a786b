// Who is using the viewer: the account they signed up with, remembered in this browser. The API
// has no authentication yet; the user id is what its payment and subscription calls take.
import { useSyncExternalStore } from 'react';
import type { User } from '@cinemaabyss/api';

const KEY = 'cinemaabyss.user';
const listeners = new Set<() => void>();
let cached: { raw: string | null; user: User | undefined } = { raw: null, user: undefined };

function read(): User | undefined {
  const raw = localStorage.getItem(KEY);
  if (raw !== cached.raw) {
    let user: User | undefined;
    try {
      user = raw ? (JSON.parse(raw) as User) : undefined;
    } catch {
      user = undefined;
    }
    cached = { raw, user };
  }
  return cached.user;
}

export function setUser(user: User | undefined): void {
  if (user) localStorage.setItem(KEY, JSON.stringify(user));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function useUser(): User | undefined {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, read);
}
