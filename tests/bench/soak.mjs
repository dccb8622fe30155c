#!/usr/bin/env node
// Memory soak (a benchmark, not a test): calls the REAL package's handler directly, in process,
// for a million invocations (origin-request -> origin-response pairs of every scenario in
// tests/fixtures/events, plus the viewer events), and samples RSS, V8 heap and the Wasm linear
// memory of every module instance after a forced GC. After the warm-up the figures must stay
// flat: Wasm memory exactly, RSS and heap within a small tolerance (allocator noise). The span
// accounting must balance exactly (exporter.mode "log", captured by hooks.log).
//
//   node tests/bench/soak.mjs [--invocations 1000000] [--warmup 0.1] [--samples 50]
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

const { values } = parseArgs({
  options: {
    invocations: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '0.1' },
    samples: { type: 'string', default: '50' },
    'rss-tolerance-mb': { type: 'string', default: '8' },
    package: { type: 'string', default: path.resolve(here, '../../dist/lambda') },
    json: { type: 'string' },
  },
});
const invocations = Number(values.invocations);
const warmupFraction = Number(values.warmup);
const sampleCount = Number(values.samples);
const toleranceBytes = Number(values['rss-tolerance-mb']) * 1024 * 1024;
if (!(Number.isInteger(invocations) && invocations >= 1000 && invocations <= 100_000_000)) throw new Error('--invocations 1000..100000000');
if (!(warmupFraction > 0 && warmupFraction < 1 && sampleCount >= 2 && sampleCount <= 10_000)) throw new Error('--warmup in (0, 1), --samples 2..10000');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

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

/** The invocation sequence: each scenario's request then its response, then the viewer events. */
function steps() {
  const out = [];
  const files = fs.readdirSync(EVENTS).filter((f) => f.endsWith('.origin-request.json')).sort();
  for (const file of files) {
    const request = fs.readFileSync(path.join(EVENTS, file), 'utf8');
    const response = fs.readFileSync(path.join(EVENTS, file.replace('.origin-request.', '.origin-response.')), 'utf8');
    out.push({ type: 'origin-request', text: request, pair: out.length + 1 }, { type: 'origin-response', text: response });
  }
  for (const file of ['viewer-request.json', 'viewer-response.json']) out.push({ type: file.replace('.json', ''), text: fs.readFileSync(path.join(EVENTS, file), 'utf8') });
  return out;
}

let logLines = 0;
let spanLines = 0;
const hooks = {
  log: (line) => {
    logLines += 1;
    if (line.startsWith('{"resourceSpans"')) spanLines += 1;
  },
};
const config = { service: { name: 'edgetrace-soak' }, exporter: { mode: 'log' }, propagation: { trustIncoming: true } };
// One handler per trigger, as the emulator runs them (separate sandboxes).
const handlers = { 'origin-request': createHandler(config, hooks), 'origin-response': createHandler(config, hooks), 'viewer-request': createHandler(config, hooks), 'viewer-response': createHandler(config, hooks) };

function sample(done) {
  gc();
  const m = process.memoryUsage();
  return { invocations: done, rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, wasmBytes: wasmBytes(), instances: instances.length };
}

const sequence = steps();
const every = Math.max(1, Math.floor(invocations / sampleCount));
const warmupAt = Math.floor(invocations * warmupFraction);
const samples = [sample(0)];
let warm = null;
let forwarded = null;
let responses = 0;
const started = performance.now();
for (let done = 0; done < invocations; ) {
  for (const step of sequence) {
    if (done >= invocations) break;
    const event = JSON.parse(step.text);
    const cf = event.Records[0].cf;
    cf.config.requestId = `soak-${done}`;
    const context = { awsRequestId: `soak-${done}`, functionName: 'us-east-1.edgetrace' };
    if (step.type === 'origin-response') {
      if (forwarded === null) continue; // the run ended between a pair
      cf.request = forwarded;
      cf.config.requestId = `soak-${done - 1}`;
      responses += 1;
    }
    const result = await handlers[step.type](event, context);
    forwarded = step.type === 'origin-request' ? result : null;
    done += 1;
    if (done === warmupAt) warm = sample(done);
    if (done % every === 0) samples.push(sample(done));
  }
}
const seconds = (performance.now() - started) / 1000;
const last = sample(invocations);
if (samples.at(-1).invocations !== invocations) samples.push(last);

const after = samples.filter((s) => s.invocations >= warmupAt);
const max = (key) => Math.max(...after.map((s) => s[key]));
const stats = Object.values(handlers).map((h) => h.stats()).reduce((a, s) => ({ sampled: a.sampled + s.sampled, exported: a.exported + s.exported, dropped: a.dropped + s.dropped }), { sampled: 0, exported: 0, dropped: 0 });
const report = {
  invocations,
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
  spans: { ...stats, responses, spanLines, logLines },
  samples,
};
const mb = (b) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
const g = report.growthAfterWarmup;
console.log(`edgetrace soak: ${invocations} invocations in ${seconds.toFixed(1)} s (${report.microsPerInvocation.toFixed(1)} us each, JSON.parse of the event included), Node ${process.version}`);
console.log(`  after warm-up (${warmupAt} invocations): RSS ${mb(warm.rssBytes)}, heap ${mb(warm.heapUsedBytes)}, wasm ${mb(warm.wasmBytes)} in ${warm.instances} instance(s)`);
console.log(`  at the end:                 RSS ${mb(last.rssBytes)}, heap ${mb(last.heapUsedBytes)}, wasm ${mb(last.wasmBytes)} in ${last.instances} instance(s)`);
console.log(`  growth after warm-up: RSS ${mb(g.rssBytes)} (max ${mb(g.maxRssBytes)}), heap ${mb(g.heapUsedBytes)} (max ${mb(g.maxHeapUsedBytes)}), wasm ${g.wasmBytes} bytes, instances ${g.instances}`);
console.log(`  spans: sampled=${stats.sampled} exported=${stats.exported} dropped=${stats.dropped}, origin-response invocations=${responses}, span log lines=${spanLines}`);
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);

const failures = [];
if (g.wasmBytes !== 0) failures.push(`wasm linear memory grew by ${g.wasmBytes} bytes after warm-up`);
if (g.instances !== 0) failures.push(`${g.instances} module re-instantiation(s) after warm-up`);
if (g.maxRssBytes > toleranceBytes) failures.push(`RSS grew by up to ${mb(g.maxRssBytes)} after warm-up (tolerance ${mb(toleranceBytes)})`);
if (g.maxHeapUsedBytes > toleranceBytes) failures.push(`heap grew by up to ${mb(g.maxHeapUsedBytes)} after warm-up`);
if (stats.exported + stats.dropped !== stats.sampled) failures.push('exported + dropped != sampled');
if (stats.sampled !== responses || spanLines !== stats.exported) failures.push('not every origin-response exported exactly one span');
console.log(failures.length ? `soak: FAILED: ${failures.join('; ')}` : 'soak: flat after warm-up, spans balanced');
process.exitCode = failures.length ? 1 : 0;
