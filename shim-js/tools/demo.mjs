#!/usr/bin/env node
// make demo: edgetrace's main job on a laptop, no AWS account needed.
// Replays CloudFront origin-request -> origin-response event pairs through the REAL built
// package (dist/lambda) with exporter.mode "otlp-http" pointed at an embedded OTLP/HTTP
// receiver on loopback, which decodes each body against the official opentelemetry-proto
// schema. Prints what the origin would see and the trace the receiver decoded.
//   node shim-js/tools/demo.mjs [--package dist/lambda] [request.json response.json ...]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startReceiver } from './otlp_receiver.mjs';
import { printTrace } from './trace_printer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EVENTS = path.join(ROOT, 'tests/fixtures/events');
const DEFAULT_PAIRS = ['incoming-traceparent', 'custom-origin-query', 'origin-5xx'].flatMap((n) => [
  path.join(EVENTS, `${n}.origin-request.json`),
  path.join(EVENTS, `${n}.origin-response.json`),
]);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { package: { type: 'string', default: path.join(ROOT, 'dist/lambda') } },
});
const files = positionals.length ? positionals : DEFAULT_PAIRS;
if (files.length % 2 !== 0) throw new Error('give events in origin-request/origin-response pairs');

const receiver = await startReceiver();
const { createHandler } = await import(pathToFileURL(path.join(path.resolve(values.package), 'index.mjs')).href);
const logLines = [];
const handler = createHandler(
  {
    service: { name: 'edgetrace-demo', environment: 'laptop' },
    exporter: { mode: 'otlp-http', endpoint: receiver.url, timeoutMs: 1000 },
    propagation: { trustIncoming: true },
  },
  { log: (line) => logLines.push(line) },
);

console.log(`edgetrace demo: package ${path.relative(process.cwd(), values.package) || '.'}, OTLP receiver ${receiver.url}/v1/traces\n`);
for (let i = 0; i < files.length; i += 2) {
  const request = JSON.parse(readFileSync(files[i], 'utf8'));
  const response = JSON.parse(readFileSync(files[i + 1], 'utf8'));
  const incoming = request.Records[0].cf.request.headers.traceparent?.[0]?.value;
  const context = { awsRequestId: `demo-${i / 2 + 1}`, functionName: 'edgetrace' };

  const forwarded = await handler(request, context);
  // CloudFront hands origin-response the request as it was sent to the origin.
  response.Records[0].cf.request = forwarded;
  await handler(response, { ...context, awsRequestId: `demo-${i / 2 + 1}-response` });

  const cf = response.Records[0].cf;
  console.log(`${cf.request.method} ${cf.request.uri} -> origin answered ${cf.response.status}`);
  console.log(`  incoming traceparent:   ${incoming ?? '(none: new trace)'}`);
  console.log(`  origin sees traceparent: ${forwarded.headers.traceparent[0].value}`);
  if (forwarded.headers.tracestate) console.log(`  origin sees tracestate:  ${forwarded.headers.tracestate[0].value}`);
}

const spans = receiver.spans();
console.log(`\nreceiver decoded ${receiver.requests.length} OTLP request(s), ${spans.length} span(s):\n`);
printTrace(spans, console.log);
const stats = handler.stats();
console.log(`\nhandler stats: sampled=${stats.sampled} exported=${stats.exported} dropped=${stats.dropped}`);
for (const line of logLines) console.log(`log: ${line}`);
await receiver.close();
if (spans.length === 0 || stats.exported !== stats.sampled) process.exitCode = 1;
