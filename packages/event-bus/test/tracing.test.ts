// W3C trace context through records, as both adapters send and deliver them (sendTraced,
// processTraced), with an in-memory OpenTelemetry SDK: what the real exporter would receive.
import assert from 'node:assert/strict';
import { before, beforeEach, test } from 'node:test';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { recordTrace } from '@cinemaabyss/telemetry';
import { processTraced, sendTraced } from '../src/tracing.ts';
import type { BusMessage, OutgoingMessage } from '../src/types.ts';

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
const provider = new TracerProvider({ spanProcessors: [processor] });
before(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
beforeEach(() => exporter.reset());

const tracer = trace.getTracer('test');
/** Ended spans (their export is asynchronous). */
async function finished() {
  await processor.forceFlush();
  return exporter.getFinishedSpans();
}
const spanNamed = async (name: string) => (await finished()).find((s) => s.name === name);

/** Sends `message` inside a request span; returns what the bus got and the request's trace id. */
async function sendInRequest(message: OutgoingMessage): Promise<{ sent: OutgoingMessage; traceId: string }> {
  let sent: OutgoingMessage | undefined;
  const traceId = await tracer.startActiveSpan('request', async (span) => {
    await sendTraced('embedded', message, async (m) => {
      sent = m;
    });
    span.end();
    return span.spanContext().traceId;
  });
  return { sent: sent!, traceId };
}

const delivered = (sent: OutgoingMessage, offset: number): BusMessage => ({
  ...sent,
  headers: sent.headers ?? {},
  partition: 0,
  offset,
  timestamp: new Date(),
});

test('a send in a trace is a PRODUCER span whose context travels in the record headers', async () => {
  const { sent, traceId } = await sendInRequest({ topic: 'user-events', key: '7', value: '{}', headers: { ce_id: 'e-1' } });
  const producer = await spanNamed('send user-events');
  assert.ok(producer);
  assert.equal(producer.kind, SpanKind.PRODUCER);
  assert.equal(producer.spanContext().traceId, traceId);
  assert.equal(producer.attributes['messaging.system'], 'embedded');
  assert.equal(producer.attributes['messaging.message.id'], 'e-1');
  assert.equal(sent.headers?.['traceparent'], `00-${traceId}-${producer.spanContext().spanId}-01`);
  assert.equal(sent.headers?.['ce_id'], 'e-1', 'the record keeps its own headers');
  assert.deepEqual(recordTrace(sent.headers!), { trace_id: traceId }, "a log line about the record names the request's trace");
  assert.deepEqual(recordTrace({}), {});
});

test('processing a record continues its trace: the CONSUMER span is the producer span’s child, active in the handler', async () => {
  const { sent, traceId } = await sendInRequest({ topic: 'user-events', key: '7', value: '{}' });
  const producerId = (await spanNamed('send user-events'))!.spanContext().spanId;
  let active: string | undefined;
  await processTraced('kafka', [delivered(sent, 41)], async () => {
    active = trace.getActiveSpan()?.spanContext().traceId;
  });
  const consumer = await spanNamed('process user-events');
  assert.ok(consumer);
  assert.equal(consumer.kind, SpanKind.CONSUMER);
  assert.equal(consumer.spanContext().traceId, traceId);
  assert.equal(consumer.parentSpanContext?.spanId, producerId);
  assert.equal(consumer.attributes['messaging.kafka.offset'], 41);
  assert.equal(active, traceId, "the handler's work (queries, log lines) belongs to the trace");
});

test('a batch: one CONSUMER span per record in its own trace, the work in a batch span linked to them', async () => {
  const first = await sendInRequest({ topic: 'movie-events', key: '1', value: '{}' });
  const second = await sendInRequest({ topic: 'movie-events', key: '1', value: '{}' });
  await finished();
  exporter.reset();
  await assert.rejects(
    processTraced('kafka', [delivered(first.sent, 1), delivered(second.sent, 2)], async () => {
      throw new Error('the database said no');
    }),
  );
  const consumers = (await finished()).filter((s) => s.name === 'process movie-events');
  assert.deepEqual(consumers.map((s) => s.spanContext().traceId).sort(), [first.traceId, second.traceId].sort());
  assert.ok(
    consumers.every((s) => s.status.code === 2),
    'the failure is on every record’s span',
  );
  const batch = await spanNamed('process movie-events batch');
  assert.ok(batch);
  assert.deepEqual(batch.links.map((l) => l.context.spanId).sort(), consumers.map((s) => s.spanContext().spanId).sort());
});

test('a record without trace context starts a trace of its own', async () => {
  await processTraced('embedded', [{ topic: 't', key: 'k', value: 'v', headers: {}, partition: 0, offset: 0, timestamp: new Date() }], async () => {});
  const consumer = await spanNamed('process t');
  assert.ok(consumer);
  assert.equal(consumer.parentSpanContext, undefined);
});
