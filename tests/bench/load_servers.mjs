// The processes of the load benchmark (tests/bench/load.mjs), one role per child process so that
// the proxy, the origin, the collector and the load generator do not share an event loop:
//
//   node load_servers.mjs origin                       a minimal origin: 200, small JSON, no-store
//   node load_servers.mjs collector up|slow [delayMs]  an OTLP/HTTP endpoint that counts spans;
//                                                      `slow` answers after delayMs
//   node load_servers.mjs edge <originUrl> none|noop|<collectorUrl> <triggers> [timeoutMs] [workers]
//                                                      the CloudFront emulator, in `workers`
//                                                      processes sharing one port (node:cluster;
//                                                      each has its own handler instances, as
//                                                      separate Lambda sandboxes), with no
//                                                      function (none: the proxy alone), or, at
//                                                      each of `triggers` (all, or a pair, as
//                                                      `edgetrace dev --triggers`), a
//                                                      pass-through JS function (noop: the
//                                                      emulator's Lambda emulation cost alone)
//                                                      or the package exporting to collectorUrl
//
// Each role sends {url} over IPC when listening and answers a 'stats' message with its
// counters (the edge waits until no request is in flight first, and sums its workers'). Loopback
// only.
import cluster from 'node:cluster';
import http from 'node:http';
import { startCloudFrontEmulator } from '../../shim-js/tools/dev/cloudfront_emulator.mjs';
import { createEdgeFunctions, loadPackage, parseTriggers } from '../../shim-js/tools/dev/edge_functions.mjs';

const [role, ...args] = process.argv.slice(2);

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

function serve(url, stats) {
  process.on('message', (msg) => {
    if (msg === 'stats') process.send({ stats: { ...stats(), rssBytes: process.memoryUsage().rss } });
  });
  process.send({ url });
}

async function origin() {
  const body = JSON.stringify({ items: [{ id: 1, name: 'trail shoes' }, { id: 2, name: 'rain jacket' }] });
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  serve(await listen(server), () => ({ requests }));
}

async function collector(mode, delayMs = '1000') {
  const counts = { requests: 0, spans: 0, answered: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      counts.requests += 1;
      try {
        for (const rs of JSON.parse(Buffer.concat(chunks).toString()).resourceSpans ?? []) {
          for (const ss of rs.scopeSpans ?? []) counts.spans += ss.spans?.length ?? 0;
        }
      } catch {
        // counted as a request, not as spans
      }
      const answer = () => {
        if (res.destroyed) return;
        counts.answered += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      };
      if (mode === 'slow') setTimeout(answer, Number(delayMs));
      else answer();
    });
  });
  serve(await listen(server), () => ({ ...counts }));
}

/**
 * One emulator worker: its own functions, counters and log-line tally.
 * @param {import('../../shim-js/tools/dev/header_rules.mjs').Trigger[]} triggers
 */
async function edgeWorker(originUrl, mode, triggers, timeoutMs) {
  let functions = {};
  let spans = () => null;
  if (mode === 'noop') {
    const passThrough = async (event) => {
      const cf = event.Records[0].cf;
      return cf.config.eventType.endsWith('-request') ? cf.request : cf.response;
    };
    functions = Object.fromEntries(triggers.map((t) => [t, passThrough]));
  } else if (mode !== 'none') {
    const pkg = await loadPackage();
    const config = { service: { name: 'edgetrace-load' }, exporter: { mode: 'otlp-http', endpoint: mode, timeoutMs: Number(timeoutMs) } };
    let logLines = 0;
    const created = createEdgeFunctions(pkg, config, triggers, () => {
      logLines += 1; // one drop line per span when the collector is down or slow: counted, not kept
    });
    functions = created.functions;
    spans = () => ({ ...created.stats(), logLines });
  }
  const emulatorLog = { lines: 0, first: [] };
  const emulator = await startCloudFrontEmulator({
    originUrl,
    functions,
    log: (line) => {
      emulatorLog.lines += 1;
      if (emulatorLog.first.length < 5) emulatorLog.first.push(line);
    },
  });
  // autocannon stops with requests still in flight: count them once they are answered.
  const idle = async () => {
    for (let i = 0; i < 600; i++) {
      const c = emulator.counters();
      if (c.requests === c.responses) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  process.on('message', async (msg) => {
    if (msg !== 'stats') return;
    await idle();
    process.send({ stats: { spans: spans(), counters: emulator.counters(), emulatorLog, rssBytes: process.memoryUsage().rss } });
  });
  process.send({ url: emulator.url });
}

/** Sums the workers' numbers (nested objects key by key). */
function sum(a, b) {
  if (a === null || b === null) return a ?? b;
  if (Array.isArray(a)) return [...a, ...b];
  if (typeof a === 'number') return a + b;
  if (typeof a !== 'object') return a;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? sum(out[k], v) : v;
  return out;
}

async function edge(originUrl, mode, triggers, timeoutMs = '200', workers = '1') {
  // Required (parseTriggers would fall back to the origin pair), so that the deployment is
  // always the one the caller reports; parsed in the primary too, which fails before forking.
  if (!triggers) throw new Error('edge: give the triggers (all, or a pair)');
  const deployed = parseTriggers(triggers);
  if (!cluster.isPrimary) return edgeWorker(originUrl, mode, deployed, timeoutMs);
  const forked = Array.from({ length: Math.max(1, Number(workers)) }, () => cluster.fork());
  const urls = await Promise.all(forked.map((w) => new Promise((resolve) => w.once('message', (m) => resolve(m.url)))));
  const ask = (w) => new Promise((resolve) => { w.once('message', (m) => resolve(m.stats)); w.send('stats'); });
  process.on('message', async (msg) => {
    if (msg !== 'stats') return;
    const all = await Promise.all(forked.map(ask));
    process.send({ stats: { ...all.reduce(sum), workers: all.length, rssBytes: all.map((s) => s.rssBytes) } });
  });
  process.on('SIGTERM', () => {
    for (const w of forked) w.kill();
    process.exit(0);
  });
  process.send({ url: urls[0] });
}

const roles = { origin, collector, edge };
if (!roles[role]) {
  console.error('usage: load_servers.mjs origin | collector up|slow [delayMs] | edge <originUrl> none|noop|<collectorUrl> <triggers> [timeoutMs] [workers]');
  process.exit(2);
}
await roles[role](...args);
