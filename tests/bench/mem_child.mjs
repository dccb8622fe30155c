// One fresh process (run with --expose-gc): RSS and heap growth from loading an
// implementation and running 10,000 origin-request + origin-response pairs.
//   node --expose-gc mem_child.mjs <edgetrace|minimal-js|otel-sdk>
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { PEERS, load } = require('./impls.cjs');
const { responseFixture } = require('./fixtures.cjs');
const name = process.argv[2];
const reqSrc = readFileSync(path.join(PEERS, 'fixtures', 'origin-request.json'), 'utf8');

function snap() {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}
const diff = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));

const m0 = snap();
const impl = await load(name);
const respSrc = responseFixture(name, 'origin-response', impl.originRequest);
const m1 = snap();
let sink = 0;
for (let i = 0; i < 10000; i++) {
  sink += impl.originRequest(JSON.parse(reqSrc)).headers.traceparent[0].value.length;
  sink += impl.originResponse(JSON.parse(respSrc)).length;
}
const m2 = snap();
process.stdout.write(JSON.stringify({ afterLoad: diff(m0, m1), after10k: diff(m0, m2), sink }) + '\n');
