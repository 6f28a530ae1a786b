// The seams between the control plane's parts: the store, the admin API, shadow comparison and
// analysis each code against these, so they can be built and tested apart.
import type { MigrationState } from './state.ts';

/** Who made a change: a person through a token (its label), or the analysis. */
export interface Actor {
  kind: 'person' | 'analysis';
  label: string;
}

/** `data`: a phase of the movies' data migration (services/movies), audited with the route it concerns. */
export type ChangeAction = 'set' | 'promote' | 'pause' | 'resume' | 'abort' | 'kill' | 'unkill' | 'rollback' | 'data';

export interface AuditEntry {
  id: number;
  at: string;
  actor: Actor;
  route: string;
  action: ChangeAction;
  old: MigrationState;
  new: MigrationState;
  reason: string;
}

/** Persistence of the routes' states, shared by every replica (PostgreSQL, or PGlite in embedded mode). */
export interface StateStore {
  /** Stored states by route (routes never changed are absent). */
  load(): Promise<Map<string, MigrationState>>;
  /**
   * Writes `next` if the stored version is still `next.version - 1` (else VERSION_CONFLICT), appends the
   * audit entry and the `migration-events` outbox row, and notifies the other replicas; one transaction.
   */
  save(next: MigrationState, previous: MigrationState, audit: { actor: Actor; action: ChangeAction; reason: string }): Promise<AuditEntry>;
  audit(query: { route?: string; limit: number; before?: number }): Promise<AuditEntry[]>;
  /** Called with the route name on every notification (from any replica, this one included). */
  onNotify(listener: (route: string) => void): void;
  close(): Promise<void>;
}

/** The live control plane of one gateway replica. */
export interface ControlPlane {
  /** Current state of every migrated route, as this replica applies it. */
  list(): MigrationState[];
  get(route: string): MigrationState | undefined;
  /**
   * Applies a transition (from state.ts) to the route's current state, stores it (retrying once on a
   * version conflict after a re-read), applies it locally at once, and returns the audit entry.
   */
  change(
    route: string,
    transition: (current: MigrationState, now: Date) => MigrationState,
    audit: { actor: Actor; action: ChangeAction; reason: string },
  ): Promise<AuditEntry>;
  audit(query: { route?: string; limit: number; before?: number }): Promise<AuditEntry[]>;
  /** Called after a route's state changed here (locally or from another replica). */
  onChange(listener: (state: MigrationState) => void): void;
  close(): Promise<void>;
}

export interface Mismatch {
  at: string;
  route: string;
  endpoint: string;
  request: { method: string; path: string; headers: Record<string, string> };
  primary: { backend: string; status: number };
  shadow: { backend: string; status: number };
  diff: { pointer: string; old: unknown; new: unknown }[];
}

export interface EndpointShadowStats {
  endpoint: string;
  compared: number;
  matched: number;
  mismatched: number;
  noise: number;
  dropped: number;
  errors: number;
  /** Answers over shadow.maxBodyBytes: not compared. */
  tooLarge?: number;
  /** Pointers learned as noise for this endpoint. */
  noisy: string[];
}

/** What the admin API shows of shadow comparison. */
export interface ShadowReporter {
  report(route: string): Promise<{ endpoints: EndpointShadowStats[]; mismatches: Mismatch[]; matchRate: number | null }>;
}

export interface WindowVerdict {
  route: string;
  windowStart: string;
  windowSeconds: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
  checks: { name: 'requests' | 'error_rate' | 'p99_ratio' | 'mismatch_rate'; value: number | null; threshold: number; ok: boolean | null }[];
  /** Counts summed over every replica, per backend. */
  counts: Record<string, { requests: number; errors: number; p99Ms: number | null }>;
}

/** What the admin API shows of the analysis. */
export interface AnalysisReporter {
  report(route: string, limit: number): Promise<WindowVerdict[]>;
}
