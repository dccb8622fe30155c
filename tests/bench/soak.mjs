#!/usr/bin/env node
// Memory soak (a benchmark, not a test): calls the REAL package's handlers directly, in process,
// for a million invocations, and samples RSS, V8 heap and the Wasm linear memory of every module
// instance after a forced GC. After the warm-up the figures must stay flat: Wasm memory exactly,
// RSS and heap within a small tolerance (allocator noise). The span accounting must balance
// exactly (exporter.mode "log", captured by hooks.log).
//
// --triggers all (the default) deploys the product's full trace, one sandbox per trigger, and runs
// whole requests through them as CloudFront does (tests/node/support/cloudfront_flow.mjs), in a
// cycle: a miss answered 200 (viewer-request -> origin-request -> origin-response ->
// viewer-response), a cache hit (viewer-request -> viewer-response, with the response cached by
// an earlier miss), a miss answered 404 and one answered 503 (no viewer-response: CloudFront skips
// it, origin-response closes the root). --triggers origin-request,origin-response deploys the
// default origin pair: origin-request -> origin-response pairs of every scenario in
// tests/fixtures/events, plus the viewer events, which those sandboxes must leave alone.
//
//   node tests/bench/soak.mjs [--invocations 1000000] [--warmup 0.1] [--samples 50]
//                             [--triggers all|origin-request,origin-response]
//                             [--rss-tolerance-mb 8] [--package dist/lambda] [--json FILE]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

// V8 grows its young generation (new space) from 1 MiB up to 2 x 16 MiB under a sustained
// allocation rate: a heuristic that shows up as ~30 MiB of RSS "growth" long after warm-up
// without any leak. The soak runs in a child with the young generation pinned at its maximum,
// so that RSS growth means what it says.
const PINNED = ['--min-semi-space-size=16', '--max-semi-space-size=16'];
if (!process.execArgv.includes(PINNED[0])) {
  const child = spawnSync(process.execPath, [...PINNED, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENTS = path.resolve(here, '../fixtures/events');
const ALL_FOUR = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
const ORIGIN_PAIR = ['origin-request', 'origin-response'];

const { values } = parseArgs({
  options: {
    invocations: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '0.1' },
    samples: { type: 'string', default: '50' },
    triggers: { type: 'string', default: 'all' },
    'rss-tolerance-mb': { type: 'string', default: '8' },
    package: { type: 'string', default: path.resolve(here, '../../dist/lambda') },
    json: { type: 'string' },
  },
});
const invocations = Number(values.invocations);
const warmupFraction = Number(values.warmup);
const sampleCount = Number(values.samples);
const toleranceBytes = Number(values['rss-tolerance-mb']) * 1024 * 1024;
const triggers = values.triggers === 'all' ? ALL_FOUR : values.triggers.split(',');
const allFour = `${triggers}` === `${ALL_FOUR}`;
if (!(Number.isInteger(invocations) && invocations >= 1000 && invocations <= 100_000_000)) throw new Error('--invocations 1000..100000000');
if (!(warmupFraction > 0 && warmupFraction < 1 && sampleCount >= 2 && sampleCount <= 10_000)) throw new Error('--warmup in (0, 1), --samples 2..10000');
if (!allFour && `${triggers}` !== `${ORIGIN_PAIR}`) throw new Error(`--triggers all (${ALL_FOUR}) or ${ORIGIN_PAIR}`);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// Pinning the young generation's size does not make it resident: its pages are touched when
// allocation first reaches them, and the forced GC before every sample empties it, so in a short
// run (a few MiB allocated between samples) it kept "growing" for the first scavenges, after the
// warm-up. Cycling it with garbage first (a few survivors per round, so that scavenges copy into
// the other semi-space too) makes all of it resident before the first sample.
{
  let survivors = [];
  for (let i = 0; i < 128 * 1024; i += 1) {
    survivors.push(new Array(126).fill(i)); // ~1 KiB each: 128 MiB in all, 4 x the young generation
    if (survivors.length === 64) survivors = [];
  }
}

// Every module instance the package creates (it instantiates with `new WebAssembly.Instance`),
// so that their linear memories can be measured from outside the black box.
const instances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    instances.push(instance);
    return instance;
  },
});
const wasmBytes = () => instances.reduce((sum, i) => sum + (i.exports.memory?.buffer.byteLength ?? 0), 0);

const { createHandler } = await import(path.join(path.resolve(values.package), 'index.mjs'));

// Spans are counted from the log itself, not from the exporter's own count: one line per export
// body, which holds every span the invocation closed (two when origin-response closes the root).
let logLines = 0;
let spanLines = 0;
let loggedSpans = 0;
let linkedSpans = 0;
const hooks = {
  log: (line) => {
    logLines += 1;
    if (!line.startsWith('{"resourceSpans"')) return;
    spanLines += 1;
    for (const rs of JSON.parse(line).resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          loggedSpans += 1;
          if (span.links?.length) linkedSpans += 1;
        }
      }
    }
  },
};
// Ratio 1 (the default, spelled out): the expected span count assumes every request is sampled.
// The clients in the fixtures that send a traceparent send it sampled, so honoring them keeps that.
const config = { service: { name: 'edgetrace-soak' }, exporter: { mode: 'log' }, sampling: { ratio: 1 }, propagation: { trustIncoming: true } };
// One handler per trigger, as CloudFront runs them (separate sandboxes). The origin pair keeps
// viewer sandboxes too, with the same origin-pair config, to check that viewer events pass
// through them untraced.
const handlers = {};
for (const trigger of ALL_FOUR) handlers[trigger] = createHandler(allFour ? { ...config, triggers: ALL_FOUR } : config, hooks);

function sample(done) {
  gc();
  const m = process.memoryUsage();
  return { invocations: done, rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, wasmBytes: wasmBytes(), instances: instances.length };
}

const every = Math.max(1, Math.floor(invocations / sampleCount));
const warmupAt = Math.floor(invocations * warmupFraction);
const samples = [sample(0)];
let warm = null;
let done = 0;
let expectedSpans = 0;
let expectedLinks = 0;
const requests = {};
const END = new Error('all invocations done');

/** One handler invocation that must close and export `closes` spans. */
async function invoke(trigger, event, closes) {
  // The run may end inside a request: its open spans are then never closed, as in a sandbox that
  // is not invoked again, and only the closing invocations that ran are expected to export.
  if (done === invocations) throw END;
  const result = await handlers[trigger](event, { awsRequestId: `soak-${done}`, functionName: 'us-east-1.edgetrace' });
  done += 1;
  expectedSpans += closes;
  if (done === warmupAt) warm = sample(done);
  if (done % every === 0) samples.push(sample(done));
  return result;
}

const readEvent = (file) => fs.readFileSync(path.join(EVENTS, file), 'utf8');
const cfOf = (file) => JSON.parse(readEvent(file)).Records[0].cf;
const pick = (headers, keep) => Object.fromEntries(Object.entries(headers).filter(([name]) => keep(name)));
// What CloudFront adds on its way to the origin (not in what the viewer sent).
const originSide = (name) => name === 'via' || name === 'x-forwarded-for' || name.startsWith('cloudfront-');
const cacheKey = (request) => `${request.headers.host?.[0]?.value} ${request.uri}?${request.querystring}`;
const scenarios = () => fs.readdirSync(EVENTS).filter((f) => f.endsWith('.origin-request.json')).sort().map((f) => f.replace('.origin-request.json', ''));

/**
 * A fresh event as CloudFront delivers it: a JSON document, so that nothing a handler returned
 * (or changed in place) is shared with a later event.
 */
function record(config, eventType, requestId, fields) {
  return JSON.parse(JSON.stringify({ Records: [{ cf: { config: { ...config, eventType, requestId }, ...fields } }] }));
}

/**
 * A request shape from a scenario's fixtures: the viewer's request (the recorded viewer-request
 * event if there is one, else the origin request without CloudFront's additions), what
 * CloudFront adds towards the origin, and the origin's response.
 */
function shape(scenario) {
  const { config, request } = cfOf(`${scenario}.origin-request.json`);
  const { origin, headers, ...rest } = request;
  const recorded = fs.existsSync(path.join(EVENTS, `${scenario}.viewer-request.json`));
  const viewer = recorded ? cfOf(`${scenario}.viewer-request.json`).request : { ...rest, headers: pick(headers, (name) => !originSide(name)) };
  return { config, viewer, originHeaders: pick(headers, originSide), origin, response: cfOf(`${scenario}.origin-response.json`).response };
}

/** The all-four cycle: each 200 shape's miss, a hit, a 404 miss, a 503 miss. */
function allFourFlows() {
  const HIT = cfOf('cache-hit.viewer-request.json'); // a second viewer of all-four-miss's object
  const shapes = scenarios().map(shape);
  const ok = shapes.filter((s) => Number(s.response.status) < 400);
  const notFound = shapes.find((s) => s.response.status === '404');
  const unavailable = shapes.find((s) => s.response.status === '503');
  /** What the last cacheable miss left in the cache: the response as origin-response returned it. */
  let cached = null;

  async function miss(s, requestId) {
    const status = Number(s.response.status);
    requests[`miss ${status}`] = (requests[`miss ${status}`] ?? 0) + 1;
    const request = await invoke('viewer-request', record(s.config, 'viewer-request', requestId, { request: s.viewer }), 0);
    // The origin request policy forwards every viewer header, edgetrace's included.
    const toOrigin = { ...request, headers: { ...request.headers, ...s.originHeaders }, origin: s.origin };
    const forwarded = await invoke('origin-request', record(s.config, 'origin-request', requestId, { request: toOrigin }), 0);
    // >= 400: CloudFront skips viewer-response, so origin-response closes the root with the fetch.
    const response = await invoke('origin-response', record(s.config, 'origin-response', requestId, { request: forwarded, response: s.response }), status >= 400 ? 2 : 1);
    if (status >= 400) return;
    if (!response.headers['x-edgetrace-fill']) throw new Error(`origin-response did not stamp the ${status} response: not the all-four flow`);
    // CloudFront caches GET and HEAD; a hit comes from a second viewer of the same object.
    if (s.viewer.method === 'GET' || s.viewer.method === 'HEAD') {
      cached = { config: s.config, request: cacheKey(HIT.request) === cacheKey(s.viewer) ? HIT.request : s.viewer, response };
    }
    // viewer-response gets the request as viewer-request returned it, not origin-request's.
    await invoke('viewer-response', record(s.config, 'viewer-response', requestId, { request, response }), 1);
  }

  async function hit(requestId) {
    requests.hit = (requests.hit ?? 0) + 1;
    const request = await invoke('viewer-request', record(cached.config, 'viewer-request', requestId, { request: cached.request }), 0);
    const out = await invoke('viewer-response', record(cached.config, 'viewer-response', requestId, { request, response: cached.response }), 1);
    expectedLinks += 1; // the root links to the origin fetch that filled the cache
    if (out.headers['x-edgetrace-fill']) throw new Error('viewer-response left x-edgetrace-fill on the response');
  }

  // all-four-miss sorts first and is cacheable: the first hit has something to hit.
  return ok.flatMap((s) => [(id) => miss(s, id), hit, (id) => miss(notFound, id), (id) => miss(unavailable, id)]);
}

/** Today's origin-pair sequence: every scenario's request then its response, then the viewer events. */
function originPairFlows() {
  const withId = (text, requestId) => {
    const event = JSON.parse(text);
    event.Records[0].cf.config.requestId = requestId;
    return event;
  };
  const flows = scenarios().map((scenario) => {
    const request = readEvent(`${scenario}.origin-request.json`);
    const response = readEvent(`${scenario}.origin-response.json`);
    const kind = `pair ${JSON.parse(response).Records[0].cf.response.status}`;
    return async (requestId) => {
      requests[kind] = (requests[kind] ?? 0) + 1;
      const forwarded = await invoke('origin-request', withId(request, requestId), 0);
      // CloudFront hands origin-response the request that origin-request returned.
      const event = withId(response, requestId);
      event.Records[0].cf.request = forwarded;
      await invoke('origin-response', event, 1);
    };
  });
  const viewer = ['viewer-request', 'viewer-response'].map((trigger) => [trigger, readEvent(`${trigger}.json`)]);
  flows.push(async (requestId) => {
    requests['viewer events'] = (requests['viewer events'] ?? 0) + 1;
    for (const [trigger, text] of viewer) await invoke(trigger, withId(text, requestId), 0);
  });
  return flows;
}

const flows = allFour ? allFourFlows() : originPairFlows();
const started = performance.now();
try {
  // A fresh requestId per request, shared by all of its events.
  for (let n = 0; ; n += 1) await flows[n % flows.length](`soak-request-${n}`);
} catch (err) {
  if (err !== END) throw err;
}
const seconds = (performance.now() - started) / 1000;
const last = sample(invocations);
if (samples.at(-1).invocations !== invocations) samples.push(last);

const after = [...samples.filter((s) => s.invocations >= warmupAt), last]; // last: also when a sample was taken at the end
const max = (key) => Math.max(...after.map((s) => s[key]));
const stats = Object.values(handlers).map((h) => h.stats()).reduce((a, s) => ({ sampled: a.sampled + s.sampled, exported: a.exported + s.exported, dropped: a.dropped + s.dropped }), { sampled: 0, exported: 0, dropped: 0 });
const report = {
  invocations,
  triggers,
  requests,
  seconds,
  microsPerInvocation: (seconds * 1e6) / invocations,
  warmupInvocations: warmupAt,
  warm,
  last,
  growthAfterWarmup: {
    rssBytes: last.rssBytes - warm.rssBytes,
    maxRssBytes: max('rssBytes') - warm.rssBytes,
    heapUsedBytes: last.heapUsedBytes - warm.heapUsedBytes,
    maxHeapUsedBytes: max('heapUsedBytes') - warm.heapUsedBytes,
    wasmBytes: max('wasmBytes') - warm.wasmBytes,
    instances: last.instances - warm.instances,
  },
  spans: { ...stats, expected: expectedSpans, logged: loggedSpans, spanLines, logLines, linked: linkedSpans, expectedLinks },
  samples,
};
const mb = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
const g = report.growthAfterWarmup;
console.log(`edgetrace soak: ${invocations} invocations (triggers ${triggers.join(', ')}) in ${seconds.toFixed(1)} s (${report.microsPerInvocation.toFixed(1)} us each, building and parsing the event included), Node ${process.version}`);
console.log(`  requests: ${Object.entries(requests).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
console.log(`  after warm-up (${warmupAt} invocations): RSS ${mb(warm.rssBytes)}, heap ${mb(warm.heapUsedBytes)}, wasm ${mb(warm.wasmBytes)} in ${warm.instances} instance(s)`);
console.log(`  at the end:                 RSS ${mb(last.rssBytes)}, heap ${mb(last.heapUsedBytes)}, wasm ${mb(last.wasmBytes)} in ${last.instances} instance(s)`);
console.log(`  growth after warm-up: RSS ${mb(g.rssBytes)} (max ${mb(g.maxRssBytes)}), heap ${mb(g.heapUsedBytes)} (max ${mb(g.maxHeapUsedBytes)}), wasm ${g.wasmBytes} bytes, instances ${g.instances}`);
console.log(`  spans: expected=${expectedSpans} sampled=${stats.sampled} exported=${stats.exported} dropped=${stats.dropped}, in the log ${loggedSpans} in ${spanLines} line(s), linked ${linkedSpans} of ${expectedLinks} hit(s)`);
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);

const failures = [];
if (g.wasmBytes !== 0) failures.push(`wasm linear memory grew by ${g.wasmBytes} bytes after warm-up`);
if (g.instances !== 0) failures.push(`${g.instances} module re-instantiation(s) after warm-up`);
if (g.maxRssBytes > toleranceBytes) failures.push(`RSS grew by up to ${mb(g.maxRssBytes)} after warm-up (tolerance ${mb(toleranceBytes)})`);
if (g.maxHeapUsedBytes > toleranceBytes) failures.push(`heap grew by up to ${mb(g.maxHeapUsedBytes)} after warm-up`);
if (stats.sampled !== expectedSpans) failures.push(`sampled ${stats.sampled} spans, the flows run close ${expectedSpans}`);
if (stats.exported + stats.dropped !== stats.sampled) failures.push('exported + dropped != sampled');
if (loggedSpans !== stats.exported) failures.push(`${loggedSpans} spans in the log, ${stats.exported} exported`);
if (linkedSpans !== expectedLinks) failures.push(`${linkedSpans} linked spans for ${expectedLinks} cache hits`);
console.log(failures.length ? `soak: FAILED: ${failures.join('; ')}` : 'soak: flat after warm-up, spans balanced');
process.exitCode = failures.length ? 1 : 0;
