// `edgetrace dev`'s trace server (shim-js/tools/dev/trace_server.mjs + trace_store.mjs): strict
// OTLP/HTTP JSON intake (plain and gzip, OTLP-style errors), the JSON API, the view's pages, and
// the store: spans on disk as JSON lines that survive a restart, bounded in traces and file size.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { MAX_BODY_BYTES, startTraceServer } from '../../shim-js/tools/dev/trace_server.mjs';
import { SPANS_FILE } from '../../shim-js/tools/dev/trace_store.mjs';

const T0 = 1_760_000_000_000_000_000n; // ns

/** One OTLP/JSON export body: spans [{traceId, spanId, parentSpanId?, name, kind?, startMs, endMs, attrs?, error?}]. */
function body(service, spans) {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'dev-test' },
        spans: spans.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
          name: s.name,
          kind: s.kind ?? 2,
          startTimeUnixNano: String(T0 + BigInt(s.startMs ?? 0) * 1_000_000n),
          endTimeUnixNano: String(T0 + BigInt(s.endMs ?? 10) * 1_000_000n),
          attributes: s.attrs ?? [{ key: 'url.path', value: { stringValue: '/x' } }],
          ...(s.error ? { status: { code: 2 } } : {}),
        })),
      }],
    }],
  });
}
const traceId = (n) => n.toString(16).padStart(32, '0').replace(/^0/, 'a');
const spanId = (n) => n.toString(16).padStart(16, '0').replace(/^0/, 'b');

async function post(server, text, headers = {}) {
  const res = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
  return { status: res.status, type: res.headers.get('content-type'), json: await res.json() };
}

let dataDir;
let server;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-dev-store-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('OTLP/HTTP JSON intake', () => {
  test('accepts a valid export (plain and gzip) and answers {} as JSON', async () => {
    server = await startTraceServer({ dataDir });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.uiUrl, `${server.url}/`);
    const plain = await post(server, body('svc', [{ traceId: traceId(1), spanId: spanId(1), name: 'GET' }]));
    assert.deepEqual(plain, { status: 200, type: 'application/json', json: {} });
    const gz = zlib.gzipSync(body('svc', [{ traceId: traceId(2), spanId: spanId(2), name: 'GET' }]));
    assert.equal((await post(server, gz, { 'content-encoding': 'gzip' })).status, 200);
    assert.deepEqual(server.store.traces().map((t) => t.traceId).sort(), [traceId(1), traceId(2)]);
  });

  test('rejects what the strict decoder rejects with 400 and a google.rpc.Status body', async () => {
    server = await startTraceServer({ dataDir });
    const good = JSON.parse(body('svc', [{ traceId: traceId(1), spanId: spanId(1), name: 'GET' }]));
    const span = good.resourceSpans[0].scopeSpans[0].spans[0];
    const cases = {
      'unknown field': { ...good, resourceSpans: [{ ...good.resourceSpans[0], scope_spans: [] }] },
      'base64 trace id': structuredClone(good),
      'upper-case span id': structuredClone(good),
      'timestamp as number': structuredClone(good),
    };
    cases['base64 trace id'].resourceSpans[0].scopeSpans[0].spans[0].traceId = Buffer.from(span.traceId, 'hex').toString('base64');
    cases['upper-case span id'].resourceSpans[0].scopeSpans[0].spans[0].spanId = span.spanId.toUpperCase();
    cases['timestamp as number'].resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano = 1.5;
    for (const [what, value] of Object.entries(cases)) {
      const res = await post(server, JSON.stringify(value));
      assert.equal(res.status, 400, what);
      assert.equal(res.json.code, 3, what); // INVALID_ARGUMENT
      assert.match(res.json.message, /\$\.resourceSpans\[0\]/, what);
    }
    assert.match((await post(server, '{"resourceSpans": [')).json.message, /not JSON/);
    assert.match((await post(server, Buffer.from([0x7b, 0xff, 0x7d]))).json.message, /not valid UTF-8/);
    const dup = body('svc', [{ traceId: traceId(1), spanId: spanId(1), name: 'GET', attrs: [{ key: 'a', value: { stringValue: '1' } }, { key: 'a', value: { stringValue: '2' } }] }]);
    assert.match((await post(server, dup)).json.message, /duplicate attribute key a/);
    const badGzip = await post(server, Buffer.from('not gzip'), { 'content-encoding': 'gzip' });
    assert.equal(badGzip.status, 400);
    assert.match(badGzip.json.message, /gzip/);
    assert.equal((await post(server, body('svc', []), { 'content-type': 'application/x-protobuf' })).status, 415);
    assert.equal((await post(server, body('svc', []), { 'content-encoding': 'br' })).status, 415);
    assert.equal((await fetch(`${server.url}/v1/traces`)).status, 405);
    assert.equal(server.store.traces().length, 0, 'nothing from a refused request is stored');
  });

  test('refuses bodies over MAX_BODY_BYTES with 413, compressed or once decompressed', async () => {
    server = await startTraceServer({ dataDir });
    const big = await post(server, Buffer.alloc(MAX_BODY_BYTES + 1, 32));
    assert.equal(big.status, 413);
    const bomb = await post(server, zlib.gzipSync(Buffer.alloc(MAX_BODY_BYTES + 1, 32)), { 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
    assert.match(bomb.json.message, /decompressed body larger/);
    assert.equal((await post(server, body('svc', []))).status, 200, 'still serving');
  });

  test('takes 64-bit integers as exact JSON numbers (the official JS SDK sends intValue so), nothing looser', async () => {
    server = await startTraceServer({ dataDir });
    const attrs = [{ key: 'http.response.status_code', value: { intValue: 503 } }];
    assert.equal((await post(server, body('svc', [{ traceId: traceId(1), spanId: spanId(1), name: 'GET', attrs }]))).status, 200);
    assert.deepEqual(server.store.trace(traceId(1)).spans[0].attributes, [{ key: 'http.response.status_code', value: { intValue: '503' } }]);
    const fractional = [{ key: 'n', value: { intValue: 1.5 } }];
    assert.equal((await post(server, body('svc', [{ traceId: traceId(2), spanId: spanId(2), name: 'GET', attrs: fractional }]))).status, 400);
  });
});

describe('JSON API and pages', () => {
  test('/api/traces summarizes, /api/traces/<id> returns the spans with service and resource', async () => {
    server = await startTraceServer({ dataDir });
    const t = traceId(7);
    await post(server, body('edgetrace', [{ traceId: t, spanId: spanId(1), name: 'GET', startMs: 0, endMs: 40,
      attrs: [{ key: 'url.path', value: { stringValue: '/cart' } }, { key: 'http.response.status_code', value: { intValue: '503' } }] }]));
    await post(server, body('origin', [
      { traceId: t, spanId: spanId(2), parentSpanId: spanId(1), name: 'GET /cart', startMs: 5, endMs: 35, error: true },
      { traceId: t, spanId: spanId(3), parentSpanId: spanId(2), name: 'SELECT items', kind: 3, startMs: 10, endMs: 20 },
    ]));
    const list = await (await fetch(`${server.url}/api/traces`)).json();
    assert.deepEqual(list.traces, [{
      traceId: t, rootName: 'GET', rootSpanId: spanId(1), service: 'edgetrace', services: ['edgetrace', 'origin'],
      startTimeUnixNano: String(T0), durationMs: 40, spanCount: 3, error: true, method: undefined, path: '/cart', statusCode: 503,
    }].map((s) => JSON.parse(JSON.stringify(s))));
    const one = await (await fetch(`${server.url}/api/traces/${t.toUpperCase()}`)).json();
    assert.equal(one.traceId, t);
    assert.deepEqual(one.spans.map((s) => [s.name, s.service, s.parentSpanId ?? null]), [
      ['GET', 'edgetrace', null], ['GET /cart', 'origin', spanId(1)], ['SELECT items', 'origin', spanId(2)],
    ]);
    assert.deepEqual(one.spans[2].resource, { 'service.name': 'origin' });
    assert.equal(one.spans[2].kind, 3);
    assert.deepEqual(server.store.trace(t), one);
    assert.equal((await fetch(`${server.url}/api/traces/${traceId(8)}`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/traces/not-an-id`)).status, 400);
  });

  test('serves the list and trace pages and their assets, offline-only (CSP self)', async () => {
    server = await startTraceServer({ dataDir });
    for (const p of ['/', `/trace/${traceId(1)}`]) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-type'), /^text\/html/);
      assert.match(res.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/);
      const html = await res.text();
      assert.match(html, /<script type="module" src="\/static\/app\.js"><\/script>/);
      assert.doesNotMatch(html, /https?:\/\//, 'no external assets');
    }
    for (const [p, type] of [['/static/app.js', /javascript/], ['/static/style.css', /text\/css/]]) {
      const res = await fetch(server.url + p);
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-type'), type);
      assert.doesNotMatch(await res.text(), /https?:\/\/(?!127\.0\.0\.1)/, `${p}: no external assets`);
    }
    assert.equal((await fetch(`${server.url}/static/../trace_server.mjs`)).status, 404);
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
  });
});

describe('persistence and bounds', () => {
  test('spans survive a restart; a re-sent span replaces its copy; a torn last line is skipped', async () => {
    server = await startTraceServer({ dataDir });
    await post(server, body('svc', [{ traceId: traceId(1), spanId: spanId(1), name: 'first' }]));
    await post(server, body('svc', [{ traceId: traceId(1), spanId: spanId(1), name: 'resent' }, { traceId: traceId(2), spanId: spanId(2), name: 'other' }]));
    await server.close();
    const file = path.join(dataDir, SPANS_FILE);
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 3, 'append-only: one line per received span');
    fs.appendFileSync(file, '{"traceId":"a000'); // the process died mid-write

    server = await startTraceServer({ dataDir });
    assert.deepEqual(server.store.trace(traceId(1)).spans.map((s) => s.name), ['resent']);
    assert.equal(server.store.trace(traceId(2)).spans[0].service, 'svc');
    assert.equal(server.store.stats().skippedLines, 1);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2, 'rewritten on load without the torn line and the replaced copy');
    lines.forEach((l) => JSON.parse(l));
    const api = await (await fetch(`${server.url}/api/traces`)).json();
    assert.equal(api.traces.length, 2);
  });

  test('keeps the most recent maxTraces traces, in memory and across a restart', async () => {
    server = await startTraceServer({ dataDir, maxTraces: 3 });
    for (let i = 1; i <= 5; i++) await post(server, body('svc', [{ traceId: traceId(i), spanId: spanId(i), name: `t${i}`, startMs: i }]));
    // A late span of trace 3 makes it the most recently updated: it outlives 4 when 6 arrives.
    await post(server, body('svc', [{ traceId: traceId(3), spanId: spanId(33), parentSpanId: spanId(3), name: 'late', startMs: 3 }]));
    await post(server, body('svc', [{ traceId: traceId(6), spanId: spanId(6), name: 't6', startMs: 6 }]));
    const kept = () => server.store.traces().map((t) => t.traceId);
    assert.deepEqual(kept(), [traceId(6), traceId(3), traceId(5)]);
    assert.equal(server.store.stats().evictedTraces, 3);
    await server.close();
    server = await startTraceServer({ dataDir, maxTraces: 3 });
    assert.deepEqual(kept().sort(), [traceId(3), traceId(5), traceId(6)]);
    assert.equal(server.store.trace(traceId(3)).spans.length, 2);
    server.store.compact();
    assert.equal(fs.readFileSync(path.join(dataDir, SPANS_FILE), 'utf8').trim().split('\n').length, 4);
    // Restarting with a smaller bound trims the file on load.
    await server.close();
    server = await startTraceServer({ dataDir, maxTraces: 1 });
    assert.equal(server.store.traces().length, 1);
    assert.equal(fs.readFileSync(path.join(dataDir, SPANS_FILE), 'utf8').trim().split('\n').length, 1);
  });

  test('compacts the file once it grows past maxFileBytes, and caps spans per trace', async () => {
    server = await startTraceServer({ dataDir, maxTraces: 2, maxFileBytes: 4096, maxSpansPerTrace: 3 });
    const file = path.join(dataDir, SPANS_FILE);
    let largest = 0;
    for (let i = 1; i <= 40; i++) {
      await post(server, body('svc', [{ traceId: traceId(i), spanId: spanId(i), name: `t${i}` }]));
      largest = Math.max(largest, fs.statSync(file).size);
    }
    const one = fs.statSync(file).size / server.store.stats().spans;
    assert.ok(largest <= 4096 + 2 * one, `file stayed near the limit (largest ${largest} bytes)`);
    assert.ok(fs.readFileSync(file, 'utf8').trim().split('\n').length < 40 / 2, 'compacted');
    assert.equal(server.store.stats().fileBytes, fs.statSync(file).size);

    const many = [1, 2, 3, 4, 5].map((n) => ({ traceId: traceId(99), spanId: spanId(100 + n), name: `s${n}` }));
    const res = await post(server, body('svc', many));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { partialSuccess: { rejectedSpans: '2', errorMessage: 'trace has too many spans for the dev store' } });
    assert.equal(server.store.trace(traceId(99)).spans.length, 3);
  });
});
