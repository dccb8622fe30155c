// `edgetrace dev`'s sample origin (shim-js/tools/dev/sample_origin.mjs): the official OTel JS SDK
// continues the traceparent the edge injected (same trace id, parent = the edge's span id) and
// exports its SERVER span and one CLIENT child over OTLP/HTTP JSON to the dev trace server,
// whose strict decoder must accept them. Each route answers with its status and Cache-Control.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTraceServer } from '../../shim-js/tools/dev/trace_server.mjs';
import { startSampleOrigin } from '../../shim-js/tools/dev/sample_origin.mjs';
import { plainAttributes } from '../../shim-js/tools/dev/trace_store.mjs';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const EDGE_SPAN_ID = '00f067aa0ba902b7';

let dataDir;
let traces;
let origin;

/** Resolves with the stored spans of traceId once `count` arrived (fails after timeoutMs). */
async function spansOf(traceId, count, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = traces.store.trace(traceId)?.spans ?? [];
    if (spans.length >= count) return spans;
    if (Date.now() > deadline) assert.fail(`expected ${count} span(s) of trace ${traceId}, got ${spans.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GET with a fresh trace context; returns the response and the trace id used. */
async function tracedGet(pathAndQuery, n) {
  const traceId = `${TRACE_ID.slice(0, 28)}${n.toString(16).padStart(4, '0')}`;
  const res = await fetch(origin.url + pathAndQuery, { headers: { traceparent: `00-${traceId}-${EDGE_SPAN_ID}-01` } });
  return { res, text: await res.text(), traceId };
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-dev-origin-'));
  traces = await startTraceServer({ dataDir });
  origin = await startSampleOrigin({ otlpEndpoint: traces.url });
  assert.match(origin.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});
after(async () => {
  await origin?.close();
  await traces?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('sample origin continues the edge trace', () => {
  test('same trace id, SERVER span parented on the given span id, one CLIENT child: 2 spans exported', async () => {
    const res = await fetch(`${origin.url}/api/items?limit=2`, {
      headers: { traceparent: `00-${TRACE_ID}-${EDGE_SPAN_ID}-01`, tracestate: 'ot=th:0', 'user-agent': 'Amazon CloudFront' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual((await res.json()).items.map((i) => i.id), [1, 2]);
    await origin.flush();
    const spans = await spansOf(TRACE_ID, 2);
    assert.equal(spans.length, 2);
    const server = spans.find((s) => s.kind === 2);
    const db = spans.find((s) => s.kind === 3);
    assert.ok(server && db, `kinds ${spans.map((s) => s.kind)}`);
    assert.equal(server.traceId, TRACE_ID);
    assert.equal(server.parentSpanId, EDGE_SPAN_ID);
    assert.equal(server.traceState, 'ot=th:0', 'tracestate is carried into the span context');
    assert.equal(server.name, 'GET /api/items');
    assert.equal(server.service, 'sample-origin');
    assert.equal(server.flags & 0xff, 1, 'sampled, as the edge decided');
    assert.equal(server.flags & 0x300, 0x300, 'the SDK marks the parent as remote');
    const attrs = plainAttributes(server.attributes);
    assert.equal(attrs['http.request.method'], 'GET');
    assert.equal(attrs['url.path'], '/api/items');
    assert.equal(attrs['url.query'], 'limit=2');
    assert.equal(attrs['http.route'], '/api/items');
    assert.equal(attrs['http.response.status_code'], 200);
    assert.equal(attrs['user_agent.original'], 'Amazon CloudFront');
    assert.equal(db.traceId, TRACE_ID);
    assert.equal(db.parentSpanId, server.spanId);
    assert.equal(db.name, 'SELECT items');
    assert.equal(plainAttributes(db.attributes)['db.query.text'], 'SELECT id, name FROM items LIMIT 2');
    assert.ok(BigInt(db.startTimeUnixNano) >= BigInt(server.startTimeUnixNano));
    assert.ok(BigInt(db.endTimeUnixNano) <= BigInt(server.endTimeUnixNano));
    assert.deepEqual(origin.stats().failedSpans, 0);
  });

  test('without a traceparent it starts its own trace (root SERVER span)', async () => {
    const before = new Set(traces.store.traces().map((t) => t.traceId));
    assert.equal((await fetch(`${origin.url}/`)).status, 200);
    await origin.flush();
    const fresh = traces.store.traces().filter((t) => !before.has(t.traceId));
    assert.equal(fresh.length, 1);
    assert.deepEqual(fresh[0].spans.map((s) => [s.kind, s.parentSpanId ?? null]).sort(), [[2, null], [3, fresh[0].spans.find((s) => s.kind === 2).spanId]].sort());
  });
});

describe('routes', () => {
  test('/ is cacheable HTML, /api/items is no-store JSON', async () => {
    const home = await tracedGet('/', 1);
    assert.equal(home.res.status, 200);
    assert.match(home.res.headers.get('content-type'), /^text\/html/);
    assert.equal(home.res.headers.get('cache-control'), 'public, max-age=30');
    assert.match(home.text, /<h1>sample origin<\/h1>/);
    const api = await tracedGet('/api/items?q=shoes', 2);
    assert.equal(api.res.headers.get('content-type'), 'application/json');
    assert.deepEqual(JSON.parse(api.text).query, { q: 'shoes' });
  });

  test('/status/404 and /status/503: status codes on the spans, 5xx marks the server span and the failing query ERROR', async () => {
    const notFound = await tracedGet('/status/404', 3);
    const unavailable = await tracedGet('/status/503', 4);
    assert.equal(notFound.res.status, 404);
    assert.equal(unavailable.res.status, 503);
    assert.equal(unavailable.res.headers.get('cache-control'), 'no-store');
    await origin.flush();
    const [s404] = (await spansOf(notFound.traceId, 2)).filter((s) => s.kind === 2);
    assert.equal(plainAttributes(s404.attributes)['http.response.status_code'], 404);
    assert.equal(s404.status?.code ?? 0, 0, '4xx leaves a server span UNSET');
    assert.equal(s404.name, 'GET /status/{code}');
    const spans503 = await spansOf(unavailable.traceId, 2);
    assert.deepEqual(spans503.map((s) => s.status?.code ?? 0), [2, 2]);
    assert.equal(spans503.find((s) => s.kind === 3).status.message, 'connection pool exhausted');
  });

  test('/slow?ms=N waits N ms (bounded), the DB child spans the wait', async () => {
    const started = performance.now();
    const slow = await tracedGet('/slow?ms=120', 5);
    assert.equal(slow.res.status, 200);
    assert.ok(performance.now() - started >= 115);
    await origin.flush();
    const db = (await spansOf(slow.traceId, 2)).find((s) => s.kind === 3);
    assert.ok(Number(BigInt(db.endTimeUnixNano) - BigInt(db.startTimeUnixNano)) / 1e6 >= 100);
    for (const bad of ['/slow?ms=5001', '/slow?ms=-1', '/slow?ms=abc', '/slow?ms=1.5']) {
      assert.equal((await fetch(origin.url + bad)).status, 400, bad);
    }
    assert.equal((await fetch(`${origin.url}/nope`)).status, 404);
    await origin.flush();
    assert.deepEqual(origin.stats().failedSpans, 0, origin.stats().lastError);
  });
});
