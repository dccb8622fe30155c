// make bench: edgetrace side by side with the otel-js-edge peers (../shared/peers), in one
// run, interleaved. Prints warm µs/call, cold start, package size and memory, each as a
// ratio against minimal-js and otel-sdk, and checks the issue's bars.
//   node tests/bench/bench.mjs [--quick]
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, cpSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const { ROOT, PEERS, PACKAGE, IMPLS, load, peerPath } = require('./impls.cjs');
const { read, responseFixture, viewerRequestFixture, viewerResponseFixture } = require('./fixtures.cjs');
const { reproducibleZip } = await import(path.join(ROOT, 'shim-js/tools/reproducible_zip.mjs'));

const QUICK = process.argv.includes('--quick');
const CFG = QUICK
  ? { warmup: 2000, rounds: 2, perRound: 2000, chunk: 200, coldRuns: 4, memRuns: 2 }
  : { warmup: 20000, rounds: 8, perRound: 20000, chunk: 200, coldRuns: 15, memRuns: 5 };
const PEER_SOURCE = path.resolve(ROOT, '../shared/peers/otel-js-edge');

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const f2 = (x) => x.toFixed(2);
const ratio = (a, b) => (a / b).toFixed(2) + 'x';

// ---------------------------------------------------------------- peers
function preparePeers() {
  if (!existsSync(PEER_SOURCE)) throw new Error(`peer baseline not found at ${PEER_SOURCE}`);
  if (!existsSync(path.join(PEERS, 'node_modules'))) {
    mkdirSync(PEERS, { recursive: true });
    cpSync(PEER_SOURCE, PEERS, { recursive: true, filter: (src) => !src.includes('node_modules') });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS, stdio: 'inherit' });
  }
  const verify = spawnSync(process.execPath, ['verify.mjs'], { cwd: PEERS, encoding: 'utf8' });
  if (verify.status !== 0) throw new Error('peer verify.mjs failed:\n' + verify.stdout + verify.stderr);
  const esbuild = require(path.join(PEERS, 'node_modules/esbuild'));
  mkdirSync(path.join(PEERS, 'dist'), { recursive: true });
  for (const name of ['minimal-js', 'otel-sdk']) {
    esbuild.buildSync({ entryPoints: [peerPath(name, false)], bundle: true, platform: 'node', minify: true, outfile: peerPath(name, true), logLevel: 'silent' });
  }
  return verify.stdout.trim().split('\n').pop();
}

// ---------------------------------------------------------------- warm
const SCENARIOS = [
  { id: 'origin-request, incoming parent', kind: 'req', fixture: 'origin-request', ratio: 1.0, bar: true },
  { id: 'origin-request, incoming parent, r=0.1', kind: 'req', fixture: 'origin-request', ratio: 0.1 },
  { id: 'origin-request, new trace', kind: 'req', fixture: 'origin-request-root', ratio: 1.0, bar: true },
  { id: 'origin-request, new trace, r=0.1', kind: 'req', fixture: 'origin-request-root', ratio: 0.1 },
  { id: 'origin-response 200 (OTLP body)', kind: 'resp', fixture: 'origin-response', ratio: 1.0, bar: true },
  { id: 'origin-response 503 (OTLP body)', kind: 'resp', fixture: 'origin-response-503', ratio: 1.0, bar: true },
  { id: 'origin-response, root span', kind: 'resp', fixture: 'origin-response-root', ratio: 1.0, bar: true },
  { id: 'origin-response, unsampled', kind: 'resp', fixture: 'origin-response-unsampled', ratio: 1.0 },
  // All four triggers: viewer-request opens the root for every request (cache hits too);
  // compared with the peers' origin-request, the same open-the-root work.
  { id: 'viewer-request, incoming parent', kind: 'vreq', fixture: 'origin-request', ratio: 1.0, bar: true },
  { id: 'viewer-request, new trace', kind: 'vreq', fixture: 'origin-request-root', ratio: 1.0, bar: true },
  { id: 'viewer-response 200, root span (OTLP body)', kind: 'vresp', fixture: 'origin-response', ratio: 1.0, bar: true },
];

const isRequest = (s) => s.kind === 'req' || s.kind === 'vreq';
function source(impl, s, h) {
  if (s.kind === 'req') return read(s.fixture);
  if (s.kind === 'resp') return responseFixture(impl, s.fixture, h.originRequest);
  if (s.kind === 'vreq') return impl === 'edgetrace' ? viewerRequestFixture(s.fixture) : read(s.fixture);
  return viewerResponseFixture(impl, s.fixture, h.viewerRequest);
}
const entry = (h, s) => ({ req: h.originRequest, resp: h.originResponse, vreq: h.viewerRequest, vresp: h.viewerResponse })[s.kind];

async function warm() {
  const handlers = {};
  for (const impl of IMPLS) handlers[impl] = { 1: await load(impl, { ratio: 1.0 }), 0.1: await load(impl, { ratio: 0.1 }) };
  const sources = {};
  for (const s of SCENARIOS)
    for (const impl of IMPLS)
      sources[impl + s.id] = source(impl, s, handlers[impl][1]);
  const total = CFG.rounds * CFG.perRound;
  const times = {};
  for (const s of SCENARIOS) for (const impl of IMPLS) times[impl + s.id] = { d: new Float64Array(total), n: 0 };
  let sink = 0;
  const events = new Array(CFG.chunk);
  function batch(impl, s, count, record) {
    const h = handlers[impl][s.ratio];
    const fn = entry(h, s);
    const src = sources[impl + s.id];
    const t = times[impl + s.id];
    for (let left = count; left > 0; left -= CFG.chunk) {
      const c = Math.min(CFG.chunk, left);
      for (let i = 0; i < c; i++) events[i] = JSON.parse(src); // a fresh event per call, as Lambda delivers
      for (let i = 0; i < c; i++) {
        const t0 = performance.now();
        const r = fn(events[i]);
        const t1 = performance.now();
        if (record) t.d[t.n++] = t1 - t0;
        if (r !== null) sink += isRequest(s) ? r.headers.traceparent[0].value.charCodeAt(54) & 1 : r.length;
      }
    }
  }
  for (const s of SCENARIOS) for (const impl of IMPLS) batch(impl, s, CFG.warmup, false);
  for (let r = 0; r < CFG.rounds; r++) {
    const order = r % 2 === 0 ? IMPLS : [...IMPLS].reverse();
    for (const s of SCENARIOS) for (const impl of order) batch(impl, s, CFG.perRound, true);
  }
  const out = {};
  for (const s of SCENARIOS) {
    out[s.id] = {};
    for (const impl of IMPLS) {
      const t = times[impl + s.id];
      out[s.id][impl] = median(t.d.subarray(0, t.n)) * 1000;
    }
  }
  return { medians: out, sink };
}

// ---------------------------------------------------------------- cold start
function cold() {
  const variants = ['none', ...IMPLS];
  const res = Object.fromEntries(variants.map((v) => [v, { wall: [], total: [] }]));
  const run = (v) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(HERE, 'cold_child.mjs'), v], { encoding: 'utf8' });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`cold child ${v} failed: ${r.stderr}`);
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!j.ok) throw new Error(`cold child ${v} produced no trace`);
    return { wall, total: j.total };
  };
  for (const v of variants) run(v); // page cache
  for (let i = 0; i < CFG.coldRuns; i++) {
    const order = [...variants.slice(i % variants.length), ...variants.slice(0, i % variants.length)];
    for (const v of order) {
      const { wall, total } = run(v);
      res[v].wall.push(wall);
      res[v].total.push(total);
    }
  }
  const base = median(res.none.wall);
  return Object.fromEntries(IMPLS.map((v) => [v, { inProcessMs: median(res[v].total), wallMinusNodeMs: median(res[v].wall) - base }]));
}

// ---------------------------------------------------------------- memory
function memory() {
  const raw = Object.fromEntries(IMPLS.map((v) => [v, []]));
  for (let i = 0; i < CFG.memRuns; i++)
    for (const v of IMPLS) {
      const r = spawnSync(process.execPath, ['--expose-gc', path.join(HERE, 'mem_child.mjs'), v], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`memory child ${v} failed: ${r.stderr}`);
      raw[v].push(JSON.parse(r.stdout.trim().split('\n').pop()));
    }
  return Object.fromEntries(IMPLS.map((v) => [v, { rssAfter10kKiB: median(raw[v].map((x) => x.after10k.rss)) / 1024 }]));
}

// ---------------------------------------------------------------- size
function sizes() {
  const zipOf = (file) => reproducibleZip([{ name: 'index.js', data: readFileSync(file) }]).length;
  const zip = path.join(PACKAGE, '..', 'edgetrace-lambda.zip');
  const wasm = readFileSync(path.join(PACKAGE, 'edgetrace.wasm'));
  return {
    edgetrace: { zipBytes: existsSync(zip) ? statSync(zip).size : NaN, wasmGzipBytes: gzipSync(wasm, { level: 9 }).length },
    'minimal-js': { zipBytes: zipOf(peerPath('minimal-js', true)) },
    'otel-sdk': { zipBytes: zipOf(peerPath('otel-sdk', true)) },
  };
}

// ---------------------------------------------------------------- main
const started = new Date().toISOString();
console.log(`# edgetrace vs otel-js-edge peers${QUICK ? ' (QUICK: smoke run, not for reporting)' : ''}`);
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, node ${process.version}, loadavg ${os.loadavg().map((x) => x.toFixed(2)).join('/')}`);
console.log(`peer verify: ${preparePeers()}`);
const size = sizes();
const coldStart = cold();
const mem = memory();
const { medians } = await warm();

const bars = [];
const bar = (name, value, limit) => bars.push({ name, value, limit, ok: value <= limit });

console.log(`\n## warm, median µs per call (${CFG.rounds} interleaved rounds x ${CFG.perRound} calls per cell, fresh event per call)`);
console.log('| scenario | edgetrace | minimal-js | otel-sdk | vs minimal-js | vs otel-sdk |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const s of SCENARIOS) {
  const m = medians[s.id];
  console.log(`| ${s.id} | ${f2(m.edgetrace)} | ${f2(m['minimal-js'])} | ${f2(m['otel-sdk'])} | ${ratio(m.edgetrace, m['minimal-js'])} | ${ratio(m.edgetrace, m['otel-sdk'])} |`);
  if (s.bar) {
    bar(`${s.id}: vs minimal-js`, m.edgetrace / m['minimal-js'], isRequest(s) ? 2.0 : 1.0);
    bar(`${s.id}: vs otel-sdk`, m.edgetrace / m['otel-sdk'], 0.25);
  }
}
console.log(`\n## cold start, fresh process: import + first origin-request + first origin-response (median of ${CFG.coldRuns})`);
console.log('| impl | in-process ms | wall - node startup ms |');
console.log('|---|---:|---:|');
for (const v of IMPLS) console.log(`| ${v} | ${f2(coldStart[v].inProcessMs)} | ${f2(coldStart[v].wallMinusNodeMs)} |`);
console.log(`edgetrace in-process: ${ratio(coldStart.edgetrace.inProcessMs, coldStart['minimal-js'].inProcessMs)} minimal-js, ${ratio(coldStart.edgetrace.inProcessMs, coldStart['otel-sdk'].inProcessMs)} otel-sdk bundle`);
bar('cold start vs minimal-js', coldStart.edgetrace.inProcessMs / coldStart['minimal-js'].inProcessMs, 1.5);
bar('cold start vs otel-sdk bundle', coldStart.edgetrace.inProcessMs / coldStart['otel-sdk'].inProcessMs, 0.2);

console.log('\n## size (deployable zip; peers: their esbuild bundle, zipped the same way)');
for (const v of IMPLS) console.log(`| ${v} | ${size[v].zipBytes} B |${v === 'edgetrace' ? ` wasm gzip -9: ${size.edgetrace.wasmGzipBytes} B` : ''}`);
console.log(`edgetrace zip: ${ratio(size.edgetrace.zipBytes, size['minimal-js'].zipBytes)} minimal-js, ${ratio(size.edgetrace.zipBytes, size['otel-sdk'].zipBytes)} otel-sdk`);
bar('zip bytes <= 64 KiB', size.edgetrace.zipBytes / 1024, 64);
bar('wasm gzip bytes <= 48 KiB', size.edgetrace.wasmGzipBytes / 1024, 48);

console.log(`\n## memory: RSS growth after load + 10k request/response pairs, fresh process (median of ${CFG.memRuns})`);
for (const v of IMPLS) console.log(`| ${v} | ${mem[v].rssAfter10kKiB.toFixed(0)} KiB |`);
console.log(`edgetrace RSS: ${ratio(mem.edgetrace.rssAfter10kKiB, mem['minimal-js'].rssAfter10kKiB)} minimal-js, ${ratio(mem.edgetrace.rssAfter10kKiB, mem['otel-sdk'].rssAfter10kKiB)} otel-sdk`);

console.log('\n## bars');
for (const b of bars) console.log(`${b.ok ? 'HOLDS' : 'MISSED'}  ${b.name}: ${b.value.toFixed(2)} (limit ${b.limit})`);
mkdirSync(path.join(ROOT, 'build/bench/results'), { recursive: true });
const file = path.join(ROOT, 'build/bench/results', `bench-${started.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`);
writeFileSync(file, JSON.stringify({ started, quick: QUICK, config: CFG, medians, coldStart, size, mem, bars }, null, 2) + '\n');
console.log(`\nresults: ${path.relative(ROOT, file)}`);
