// `edgetrace dev` end to end, on loopback: sample traffic (hits, misses, a 404 and a 503 at the
// origin) through the CloudFront emulator running the REAL package, the sample origin
// continuing the trace with the official OpenTelemetry JS SDK, and the trace store receiving
// both over OTLP/HTTP. Asserts the stored trace trees, and that hits leave no trace. Then the
// three CLI commands (dev, traffic, replay) as a user runs them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCloudFrontEmulator } from '../../shim-js/tools/dev/cloudfront_emulator.mjs';
import { TRIGGERS } from '../../shim-js/tools/dev/header_rules.mjs';
import { createEdgeFunctions } from '../../shim-js/tools/dev/edge_functions.mjs';
import { sendTraffic } from '../../shim-js/tools/dev/traffic.mjs';
import { startTraceServer } from '../../shim-js/tools/dev/trace_server.mjs';
import { startSampleOrigin } from '../../shim-js/tools/dev/sample_origin.mjs';
import { plainAttributes } from '../../shim-js/tools/dev/trace_store.mjs';
import { OWN_FIXTURES_DIR, REPO_ROOT } from './support/events.mjs';
import { PACKAGE_DIR, requirePackage } from './support/package.mjs';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'shim-js/tools/edgetrace.mjs');
const SERVICE = 'edgetrace-e2e';
const COUNT = 20; // two rounds of the traffic mix

let dataDir;
let traces;
let origin;
let emulator;
let edge;
let results;

before(async () => {
  const pkg = await requirePackage();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-e2e-'));
  traces = await startTraceServer({ dataDir });
  origin = await startSampleOrigin({ otlpEndpoint: traces.url });
  const config = {
    service: { name: SERVICE, environment: 'test' },
    exporter: { mode: 'otlp-http', endpoint: traces.url, timeoutMs: 1000 },
    propagation: { trustIncoming: true },
  };
  // Viewer triggers too: they pass through today, and CloudFront must accept what they return.
  edge = createEdgeFunctions(pkg, config, [...TRIGGERS], () => {});
  const logs = [];
  emulator = await startCloudFrontEmulator({ originUrl: origin.url, functions: edge.functions, log: (l) => logs.push(l) });
  results = await sendTraffic({ url: emulator.url, count: COUNT, concurrency: 1 });
  assert.deepEqual(logs, [], 'the emulator reported no function or origin error');
});

after(async () => {
  await emulator?.close();
  await origin?.close();
  await traces?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const route = (p) => p.replace(/\?.*$/, '');

/** Polls the store until every trace has its origin spans (the SDK exports in short batches). */
async function settledTraces(expectedTraces) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await origin.flush();
    const all = traces.store.traces();
    const complete = all.length >= expectedTraces && all.every((t) => t.spans.some((s) => s.service === 'sample-origin' && s.kind === 3));
    if (complete || Date.now() > deadline) return all;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('traffic: hits, misses, a 404 and a 503, with CloudFront cache semantics', () => {
  assert.equal(results.length, COUNT);
  for (const r of results) assert.ok(!('error' in r), `request ${r.i} ${r.path} failed: ${r.error}`);
  const firstSeen = new Set();
  for (const r of results) {
    const key = route(r.path);
    const first = !firstSeen.has(key);
    firstSeen.add(key);
    if (key === '/') assert.deepEqual([r.status, r.xCache], [200, first ? 'Miss' : 'Hit'], `#${r.i} ${r.path}`);
    else if (key === '/api/items') assert.deepEqual([r.status, r.xCache], [200, 'Miss'], `#${r.i} ${r.path} (no-store)`);
    else assert.deepEqual([r.status, r.xCache], [Number(key.slice(-3)), 'Error'], `#${r.i} ${r.path} (cached error after the first)`);
  }
  assert.ok(results.some((r) => r.xCache === 'Hit'), 'some hits');
});

test('stored trace trees: one per origin fetch, edge span -> origin SERVER span -> CLIENT span', async () => {
  const misses = results.filter((r) => r.xCache === 'Miss' || (r.xCache === 'Error' && results.findIndex((x) => route(x.path) === route(r.path)) === r.i));
  const all = await settledTraces(misses.length);
  assert.equal(all.length, misses.length, `one trace per miss, none for hits: ${all.map((t) => t.traceId).join(' ')}`);

  const byRequestId = new Map();
  for (const t of all) {
    const edgeSpans = t.spans.filter((s) => s.service === SERVICE);
    assert.equal(edgeSpans.length, 1, `trace ${t.traceId}: exactly one edge span`);
    byRequestId.set(plainAttributes(edgeSpans[0].attributes)['aws.cloudfront.request_id'], { trace: t, edgeSpan: edgeSpans[0] });
  }
  for (const r of misses) {
    const found = byRequestId.get(r.cfId);
    assert.ok(found, `a trace carries aws.cloudfront.request_id = X-Amz-Cf-Id of miss #${r.i} ${r.path}`);
    const { trace, edgeSpan } = found;
    const attrs = plainAttributes(edgeSpan.attributes);
    assert.equal(edgeSpan.name, 'GET');
    assert.equal(edgeSpan.kind, 2, 'SERVER');
    assert.equal(attrs['url.path'], route(r.path));
    assert.equal(attrs['http.response.status_code'], r.status);
    assert.equal(attrs['aws.cloudfront.event_type'], 'origin-request');
    assert.equal(attrs['aws.cloudfront.distribution_id'], emulator.distribution.distributionId);
    assert.equal(edgeSpan.status?.code ?? 0, r.status >= 500 ? 2 : 0, '5xx -> ERROR, 4xx unset');
    if (r.traceparent) {
      assert.equal(edgeSpan.traceId, r.traceparent.slice(3, 35), 'continues the client trace');
      assert.equal(edgeSpan.parentSpanId, '00f067aa0ba902b7');
    } else assert.ok(!edgeSpan.parentSpanId, 'a root span when the client sent no traceparent');
    assert.equal(edgeSpan.resource['service.name'], SERVICE);

    const server = trace.spans.filter((s) => s.service === 'sample-origin' && s.kind === 2);
    assert.equal(server.length, 1, `#${r.i}: one origin SERVER span`);
    assert.equal(server[0].parentSpanId, edgeSpan.spanId, 'the origin continues the edge span');
    assert.equal(plainAttributes(server[0].attributes)['http.response.status_code'], r.status);
    const client = trace.spans.filter((s) => s.service === 'sample-origin' && s.kind === 3);
    assert.equal(client.length, 1);
    assert.equal(client[0].parentSpanId, server[0].spanId);
  }
  const hitIds = new Set(results.filter((r) => !misses.includes(r)).map((r) => r.cfId));
  for (const id of byRequestId.keys()) assert.ok(!hitIds.has(id), 'no trace for a cache hit');

  const stats = edge.stats();
  assert.deepEqual([stats.sampled, stats.exported, stats.dropped], [misses.length, misses.length, 0], JSON.stringify(stats));
  assert.equal(origin.stats().failedSpans, 0);
  assert.ok(fs.statSync(path.join(dataDir, 'spans.jsonl')).size > 0, 'spans are on disk');
});

test('CLI: `edgetrace traffic` against a running emulator', async () => {
  const { stdout } = await run(process.execPath, [CLI, 'traffic', '--url', emulator.url, '--count', '10'], { timeout: 60_000 });
  assert.match(stdout, /^10 requests to /);
  assert.match(stdout, /\/status\/503 +503 Error/);
  assert.match(stdout, /\/ +200 Hit/);
});

test('CLI: `edgetrace replay` prints results, CloudFront verdicts and the span', async () => {
  const files = ['origin-404.origin-request.json', 'origin-404.origin-response.json', 'viewer-request.json'].map((f) => path.join(OWN_FIXTURES_DIR, f));
  const { stdout } = await run(process.execPath, [CLI, 'replay', '--package', PACKAGE_DIR, '--json', ...files], { timeout: 60_000 });
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  const [request, response, viewer, summary] = lines;
  assert.equal(request.eventType, 'origin-request');
  assert.equal(request.cloudfront, 'accepted');
  assert.match(request.result.headers.traceparent[0].value, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
  assert.equal(response.pairedWith, files[0]);
  assert.equal(response.spans.length, 1);
  const span = response.spans[0].resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.traceId, request.result.headers.traceparent[0].value.slice(3, 35));
  assert.equal(viewer.cloudfront, 'accepted');
  assert.deepEqual(viewer.spans, []);
  assert.deepEqual([summary.stats.sampled, summary.stats.exported], [1, 1]);
});

test('CLI: `edgetrace dev` starts everything with one command and prints the URLs', async () => {
  const devDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-dev-'));
  const child = spawn(process.execPath, [CLI, 'dev', '--port', '0', '--origin-port', '0', '--trace-port', '0', '--data-dir', devDir, '--package', PACKAGE_DIR, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  try {
    const deadline = Date.now() + 20_000;
    while (!/Ctrl-C/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const edgeUrl = /CloudFront emulator +(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const viewUrl = /trace view +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    assert.ok(edgeUrl && viewUrl, `dev printed its URLs:\n${out}`);
    const res = await fetch(`${edgeUrl}/api/items?page=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cache'), 'Miss from cloudfront');
    const page = await fetch(viewUrl);
    assert.equal(page.status, 200);
    assert.match(res.headers.get('x-amz-cf-id') ?? '', /==$/);
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    fs.rmSync(devDir, { recursive: true, force: true });
  }
  assert.match(out, /stopping: 1 requests \(0 hits, 1 misses\); spans sampled=1 exported=1 dropped=0/);
});
