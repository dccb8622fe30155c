#!/usr/bin/env node
// edgetrace on a laptop, no AWS account:
//
//   edgetrace dev [options]          CloudFront emulator (the package at all four triggers) +
//                                    sample origin + trace store and view
//   edgetrace traffic [options]      sample traffic through a running `dev`
//   edgetrace replay <event.json...> Lambda@Edge events through the package; prints results,
//                                    CloudFront's verdict, spans and log lines
//
// Run `node shim-js/tools/edgetrace.mjs <command> --help` for each command's options.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PACKAGE_DIR, REPO_ROOT, createEdgeFunctions, loadPackage, parseTriggers } from './dev/edge_functions.mjs';

const USAGE = {
  dev: `usage: edgetrace dev [--port 8080] [--origin URL | --origin-port 8081] [--collector URL | --trace-port 4318]
                     [--data-dir build/dev/traces] [--package dist/lambda] [--config FILE]
                     [--triggers all | origin-request,origin-response | viewer-request,viewer-response] [--quiet]
  Starts on 127.0.0.1: the CloudFront emulator running the package at the triggers, the sample
  origin (unless --origin), and the trace store + view (unless --collector: spans then go to
  your OpenTelemetry Collector's OTLP/HTTP endpoint). --config replaces the generated config.
  --triggers defaults to all four (the full trace: an edge root for every request, hits
  included, and an origin fetch span on misses); a pair deploys only that pair, as
  terraform/ can.`,
  traffic: `usage: edgetrace traffic [--url http://127.0.0.1:8080] [--count 50] [--concurrency 4]
  Sends the sample mix (hits, misses, a 404, a 503) through a running \`edgetrace dev\`.`,
  replay: `usage: edgetrace replay [--package dist/lambda] [--config FILE] [--collector URL] [--json] event.json...
  Runs each event through the package (one handler per trigger). Spans are captured from
  exporter.mode "log" unless --collector sends them to a collector; --json prints one JSON
  object per event.`,
};

const COMMANDS = { dev, traffic, replay };

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || !COMMANDS[command]) {
    console.log(Object.values(USAGE).join('\n\n'));
    return command && !COMMANDS[command] && command !== '--help' && command !== '-h' ? 2 : 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE[command]);
    return 0;
  }
  return COMMANDS[command](rest);
}

/** Reads a JSON config file (a path relative to the current directory). */
function readConfig(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--config ${file}: ${err.message}`);
  }
}

function checkConfig(pkg, config) {
  const verdict = pkg.validateConfig?.(config);
  if (verdict && !verdict.ok) throw new Error(`configuration rejected by the package: ${verdict.error}`);
}

function port(text, name) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number (0 = any free port)`);
  return n;
}

async function dev(args) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      origin: { type: 'string' },
      'origin-port': { type: 'string', default: '8081' },
      collector: { type: 'string' },
      'trace-port': { type: 'string', default: '4318' },
      'data-dir': { type: 'string', default: path.join(REPO_ROOT, 'build/dev/traces') },
      package: { type: 'string', default: DEFAULT_PACKAGE_DIR },
      config: { type: 'string' },
      triggers: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  // All four by default: the full trace is the point of a local CloudFront. (DEFAULT_TRIGGERS,
  // the origin pair, stays what terraform/ deploys by default and what the load benchmark uses.)
  const triggers = parseTriggers(values.triggers ?? 'all');
  const pkg = await loadPackage(values.package);
  const { startCloudFrontEmulator } = await import('./dev/cloudfront_emulator.mjs');
  const closers = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    let endpoint = values.collector?.replace(/\/+$/, '');
    let traceServer;
    if (!endpoint) {
      const { startTraceServer } = await import('./dev/trace_server.mjs');
      traceServer = await startTraceServer({ port: port(values['trace-port'], 'trace-port'), dataDir: path.resolve(values['data-dir']) });
      closers.push(() => traceServer.close());
      endpoint = traceServer.url;
    }
    let originUrl = values.origin;
    if (!originUrl) {
      const { startSampleOrigin } = await import('./dev/sample_origin.mjs');
      const origin = await startSampleOrigin({ port: port(values['origin-port'], 'origin-port'), otlpEndpoint: endpoint });
      closers.push(() => origin.close());
      originUrl = origin.url;
    }
    const config = values.config
      ? readConfig(values.config)
      : {
          service: { name: 'edgetrace', environment: 'dev' },
          exporter: { mode: 'otlp-http', endpoint, timeoutMs: 500 },
          propagation: { trustIncoming: true },
        };
    checkConfig(pkg, config);
    const edge = createEdgeFunctions(pkg, config, triggers, (trigger, line) => {
      if (!values.quiet) console.log(`  [${trigger}] ${line.length > 300 ? `${line.slice(0, 300)}...` : line}`);
    });
    const emulator = await startCloudFrontEmulator({
      port: port(values.port, 'port'),
      originUrl,
      functions: edge.functions,
      log: (line) => console.log(line),
      onRequest: (r) => {
        if (!values.quiet) console.log(`${r.method} ${r.uri} -> ${r.status} ${r.xCache} ${r.ms.toFixed(1)} ms  (${r.requestId})`);
      },
    });
    closers.push(() => emulator.close());

    console.log(`edgetrace dev (package ${path.relative(process.cwd(), path.resolve(values.package)) || '.'})`);
    console.log(`  CloudFront emulator  ${emulator.url}   distribution ${emulator.distribution.distributionDomainName}, triggers ${triggers.join(', ')}`);
    console.log(`  origin               ${originUrl}${values.origin ? '' : '   sample origin (OpenTelemetry JS SDK)'}`);
    if (traceServer) console.log(`  trace view           ${traceServer.uiUrl}   (OTLP/HTTP ${endpoint}/v1/traces, data in ${path.relative(process.cwd(), path.resolve(values['data-dir']))})`);
    else console.log(`  collector            ${endpoint}/v1/traces`);
    console.log(`  send traffic:        node shim-js/tools/edgetrace.mjs traffic --url ${emulator.url} --count 50`);
    console.log('  Ctrl-C stops everything.');

    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const s = edge.stats();
    const c = emulator.counters();
    console.log(`\nstopping: ${c.requests} requests (${c.hits} hits, ${c.misses} misses); spans sampled=${s.sampled} exported=${s.exported} dropped=${s.dropped}`);
    return 0;
  } finally {
    await close();
  }
}

async function traffic(args) {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      count: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const { sendTraffic, summarizeTraffic } = await import('./dev/traffic.mjs');
  const count = Number(values.count);
  const started = performance.now();
  const results = await sendTraffic({ url: values.url, count, concurrency: Math.max(1, Number(values.concurrency) || 1) });
  const failed = results.filter((r) => 'error' in r);
  console.log(`${results.length} requests to ${values.url} in ${((performance.now() - started) / 1000).toFixed(1)} s:`);
  console.log(summarizeTraffic(results));
  if (failed.length) console.log(`${failed.length} request(s) failed: is \`edgetrace dev\` running at ${values.url}?`);
  return failed.length ? 1 : 0;
}

async function replay(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      package: { type: 'string', default: DEFAULT_PACKAGE_DIR },
      config: { type: 'string' },
      collector: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) {
    console.error(USAGE.replay);
    return 2;
  }
  const pkg = await loadPackage(values.package);
  const { replayEvents, formatRecord } = await import('./dev/replay.mjs');
  const config = values.config ? readConfig(values.config) : { service: { name: 'edgetrace', environment: 'replay' }, propagation: { trustIncoming: true } };
  config.exporter = values.collector
    ? { ...config.exporter, mode: 'otlp-http', endpoint: values.collector.replace(/\/+$/, ''), timeoutMs: config.exporter?.timeoutMs ?? 1000 }
    : values.config && config.exporter
      ? config.exporter
      : { mode: 'log' };
  checkConfig(pkg, config);
  const { records, stats } = await replayEvents(pkg, { files: positionals, config });
  for (const record of records) console.log(values.json ? JSON.stringify(record) : `${formatRecord(record)}\n`);
  const summary = `spans: sampled=${stats.sampled} exported=${stats.exported} dropped=${stats.dropped}${stats.dropped ? ` ${JSON.stringify(stats.droppedByReason)}` : ''}${values.collector ? ` (to ${values.collector})` : ''}`;
  if (values.json) console.log(JSON.stringify({ stats }));
  else console.log(summary);
  return records.some((r) => !r.ok || r.cloudfront.includes('would answer')) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`edgetrace: ${err.message}`);
    process.exitCode = 1;
  },
);
