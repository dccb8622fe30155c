// `edgetrace dev` end to end, on loopback: sample traffic (hits, misses, a 404 and a 503 at the
// origin) through the CloudFront emulator running the REAL package, the sample origin
// continuing the trace with the official OpenTelemetry JS SDK, and the trace store receiving
// both over OTLP/HTTP. Asserts the stored trace trees (hits: the edge root alone). Then the
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
  // All four triggers, as `edgetrace dev` deploys them.
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

/** Polls the store until every trace with an origin fetch has its origin spans (the SDK exports in short batches). */
async function settledTraces(expectedTraces) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await origin.flush();
    const all = traces.store.traces();
    const fetched = (t) => t.spans.some((s) => s.service === SERVICE && s.kind === 3);
    const complete = all.length >= expectedTraces && all.every((t) => !fetched(t) || t.spans.some((s) => s.service === 'sample-origin' && s.kind === 3));
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

test('stored trace trees: edge root for every request; misses add the origin fetch and the origin spans', async () => {
  const firstOfRoute = (r) => results.findIndex((x) => route(x.path) === route(r.path)) === r.i;
  // A cached error is served without any trigger after viewer-request: its root cannot be
  // exported (a CloudFront limit, docs/trace-model.md). Every other request has a trace.
  const traced = results.filter((r) => r.xCache !== 'Error' || firstOfRoute(r));
  const misses = traced.filter((r) => r.xCache !== 'Hit');
  const all = await settledTraces(traced.length);
  assert.equal(all.length, traced.length, `one trace per request but cached errors: ${all.map((t) => t.traceId).join(' ')}`);

  const byRequestId = new Map();
  for (const t of all) {
    const roots = t.spans.filter((s) => s.service === SERVICE && s.kind === 2);
    assert.equal(roots.length, 1, `trace ${t.traceId}: exactly one edge root`);
    byRequestId.set(plainAttributes(roots[0].attributes)['aws.cloudfront.request_id'], { trace: t, root: roots[0] });
  }
  const fetchOf = (trace) => trace.spans.filter((s) => s.service === SERVICE && s.kind === 3);
  for (const r of traced) {
    const found = byRequestId.get(r.cfId);
    assert.ok(found, `a trace carries aws.cloudfront.request_id = X-Amz-Cf-Id of #${r.i} ${r.path}`);
    const { trace, root } = found;
    const attrs = plainAttributes(root.attributes);
    assert.equal(root.name, 'GET');
    assert.equal(attrs['url.path'], route(r.path));
    assert.equal(attrs['http.response.status_code'], r.status);
    assert.equal(attrs['aws.cloudfront.event_type'], 'viewer-request');
    assert.equal(attrs['aws.cloudfront.distribution_id'], emulator.distribution.distributionId);
    assert.equal(root.status?.code ?? 0, r.status >= 500 ? 2 : 0, '5xx -> ERROR, 4xx unset');
    if (r.traceparent) {
      assert.equal(root.traceId, r.traceparent.slice(3, 35), 'continues the client trace');
      assert.equal(root.parentSpanId, '00f067aa0ba902b7');
    } else assert.ok(!root.parentSpanId, 'a root span when the client sent no traceparent');
    assert.equal(root.resource['service.name'], SERVICE);

    if (r.xCache === 'Hit') {
      assert.equal(attrs['aws.cloudfront.cache_status'], 'hit', `#${r.i}`);
      assert.equal(trace.spans.length, 1, `#${r.i}: a hit is the edge root alone`);
      const filler = byRequestId.get(traced.find((x) => route(x.path) === route(r.path) && x.xCache === 'Miss').cfId);
      const fill = fetchOf(filler.trace)[0];
      assert.deepEqual(root.links?.map((l) => [l.traceId, l.spanId]), [[fill.traceId, fill.spanId]], 'a hit links to the origin fetch that filled the cache');
      continue;
    }
    assert.equal(attrs['aws.cloudfront.cache_status'], 'miss', `#${r.i}`);
    assert.equal(attrs['aws.cloudfront.root_closed_at'], r.status >= 400 ? 'origin-response' : undefined, 'viewer-response does not run for >= 400');
    const fetch = fetchOf(trace);
    assert.equal(fetch.length, 1, `#${r.i}: one origin fetch CLIENT span`);
    assert.equal(fetch[0].parentSpanId, root.spanId);
    assert.equal(fetch[0].status?.code ?? 0, r.status >= 400 ? 2 : 0, 'client span: 4xx and 5xx -> ERROR');
    const server = trace.spans.filter((s) => s.service === 'sample-origin' && s.kind === 2);
    assert.equal(server.length, 1, `#${r.i}: one origin SERVER span`);
    assert.equal(server[0].parentSpanId, fetch[0].spanId, 'the origin continues the origin fetch span');
    assert.equal(plainAttributes(server[0].attributes)['http.response.status_code'], r.status);
    const client = trace.spans.filter((s) => s.service === 'sample-origin' && s.kind === 3);
    assert.equal(client.length, 1);
    assert.equal(client[0].parentSpanId, server[0].spanId);
  }
  const edgeSpans = all.reduce((n, t) => n + t.spans.filter((s) => s.service === SERVICE).length, 0);
  assert.equal(edgeSpans, traced.length + misses.length, 'a root per traced request, an origin fetch per miss');
  const stats = edge.stats();
  assert.deepEqual([stats.sampled, stats.exported, stats.dropped], [edgeSpans, edgeSpans, 0], JSON.stringify(stats));
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
  // replay deploys all four triggers: the origin-request event (no viewer-request headers)
  // opens the origin fetch under the root recomputed from the request id, and the 404 closes
  // both, since CloudFront skips viewer-response for >= 400. One export body, two spans.
  assert.equal(response.spans.length, 1);
  const [fetchSpan, rootSpan] = response.spans[0].resourceSpans[0].scopeSpans[0].spans;
  const [, traceId, parentId] = request.result.headers.traceparent[0].value.split('-');
  assert.deepEqual([fetchSpan.kind, fetchSpan.traceId, fetchSpan.spanId], [3, traceId, parentId]);
  assert.deepEqual([rootSpan.kind, rootSpan.traceId, rootSpan.spanId], [2, traceId, fetchSpan.parentSpanId]);
  const closedAt = rootSpan.attributes.find((a) => a.key === 'aws.cloudfront.root_closed_at');
  assert.equal(closedAt?.value.stringValue, 'origin-response');
  assert.equal(viewer.cloudfront, 'accepted');
  assert.deepEqual(viewer.spans, []);
  assert.deepEqual([summary.stats.sampled, summary.stats.exported, summary.stats.dropped], [2, 2, 0]);
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
  assert.match(out, /stopping: 1 requests \(0 hits, 1 misses\); spans sampled=2 exported=2 dropped=0/);
});
