import { SpanKind, trace } from '@opentelemetry/api';
import { inSpan } from './spans.ts';

type Query = (text: string, ...rest: unknown[]) => Promise<unknown>;
interface Queryable {
  query: Query;
  transaction?: (work: (tx: Queryable) => Promise<unknown>) => Promise<unknown>;
}

/**
 * CLIENT spans for a database client no OpenTelemetry instrumentation knows (PGlite), as pg's
 * instrumentation makes them: one per statement inside a trace (its text, never its values),
 * none outside one. Transactions' own clients are wrapped as they are handed out.
 */
export function traceQueries(client: object): void {
  const target = client as Queryable;
  const query = target.query.bind(target);
  target.query = (text, ...rest) =>
    trace.getActiveSpan()
      ? inSpan(
          `${text.trimStart().split(/\s/, 1)[0]!.toLowerCase()} postgresql`,
          { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': text } },
          () => query(text, ...rest),
        )
      : query(text, ...rest);
  const transaction = target.transaction?.bind(target);
  if (transaction) {
    target.transaction = (work) =>
      transaction((tx) => {
        traceQueries(tx);
        return work(tx);
      });
  }
}
