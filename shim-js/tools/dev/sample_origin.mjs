// A sample origin for `edgetrace dev`: what "your origin" looks like behind the CloudFront
// emulator. A plain node:http server instrumented with the OFFICIAL OpenTelemetry JS SDK, so the
// trace view shows edgetrace's edge span and a real SDK continuing it: each request continues the
// W3C traceparent the edge injected (its SERVER span is a child of the edge span) and records one
// CLIENT child, a simulated database query, exported over OTLP/HTTP JSON.
//
// Routes (every one sets Cache-Control, so the emulator's cache has something to obey):
//   /                200 HTML, public, max-age=30 (cacheable)
//   /api/items?...   200 JSON, no-store         (?limit=N items, 1..50)
//   /status/NNN      NNN (200..599) plain text, no-store   e.g. /status/404, /status/503
//   /slow?ms=N       200 after N ms (0..5000, default 250), no-store
//   anything else    404
import http from 'node:http';
import { trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

// Contexts are passed explicitly (no context manager, no global provider or propagator), so
// several origins can run in one process (tests, `edgetrace dev`) without touching OTel globals.

export const MAX_SLOW_MS = 5000;

/**
 * Unix ms with sub-ms precision, from the clock the edgetrace shim uses. Spans here start and end
 * on it explicitly: the SDK's default start time is Date.now(), whole milliseconds, which would
 * draw an origin span up to 1 ms before the edge span that caused it.
 */
export const nowMs = () => performance.timeOrigin + performance.now();
const ITEMS = ['trail shoes', 'rain jacket', 'headlamp', 'water filter', 'trekking poles', 'bivy sack'];

/**
 * An OTel SDK tracer exporting OTLP/HTTP JSON to `${otlpEndpoint}/v1/traces` in short batches.
 * @param {{otlpEndpoint: string, serviceName: string, scheduledDelayMillis?: number}} options
 */
export function createOtelTracer({ otlpEndpoint, serviceName, scheduledDelayMillis = 50 }) {
  const otlp = new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: 2000 });
  const stats = { exportedSpans: 0, failedSpans: 0, lastError: '' };
  // Counts what the SDK exporter reports, so a refused export is visible (stats()) instead of lost.
  /** @type {import('@opentelemetry/sdk-trace-base').SpanExporter} */
  const exporter = {
    export(spans, done) {
      otlp.export(spans, (result) => {
        if (result.code === 0) stats.exportedSpans += spans.length;
        else {
          stats.failedSpans += spans.length;
          stats.lastError = String(result.error?.message ?? result.error ?? 'export failed');
        }
        done(result);
      });
    },
    shutdown: () => otlp.shutdown(),
    forceFlush: () => otlp.forceFlush(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment.name': 'dev' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis, maxExportBatchSize: 64 })],
  });
  return { provider, stats, tracer: provider.getTracer('edgetrace-sample-origin', '0.1.0'), propagator: new W3CTraceContextPropagator() };
}

/** @returns {{route: string, status: number, cacheControl: string, type: string, body: string, dbMs: number, query: string}} */
function plan(url) {
  const p = url.pathname;
  if (p === '/') {
    return { route: '/', status: 200, cacheControl: 'public, max-age=30', type: 'text/html; charset=utf-8', dbMs: 3, query: 'SELECT id, name FROM items ORDER BY name LIMIT 3',
      body: '<!doctype html><html><head><title>sample origin</title></head><body><h1>sample origin</h1><p>Served behind edgetrace.</p></body></html>\n' };
  }
  if (p === '/api/items') {
    const limit = Math.min(50, Math.max(1, Number.parseInt(url.searchParams.get('limit') ?? '3', 10) || 3));
    const items = Array.from({ length: limit }, (_, i) => ({ id: i + 1, name: ITEMS[i % ITEMS.length] }));
    return { route: '/api/items', status: 200, cacheControl: 'no-store', type: 'application/json', dbMs: 4, query: `SELECT id, name FROM items LIMIT ${limit}`,
      body: `${JSON.stringify({ items, query: Object.fromEntries(url.searchParams) })}\n` };
  }
  const status = p.match(/^\/status\/([2-5][0-9]{2})$/);
  if (status) {
    return { route: '/status/{code}', status: Number(status[1]), cacheControl: 'no-store', type: 'text/plain; charset=utf-8', dbMs: 2, query: 'SELECT id FROM items WHERE id = $1', body: `status ${status[1]}\n` };
  }
  if (p === '/slow') {
    const raw = url.searchParams.get('ms');
    const ms = raw === null ? 250 : Number(raw);
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLOW_MS) {
      return { route: '/slow', status: 400, cacheControl: 'no-store', type: 'text/plain; charset=utf-8', dbMs: 0, query: '', body: `ms must be an integer from 0 to ${MAX_SLOW_MS}\n` };
    }
    return { route: '/slow', status: 200, cacheControl: 'no-store', type: 'text/plain; charset=utf-8', dbMs: ms, query: `SELECT pg_sleep(${ms / 1000})`, body: `slept ${ms} ms\n` };
  }
  return { route: '', status: 404, cacheControl: 'no-store', type: 'text/plain; charset=utf-8', dbMs: 0, query: '', body: 'not found\n' };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The simulated database call: one CLIENT span; a 503 plan fails it like an exhausted pool. */
async function queryDb(tracer, parentCtx, p) {
  const span = tracer.startSpan('SELECT items', {
    kind: SpanKind.CLIENT, startTime: nowMs(),
    attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.collection.name': 'items', 'db.query.text': p.query, 'server.address': 'db.internal', 'server.port': 5432 },
  }, parentCtx);
  await sleep(p.dbMs);
  if (p.status === 503) {
    span.setAttribute('error.type', 'PoolTimeoutError');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection pool exhausted' });
  }
  span.end(nowMs());
}

/**
 * Starts the sample origin on 127.0.0.1.
 * @param {{port?: number, otlpEndpoint: string, serviceName?: string}} options  otlpEndpoint: base URL (spans go to /v1/traces)
 * @returns {Promise<{url: string, stats: () => {exportedSpans: number, failedSpans: number, lastError: string}, flush: () => Promise<void>, close: () => Promise<void>}>}
 */
export async function startSampleOrigin({ port = 0, otlpEndpoint, serviceName = 'sample-origin' }) {
  if (!otlpEndpoint) throw new Error('sample origin: otlpEndpoint is required');
  const { provider, stats, tracer, propagator } = createOtelTracer({ otlpEndpoint, serviceName });
  const server = http.createServer(async (req, res) => {
    req.resume(); // bodies are not used; drain them
    const url = new URL(req.url, 'http://origin.invalid');
    const p = plan(url);
    const parentCtx = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(p.route ? `${req.method} ${p.route}` : req.method, {
      kind: SpanKind.SERVER, startTime: nowMs(),
      attributes: {
        'http.request.method': req.method, 'url.path': url.pathname, 'url.scheme': 'http',
        ...(url.search ? { 'url.query': url.search.slice(1) } : {}),
        ...(p.route ? { 'http.route': p.route } : {}),
        'server.address': (req.headers.host ?? '').replace(/:\d+$/, ''), 'server.port': server.address().port,
        'client.address': req.socket.remoteAddress ?? '', 'network.protocol.version': req.httpVersion,
        ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
      },
    }, parentCtx);
    try {
      if (p.query) await queryDb(tracer, trace.setSpan(parentCtx, span), p);
      span.setAttribute('http.response.status_code', p.status);
      if (p.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      res.writeHead(p.status, { 'content-type': p.type, 'cache-control': p.cacheControl, 'content-length': Buffer.byteLength(p.body) });
      res.end(req.method === 'HEAD' ? undefined : p.body);
    } finally {
      span.end(nowMs());
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Spans exported / refused so far (the SDK retries nothing once it reports a failure). */
    stats: () => ({ ...stats }),
    /** Exports what is still buffered now (the batch delay is short, but tests need "now"). */
    flush: () => provider.forceFlush().catch(() => {}),
    /** Stops serving, exports what is buffered (failures are counted in stats(), not thrown). */
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await provider.forceFlush().catch(() => {});
      await provider.shutdown().catch(() => {});
    },
  };
}
