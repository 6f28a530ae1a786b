// How numbers read on screen: '—' for what is not known yet.
export const dash = '—';
export const pct = (rate: number | null | undefined, digits = 1) => (rate === null || rate === undefined ? dash : `${(rate * 100).toFixed(digits)} %`);
export const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? dash : value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
export const rps = (value: number | undefined) => (value === undefined ? dash : value < 10 ? value.toFixed(1) : String(Math.round(value)));
export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
export const json = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));
