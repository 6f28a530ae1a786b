import { createHash } from 'node:crypto';

/** One serialised state of the catalogue: every movie's JSON in id order, and the whole list. */
export class Snapshot {
  readonly total: number;
  /** The full list answer, ready to write to the socket. */
  readonly body: Buffer;
  /** Strong validator: a hash of the body, so replicas holding the same movies give the same ETag. */
  readonly etag: string;
  readonly #items: string[];

  constructor(items: string[]) {
    this.#items = items;
    this.total = items.length;
    this.body = Buffer.from(`[${items.join(',')}]`);
    this.etag = `"${createHash('sha256').update(this.body).digest('base64url').slice(0, 27)}"`;
  }

  /** A limit/offset page: its body joined from the serialised movies, its ETag the snapshot's plus the window. */
  page(offset = 0, limit?: number): { body: Buffer; etag: string } {
    if (offset === 0 && (limit === undefined || limit >= this.total)) return this;
    const end = limit === undefined ? undefined : offset + limit;
    return { body: Buffer.from(`[${this.#items.slice(offset, end).join(',')}]`), etag: `${this.etag.slice(0, -1)}.${offset}.${limit ?? ''}"` };
  }
}

/**
 * The movie list, read and serialised once per change instead of once per request (a list of
 * 10,000 movies costs ~55 ms of service CPU to read and serialise; bench/README.md).
 *
 * Correctness under concurrency rests on a generation counter: `invalidate` (a write here, or a
 * notification of a write elsewhere) bumps it, and a build keeps its result only if no
 * invalidation happened since it started, since its query may have run before the write
 * committed. Requests that arrived before the invalidation may still take that build's answer
 * (it was current when they asked); any request after it starts or joins a newer build. So a write
 * is never hidden behind a stale ETag.
 */
export class Catalogue {
  readonly #load: () => Promise<string[]>;
  #generation = 0;
  #current: { generation: number; snapshot: Snapshot } | undefined;
  #building: { generation: number; promise: Promise<Snapshot> } | undefined;

  /** `load` reads every movie in id order, each already serialised to JSON. */
  constructor(load: () => Promise<string[]>) {
    this.#load = load;
  }

  /** The movies changed (or may have): the next request reads them again. */
  invalidate(): void {
    this.#generation++;
  }

  /** Whether a snapshot is held, current or not (an unused catalogue is not worth re-checking). */
  get warm(): boolean {
    return this.#current !== undefined;
  }

  /** The current snapshot, built (once, however many requests wait for it) if a change made it stale. */
  snapshot(): Snapshot | Promise<Snapshot> {
    const current = this.#current;
    if (current?.generation === this.#generation) return current.snapshot;
    return this.#build();
  }

  /**
   * Reads the movies again even though no change was announced (a notification may have been
   * lost); requests keep getting the held snapshot meanwhile.
   */
  async refresh(): Promise<void> {
    await this.#build();
  }

  #build(): Promise<Snapshot> {
    const generation = this.#generation;
    if (this.#building?.generation === generation) return this.#building.promise;
    const promise = this.#load().then(
      (items) => {
        const snapshot = new Snapshot(items);
        if (generation === this.#generation) this.#current = { generation, snapshot };
        if (this.#building?.promise === promise) this.#building = undefined;
        return snapshot;
      },
      (error: unknown) => {
        if (this.#building?.promise === promise) this.#building = undefined;
        throw error;
      },
    );
    this.#building = { generation, promise };
    return promise;
  }
}
