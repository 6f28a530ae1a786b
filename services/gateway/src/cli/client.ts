// The CLI's only way in: HTTP to the admin API. Every failure becomes an exit code.
export const EXIT = { ok: 0, refused: 1, usage: 2, unauthorised: 3, unreachable: 4 } as const;

/** A failure the CLI reports on stderr and exits with. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

const TIMEOUT_MS = 10_000;

export class AdminClient {
  readonly #base: string;
  readonly #token: string | undefined;

  constructor(url: string, token: string | undefined) {
    this.#base = url.replace(/\/+$/, '');
    this.#token = token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new CliError(EXIT.unreachable, `admin API unreachable at ${this.#base} (${why})`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(EXIT.refused, `${method} ${path}: HTTP ${res.status}, not a JSON answer (is ${this.#base} the admin API?)`);
    }
    if (res.ok) return json as T;
    const message = (json as { error?: string } | undefined)?.error ?? `HTTP ${res.status}`;
    if (res.status === 401) throw new CliError(EXIT.unauthorised, `${message} (set CINEMAABYSS_ADMIN_TOKEN or --token)`);
    if (res.status === 403) throw new CliError(EXIT.unauthorised, message);
    throw new CliError(EXIT.refused, `${message} (HTTP ${res.status})`);
  }
}
