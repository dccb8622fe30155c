#!/usr/bin/env node
// Load and fault figures for the README (a benchmark: never part of `make test` or CI).
//
// Drives HTTP load (autocannon) on loopback through the CloudFront emulator, every request a
// cache miss (the origin answers no-store), so that every request runs every deployed trigger.
// --triggers picks the deployment, as `edgetrace dev --triggers` does: all four (the default,
// the full trace: a SERVER root and a CLIENT origin fetch per miss), or the origin pair, or the
// viewer pair. Runs, each after a warm-up:
//   baseline   the same emulator with no function (the proxy without edgetrace)
//   noop       a pass-through JS function at each deployed trigger (what emulating Lambda
//              costs, so that edgetrace's own share can be read off: the same triggers as the
//              edgetrace runs, or "added vs noop" would compare different deployments)
//   up         edgetrace exporting to a collector that answers at once
//   down       edgetrace exporting to a closed port (connection refused)
//   slow       edgetrace exporting to a collector slower than exporter.timeoutMs
// and reports requests/s, p50/p99 latency and what edgetrace adds to them, failed user requests
// (must be 0), the span accounting summed over the emulator's handler instances
// (exported + dropped must equal sampled, and sampled must equal the spans the closing
// triggers' invocations close, exactly; see expectedSpans), what the collector received, and the
// machine's CPU use (the load should saturate the cores: raise --connections until it does).
//
// The emulator runs in --workers processes (one per core by default) sharing its port, each
// with its own handler instances; the span counters are summed over all of them.
//
//   node tests/bench/load.mjs [--duration 60] [--warmup 5] [--connections 32] [--workers 2]
//                             [--triggers all|origin-request,origin-response|viewer-request,viewer-response]
//                             [--states up,down,slow] [--timeout-ms 200] [--slow-ms 1000] [--json FILE]
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { parseTriggers } from '../../shim-js/tools/dev/edge_functions.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVERS = path.join(here, 'load_servers.mjs');
const PATH = '/api/items?limit=2';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    workers: { type: 'string', default: '2' },
    triggers: { type: 'string', default: 'all' },
    states: { type: 'string', default: 'up,down,slow' },
    'timeout-ms': { type: 'string', default: '200' },
    'slow-ms': { type: 'string', default: '1000' },
    json: { type: 'string' },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const triggers = parseTriggers(values.triggers);
const states = values.states.split(',').filter(Boolean);
for (const s of states) if (!['up', 'down', 'slow'].includes(s)) throw new Error(`unknown collector state ${s}`);
if (!(duration > 0 && duration <= 3600 && warmup >= 0 && warmup <= 600 && connections >= 1 && connections <= 4096)) {
  throw new Error('--duration 1..3600, --warmup 0..600, --connections 1..4096');
}

/** Starts a role of load_servers.mjs; resolves with {url, stats(), stop()}. */
function start(role, ...args) {
  const child = fork(SERVERS, [role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before listening`)));
    child.once('message', ({ url }) => {
      child.removeAllListeners('exit');
      resolve({
        url,
        stats: () => new Promise((res) => { child.once('message', (m) => res(m.stats)); child.send('stats'); }),
        stop: () => new Promise((res) => { child.once('exit', res); child.kill('SIGTERM'); }),
      });
    });
  });
}

/**
 * The spans edgetrace must have sampled in a run, from the emulator's invocation counters. With
 * ratio 1.0 every request is sampled, and each span has exactly one closing trigger
 * (docs/trace-model.md): origin-response closes one span per invocation (the root in the origin
 * pair, the origin fetch in all four) and viewer-response closes the root. That holds for
 * responses < 400 only (in all four, origin-response closes the root too at >= 400, and
 * viewer-response does not run); the origin always answers 200, and any other status is a
 * failed request, which fails the run anyway.
 * @param {{invocations: Record<string, number>}} counters  summed over the emulator's workers
 */
function expectedSpans(counters) {
  const closes = (trigger) => (triggers.includes(trigger) ? counters.invocations[trigger] ?? 0 : 0);
  return closes('origin-response') + closes('viewer-response');
}

function closedPortUrl() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}

function cpuTimes() {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

async function load(url, seconds) {
  const before = cpuTimes();
  const result = await autocannon({ url: url + PATH, connections, duration: seconds, pipelining: 1, timeout: 30 });
  const after = cpuTimes();
  return { result, cpuBusy: (after.busy - before.busy) / (after.total - before.total) };
}

/** One scenario: collector (if any), emulator, warm-up, measured run, counters. */
async function scenario(name, origin) {
  let collector = null;
  let collectorUrl;
  if (name === 'up' || name === 'slow') {
    collector = await start('collector', name, values['slow-ms']);
    collectorUrl = collector.url;
  } else if (name === 'down') collectorUrl = await closedPortUrl();
  const edge = await start('edge', origin.url, collectorUrl ?? (name === 'noop' ? 'noop' : 'none'), triggers.join(','), values['timeout-ms'], values.workers);
  try {
    const warm = warmup > 0 ? (await load(edge.url, warmup)).result : null;
    const { result, cpuBusy } = await load(edge.url, duration);
    const edgeStats = await edge.stats();
    const collectorStats = collector ? await collector.stats() : null;
    const failed = (r) => (r ? r.non2xx + r.errors + r.timeouts : 0);
    return {
      name,
      rps: result.requests.average,
      requests: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failed: failed(result),
      failedWarmup: failed(warm),
      cpuBusy,
      spans: edgeStats.spans,
      expectedSampled: edgeStats.spans ? expectedSpans(edgeStats.counters) : null,
      counters: edgeStats.counters,
      edgeRssBytes: edgeStats.rssBytes,
      emulatorLog: edgeStats.emulatorLog,
      collector: collectorStats,
    };
  } finally {
    await edge.stop();
    await collector?.stop();
  }
}

const origin = await start('origin');
const runs = [];
try {
  for (const name of ['baseline', 'noop', ...states]) {
    process.stderr.write(`load: ${name} (${warmup} s warm-up + ${duration} s, ${connections} connections)...\n`);
    runs.push(await scenario(name, origin));
  }
} finally {
  await origin.stop();
}

const base = runs[0];
const noop = runs[1];
const ms = (x) => `${x.toFixed(1)} ms`;
const LABELS = { baseline: 'proxy, no function', noop: 'proxy, pass-through JS functions' };
console.log(`\nedgetrace load: triggers ${triggers.join(', ')}; ${duration} s per run after ${warmup} s warm-up, ${connections} connections, every request a miss (${PATH}),`);
console.log(`emulator in ${values.workers} worker process(es), exporter.timeoutMs ${values['timeout-ms']}, slow collector answers after ${values['slow-ms']} ms; ${os.cpus().length} cores, Node ${process.version}\n`);
console.log('| run | req/s | p50 | p99 | added p50 | added p99 | added p50 vs noop | added p99 vs noop | failed | CPU busy | sampled | exported | dropped | exported+dropped=sampled | collector got |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|');
let ok = true;
for (const r of runs) {
  const s = r.spans;
  const balanced = s ? s.exported + s.dropped === s.sampled : true;
  const allSampled = s ? s.sampled === r.expectedSampled : true;
  ok &&= balanced && allSampled && r.failed === 0 && r.failedWarmup === 0;
  const dropped = s ? `${s.dropped}${s.dropped ? ` (${Object.entries(s.droppedByReason).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}` : '-';
  console.log(
    `| ${LABELS[r.name] ?? `edgetrace, collector ${r.name}`} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ` +
      `${r === base ? '-' : ms(r.p50 - base.p50)} | ${r === base ? '-' : ms(r.p99 - base.p99)} | ` +
      `${r.spans ? ms(r.p50 - noop.p50) : '-'} | ${r.spans ? ms(r.p99 - noop.p99) : '-'} | ${r.failed + r.failedWarmup} | ${(r.cpuBusy * 100).toFixed(0)}% | ` +
      `${s?.sampled ?? '-'} | ${s?.exported ?? '-'} | ${dropped} | ${s ? (balanced ? 'yes' : 'NO') : '-'} | ${r.collector ? r.collector.spans : '-'} |`,
  );
}
const closing = triggers.filter((t) => t.endsWith('-response'));
const traced = runs.filter((r) => r.spans);
console.log(`\nspan accounting: sampled = ${closing.join(' + ')} invocations (ratio 1.0, every response a 200) in every run: ${traced.every((r) => r.spans.sampled === r.expectedSampled) ? 'yes' : 'NO'}`);
for (const r of traced) {
  const n = (t) => r.counters.invocations[t] ?? 0;
  console.log(`  ${r.name}: sampled ${r.spans.sampled}, expected ${r.expectedSampled} (${closing.map((t) => `${t} ${n(t)}`).join(', ')}; hits ${r.counters.hits}, misses ${r.counters.misses})`);
}
for (const r of runs) if (r.emulatorLog.lines) console.log(`${r.name}: the emulator logged ${r.emulatorLog.lines} line(s), first: ${r.emulatorLog.first.join(' | ')}`);
if (values.json) fs.writeFileSync(values.json, `${JSON.stringify({ triggers, duration, warmup, connections, workers: Number(values.workers), path: PATH, runs }, null, 2)}\n`);
if (!ok) {
  console.log('load: FAILED: a user request failed or the span accounting does not balance');
  process.exitCode = 1;
}
