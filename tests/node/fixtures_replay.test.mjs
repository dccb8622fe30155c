// Replays EVERY sample event (public ones in ../shared/fixtures-public and our own in
// tests/fixtures/events) through the real package for its trigger type:
//   * origin-request: the request comes back unchanged apart from the trace headers;
//   * origin-response: cf.response comes back as the same object, unchanged;
//   * viewer-request / viewer-response / unknown or missing event types: untouched;
//   * every origin-request fixture, followed by its origin-response (its paired fixture when
//     there is one, a built one otherwise), exports exactly one span that decodes against the
//     official OTLP schema and carries the injected ids.
// Unrealistic public samples (SAM templates without eventType, the lowercase "records" event)
// are also replayed "as origin-*" to check tolerance of missing fields.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import {
  PUBLIC_FIXTURES_DIR,
  cfOf,
  clone,
  eventTypeOf,
  fakeContext,
  loadEvent,
  loadFixtures,
  originResponseEvent,
  pairResponse,
  publicFixturesAvailable,
} from './support/events.mjs';
import { makeHandler, otlpConfig, requirePackage, withDeadline } from './support/package.mjs';
import { assertOriginRequestPassThrough, assertUntouched, spanTraceFlags } from './support/assertions.mjs';

const fixtures = loadFixtures();
const DEADLINE_MS = 2000;

test('public sample events are present beside the repository', () => {
  assert.ok(
    publicFixturesAvailable(),
    `no public fixtures under ${PUBLIC_FIXTURES_DIR} (set EDGETRACE_PUBLIC_FIXTURES_DIR)`,
  );
  assert.ok(fixtures.filter((f) => f.source === 'own').length >= 10, 'own fixtures missing');
});

test('the real package exports handler and createHandler', async () => {
  const mod = await requirePackage();
  assert.equal(typeof mod.handler, 'function', 'handler export');
  assert.equal(typeof mod.createHandler, 'function', 'createHandler export');
});

/** Response fixture paired with a request fixture: same scenario prefix, or the same requestId. */
function findPair(requestFixture) {
  if (requestFixture.source === 'own') {
    const name = requestFixture.name.replace(/\.origin-request\.json$/, '.origin-response.json');
    return fixtures.find((f) => f.source === 'own' && f.name === name);
  }
  const rid = cfOf(requestFixture.event)?.config?.requestId;
  return fixtures.find(
    (f) =>
      f.source === 'public' &&
      eventTypeOf(f.event) === 'origin-response' &&
      rid &&
      cfOf(f.event)?.config?.requestId === rid,
  );
}

describe('replay every fixture through the package', () => {
  let rx;
  let h;
  let expectedExports = 0;

  before(async () => {
    rx = await startReceiver();
    h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: true }, exporter: { timeoutMs: 1000 } }));
  });
  after(async () => {
    await rx?.close();
  });

  async function runOriginPair(requestEvent, responseFixture, label) {
    const before = clone(cfOf(requestEvent).request);
    const reqCtx = fakeContext();
    const forwarded = await withDeadline(h.handler(requestEvent, reqCtx), DEADLINE_MS);
    const injected = assertOriginRequestPassThrough(before, forwarded, `${label} origin-request`);
    assert.equal(injected.flags & 1, 1, `${label}: sampling.ratio=1 must sample (flags ${injected.flags})`);

    const responseEvent = responseFixture
      ? pairResponse(responseFixture.event, forwarded, requestEvent)
      : originResponseEvent(requestEvent, forwarded);
    const response = cfOf(responseEvent).response;
    const responseBefore = clone(response);
    const spansBefore = rx.spans().length;
    const result = await withDeadline(h.handler(responseEvent, fakeContext()), DEADLINE_MS);
    assert.equal(result, response, `${label}: origin-response must return cf.response itself`);
    assert.deepStrictEqual(result, responseBefore, `${label}: origin-response changed the response`);

    expectedExports += 1;
    assert.deepEqual(rx.errors(), [], `${label}: exported body does not decode`);
    const spans = rx.spans().slice(spansBefore);
    assert.equal(spans.length, 1, `${label}: expected exactly one exported span, got ${spans.length}`);
    const { span } = spans[0];
    assert.equal(span.traceId, injected.traceId, `${label}: span traceId vs injected traceparent`);
    assert.equal(span.spanId, injected.spanId, `${label}: span spanId vs injected traceparent`);
    assert.equal(spanTraceFlags(span), injected.flags, `${label}: span flags low byte vs traceparent flags`);
    assert.equal(span.kind, 2, `${label}: SERVER kind`);
    assert.equal(span.name, cfOf(requestEvent).request.method, `${label}: span name is the HTTP method`);
    const status = Number(response.status);
    if (status >= 500) assert.equal(span.status?.code, 2, `${label}: 5xx -> ERROR`);
    else assert.notEqual(span.status?.code, 2, `${label}: ${status} must not be ERROR on a server span`);
    return span;
  }

  for (const fixture of fixtures) {
    const type = eventTypeOf(fixture.event);
    const label = `${fixture.source}:${fixture.name}`;

    if (type === 'origin-request') {
      test(`${label} as origin-request, paired with origin-response`, async () => {
        await runOriginPair(clone(fixture.event), findPair(fixture), label);
      });
    } else if (type === 'origin-response') {
      test(`${label} as origin-response without edgetrace context (fallback)`, async () => {
        const event = clone(fixture.event);
        // The all-four fixtures were recorded with the package's own context, whose start time
        // is long stale (a stale context is a counted drop: bad_input.test.mjs). Without it,
        // this is the event of a deployment whose response side does not see the request side.
        delete cfOf(event).request.headers['x-edgetrace-ctx'];
        const response = cfOf(event).response;
        const before = clone(response);
        const spansBefore = rx.spans().length;
        const result = await withDeadline(h.handler(event, fakeContext()), DEADLINE_MS);
        assert.equal(result, response, 'origin-response must return cf.response itself');
        assert.deepStrictEqual(result, before, 'origin-response changed the response');
        assert.deepEqual(rx.errors(), [], 'anything exported must decode');
        expectedExports += rx.spans().length - spansBefore; // a fallback span is allowed
      });
    } else if (type === 'viewer-request' || type === 'viewer-response') {
      test(`${label} as ${type}: untouched`, async () => {
        const event = clone(fixture.event);
        const snapshot = clone(event);
        const requestsBefore = rx.requests.length;
        const result = await withDeadline(h.handler(event, fakeContext()), DEADLINE_MS);
        const cf = cfOf(snapshot);
        assertUntouched(cf[type === 'viewer-request' ? 'request' : 'response'], result, label);
        assert.deepStrictEqual(event, snapshot, `${label}: event mutated`);
        assert.equal(rx.requests.length, requestsBefore, `${label}: viewer triggers export nothing`);
      });
    } else {
      // No/unknown eventType (SAM templates) or no Records at all (lowercase "records").
      test(`${label} (eventType ${JSON.stringify(type)}) as-is: untouched, resolves`, async () => {
        const event = clone(fixture.event);
        const snapshot = clone(event);
        const mark = h.mark();
        const result = await withDeadline(h.handler(event, fakeContext()), DEADLINE_MS);
        const cf = cfOf(snapshot);
        if (cf?.response) assertUntouched(cf.response, result, label);
        else if (cf?.request) assertUntouched(cf.request, result, label);
        assert.deepStrictEqual(event, snapshot, `${label}: event mutated`);
        if (!cf) {
          assert.equal(h.edgeLinesSince(mark).length, 1, `${label}: a malformed event must be reported in one 'edgetrace:' log line`);
        }
      });

      const cf = cfOf(fixture.event);
      if (cf?.request && !cf.response) {
        test(`${label} replayed as origin-request (tolerance of missing fields)`, async () => {
          const event = clone(fixture.event);
          cfOf(event).config.eventType = 'origin-request';
          const before = clone(cfOf(event).request);
          const mark = h.mark();
          const forwarded = await withDeadline(h.handler(event, fakeContext()), DEADLINE_MS);
          if (forwarded?.headers?.traceparent) {
            const injected = assertOriginRequestPassThrough(before, forwarded, label);
            // Complete the pair so that sampled == exported + dropped stays checkable.
            const responseEvent = originResponseEvent(event, forwarded);
            const response = cfOf(responseEvent).response;
            const spansBefore = rx.spans().length;
            const result = await withDeadline(h.handler(responseEvent, fakeContext()), DEADLINE_MS);
            assert.equal(result, response);
            assert.deepEqual(rx.errors(), [], `${label}: exported body does not decode`);
            const spans = rx.spans().slice(spansBefore);
            expectedExports += spans.length;
            if (injected.flags & 1) {
              assert.equal(spans.length, 1, `${label}: sampled request must export one span`);
              assert.equal(spans[0].span.traceId, injected.traceId);
            }
          } else {
            // Declined to trace (e.g. missing requestId): must then be untouched and say why.
            assertUntouched(before, forwarded, label);
            assert.equal(h.edgeLinesSince(mark).length, 1, `${label}: declining must be logged once`);
          }
        });
      } else if (cf?.response) {
        test(`${label} replayed as origin-response (tolerance of missing fields)`, async () => {
          const event = clone(fixture.event);
          cfOf(event).config.eventType = 'origin-response';
          const response = cfOf(event).response;
          const before = clone(response);
          const spansBefore = rx.spans().length;
          const result = await withDeadline(h.handler(event, fakeContext()), DEADLINE_MS);
          assert.equal(result, response, 'origin-response must return cf.response itself');
          assert.deepStrictEqual(result, before);
          assert.deepEqual(rx.errors(), []);
          expectedExports += rx.spans().length - spansBefore;
        });
      }
    }
  }

  test('peer fixture with incoming context continues the trace (trustIncoming=true)', async () => {
    const file = path.resolve(PUBLIC_FIXTURES_DIR, '../peers/otel-js-edge/fixtures/origin-request.json');
    const event = loadEvent(file);
    const incoming = cfOf(event).request.headers.traceparent[0].value; // 00-5d2c…-9e3b…-01
    const span = await runOriginPair(event, null, 'peers/otel-js-edge/origin-request.json');
    assert.equal(span.traceId, incoming.split('-')[1]);
    assert.equal(span.parentSpanId, incoming.split('-')[2]);
  });

  test('stats add up over the whole replay', () => {
    const s = h.handler.stats();
    assert.equal(rx.spans().length, expectedExports, 'receiver span count');
    assert.equal(s.exported, expectedExports, `stats.exported ${JSON.stringify(s)}`);
    assert.equal(s.dropped, 0, `nothing should be dropped with a healthy collector ${JSON.stringify(s)}`);
    assert.equal(s.exported + s.dropped, s.sampled, `exported + dropped = sampled ${JSON.stringify(s)}`);
  });
});
