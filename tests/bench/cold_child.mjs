// One fresh process: import an implementation and make its first origin-request and
// origin-response calls. Prints one JSON line with the in-process milestones (ms).
//   node cold_child.mjs <edgetrace|minimal-js|otel-sdk|none>
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { PACKAGE, PEERS, peerPath } = require('./impls.cjs');
const name = process.argv[2];
const fixture = (n) => JSON.parse(readFileSync(path.join(PEERS, 'fixtures', n + '.json'), 'utf8'));
const reqEvent = fixture('origin-request');
const respEvent = fixture('origin-response');

// Lambda's runtime has its stdout stream set up before any handler loads; so does this probe.
void process.stdout;
const t0 = performance.now();
let t1 = t0;
let t2 = t0;
let t3 = t0;
let ok = true;
if (name === 'edgetrace') {
  // The deployed entry point as Lambda runs it: importing index.mjs builds the handler from
  // the baked config (compile, instantiate, configure, warm-up) during init; then the first
  // invocation of each trigger. The baked config exports in "log" mode, to stdout.
  const mod = await import(pathToFileURL(path.join(PACKAGE, 'index.mjs')).href);
  t1 = performance.now();
  const context = { awsRequestId: 'cold-start' };
  const req = await mod.handler(reqEvent, context);
  t2 = performance.now();
  respEvent.Records[0].cf.request.headers = req.headers;
  await mod.handler(respEvent, context);
  t3 = performance.now();
  ok = !!(req.headers.traceparent && mod.handler.stats().exported === 1);
} else if (name !== 'none') {
  const mod = require(peerPath(name, true));
  t1 = performance.now();
  const req = mod.originRequest(reqEvent);
  t2 = performance.now();
  const body = mod.originResponse(respEvent);
  t3 = performance.now();
  ok = !!(req.headers.traceparent && body && body.length > 0);
}
process.stdout.write(JSON.stringify({ import: t1 - t0, firstRequest: t2 - t1, firstResponse: t3 - t2, total: t3 - t0, ok }) + '\n');
