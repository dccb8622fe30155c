// shim-js/src/host_random.mjs: the module's CSPRNG bytes, and the package's use of them when an
// event has no cf.config.requestId (the only request-path ids that are not derived from it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillRandom } from '../../shim-js/src/host_random.mjs';
import { cfOf, fakeContext, originRequestEvent, parseEmittedTraceparent, headerValue } from './support/events.mjs';
import { requirePackage } from './support/package.mjs';

test('fillRandom writes exactly the requested range, in calls of at most 64 KiB', () => {
  const buffer = new ArrayBuffer(200_000);
  const bytes = new Uint8Array(buffer);
  fillRandom(buffer, 10, 150_000); // more than one getRandomValues call
  assert.equal(bytes[9], 0, 'byte before the range untouched');
  assert.equal(bytes[150_010], 0, 'byte after the range untouched');
  const zeros = bytes.subarray(10, 150_010).filter((b) => b === 0).length;
  // 150,000 random bytes hold about 586 zeros; an unfilled stretch would hold thousands.
  assert.ok(zeros < 1000, `${zeros} zero bytes in the filled range`);
  const last64k = bytes.subarray(150_010 - 65_536, 150_010);
  assert.ok(last64k.some((b) => b !== 0), 'the tail past the first 64 KiB is filled too');
});

test('fillRandom draws fresh bytes on every call', () => {
  const buffer = new ArrayBuffer(64);
  fillRandom(buffer, 0, 32);
  fillRandom(buffer, 32, 32);
  const bytes = new Uint8Array(buffer);
  assert.notDeepEqual(bytes.subarray(0, 32), bytes.subarray(32, 64));
});

test('an event without a requestId gets random ids from the package, different each time', async () => {
  const { createTracer } = await requirePackage();
  const tracer = createTracer({ exporter: { mode: 'none' } }, { log() {} });
  const ids = new Set();
  for (let i = 0; i < 50; i++) {
    const event = originRequestEvent();
    delete cfOf(event).config.requestId;
    const request = tracer.originRequest(event, fakeContext());
    const parsed = parseEmittedTraceparent(headerValue(request.headers, 'traceparent'));
    assert.ok(parsed, 'a valid traceparent');
    ids.add(parsed.traceId).add(parsed.spanId);
  }
  assert.equal(ids.size, 100, 'every trace id and span id is new');
});

test('cold start: importing the package and tracing a request with a requestId loads no crypto', async () => {
  const { PACKAGE_ENTRY } = await import('./support/package.mjs');
  const { spawnSync } = await import('node:child_process');
  const { pathToFileURL } = await import('node:url');
  const script = `
    const { createTracer } = await import(${JSON.stringify(pathToFileURL(PACKAGE_ENTRY).href)});
    const tracer = createTracer({ exporter: { mode: 'none' } }, { log() {} });
    const event = { Records: [{ cf: { config: { eventType: 'origin-request', requestId: 'cold-start-probe' },
      request: { clientIp: '192.0.2.1', method: 'GET', uri: '/', querystring: '', headers: {} } } }] };
    const traced = tracer.originRequest(event, {}).headers.traceparent !== undefined;
    console.log(JSON.stringify({ traced, crypto: process.moduleLoadList.filter((m) => /crypto/.test(m)) }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').pop());
  assert.deepEqual(result, { traced: true, crypto: [] });
});
