// Fail-open contract against a misbehaving collector: whatever the collector does (refuses the
// connection, hangs, answers 500/400/429/503, resets mid-response, answers too late), the
// origin-response handler resolves within exporter.timeoutMs + 100 ms with cf.response itself,
// unchanged; the span is dropped, counted in stats().dropped / droppedByReason, and reported
// in exactly one `edgetrace:` log line. OTLP/HTTP retry rules are checked too: 400 and 500 are
// not retried, Retry-After is honoured.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import { cfOf, clone, fakeContext, originRequestEvent, originResponseEvent } from './support/events.mjs';
import { makeHandler, otlpConfig, requirePackage, timed, withDeadline } from './support/package.mjs';
import { assertOriginRequestPassThrough } from './support/assertions.mjs';

const TIMEOUT_MS = 200;
const MARGIN_MS = 100;

function sum(obj) {
  return Object.values(obj ?? {}).reduce((a, b) => a + b, 0);
}

/** Runs one request pair; returns timing, log lines and what the collector saw. */
async function pairAgainst(h, rx, { timeoutMs = TIMEOUT_MS, status = '200' } = {}) {
  const requestEvent = originRequestEvent();
  const before = clone(cfOf(requestEvent).request);
  const forwarded = await withDeadline(h.handler(requestEvent, fakeContext()), 2000);
  const injected = assertOriginRequestPassThrough(before, forwarded);
  assert.equal(injected.flags & 1, 1, 'sampled');

  const responseEvent = originResponseEvent(requestEvent, forwarded, { status });
  const response = cfOf(responseEvent).response;
  const responseBefore = clone(response);
  const requestsBefore = rx.requests.length;
  const mark = h.mark();
  // The deadline here only stops a hanging handler from hanging the suite; the contract
  // (timeoutMs + margin) is asserted on the measured time below.
  const outcome = await timed(() => withDeadline(h.handler(responseEvent, fakeContext()), timeoutMs + 5000));
  assert.ok(outcome.ok, `origin-response rejected/hung: ${outcome.error?.stack ?? outcome.error}`);
  assert.equal(outcome.value, response, 'must resolve with cf.response itself');
  assert.deepStrictEqual(outcome.value, responseBefore, 'response must be unchanged');
  assert.ok(
    outcome.ms <= timeoutMs + MARGIN_MS,
    `resolved after ${outcome.ms.toFixed(1)} ms, budget exporter.timeoutMs ${timeoutMs} + ${MARGIN_MS} ms`,
  );
  return {
    injected,
    ms: outcome.ms,
    lines: h.linesSince(mark),
    edgeLines: h.edgeLinesSince(mark),
    collectorRequests: rx.requests.slice(requestsBefore),
  };
}

const FAULTS = [
  // [behavior, expected collector requests (exact number, or [min, max])]
  ['refused', 0],
  ['hang', 1],
  ['reset', 1],
  ['status:500', 1], // OTLP/HTTP: 500 is not retryable
  ['status:400', 1], // 400: do not retry
  ['status:429', 1], // retryable, but Retry-After: 2 s exceeds the budget
  ['status:503', [1, 5]], // retryable; any retries must fit in the budget
  [`slow:${TIMEOUT_MS + 400}`, 1], // answers 200 after the budget: too late
];

describe('collector faults: fail open, drop, count, log once', () => {
  before(async () => {
    await requirePackage();
  });

  for (const [behavior, expectedRequests] of FAULTS) {
    test(`collector ${behavior}`, async () => {
      const rx = await startReceiver({ behavior });
      try {
        const h = await makeHandler(otlpConfig(rx.url, { exporter: { timeoutMs: TIMEOUT_MS } }));
        const r = await pairAgainst(h, rx);

        assert.equal(r.edgeLines.length, 1, `exactly one 'edgetrace:' line for the dropped span, got:\n${r.lines.join('\n')}`);
        const s = h.handler.stats();
        assert.equal(s.sampled, 1, `stats ${JSON.stringify(s)}`);
        assert.equal(s.exported, 0, `stats ${JSON.stringify(s)}`);
        assert.equal(s.dropped, 1, `stats ${JSON.stringify(s)}`);
        assert.equal(sum(s.droppedByReason), s.dropped, `droppedByReason must add up: ${JSON.stringify(s)}`);
        assert.equal(s.exported + s.dropped, s.sampled);

        const n = r.collectorRequests.length;
        if (Array.isArray(expectedRequests)) {
          assert.ok(n >= expectedRequests[0] && n <= expectedRequests[1], `${n} POSTs, expected ${expectedRequests.join('..')}`);
        } else assert.equal(n, expectedRequests, `${n} POSTs to the collector, expected ${expectedRequests}`);
        // Whatever reached the collector must still have been a valid OTLP body.
        assert.deepEqual(rx.errors(), []);
      } finally {
        await rx.close();
      }
    });
  }

  test('budget scales with exporter.timeoutMs (hanging collector, 50 ms and 1000 ms)', async () => {
    for (const timeoutMs of [50, 1000]) {
      const rx = await startReceiver({ behavior: 'hang' });
      try {
        const h = await makeHandler(otlpConfig(rx.url, { exporter: { timeoutMs } }));
        const r = await pairAgainst(h, rx, { timeoutMs });
        assert.ok(r.ms >= timeoutMs * 0.8, `gave up after ${r.ms.toFixed(1)} ms, before the ${timeoutMs} ms budget`);
        assert.equal(h.handler.stats().dropped, 1);
      } finally {
        await rx.close();
      }
    }
  });

  test('a collector that recovers: the next span is exported (no poisoned keep-alive socket)', async () => {
    for (const fault of ['hang', 'reset', 'status:500']) {
      const rx = await startReceiver({ behavior: fault });
      try {
        const h = await makeHandler(otlpConfig(rx.url));
        await pairAgainst(h, rx);
        rx.setBehavior('ok');
        if (fault !== 'status:500') {
          // A timeout or a broken connection backs off for 1 s: nothing is sent meanwhile.
          const during = await pairAgainst(h, rx);
          assert.equal(during.collectorRequests.length, 0, `after ${fault}: no POST during the back-off`);
          assert.equal(during.edgeLines.length, 1, `after ${fault}: the first drop in the back-off is reported`);
          await new Promise((resolve) => setTimeout(resolve, 1100));
        }
        const r = await pairAgainst(h, rx);
        assert.equal(r.edgeLines.length, 0, `a successful export logs no error line after ${fault}: ${r.lines.join('\n')}`);
        const s = h.handler.stats();
        const expected = fault === 'status:500' ? [2, 1, 1] : [3, 1, 2];
        assert.deepEqual([s.sampled, s.exported, s.dropped], expected, `after ${fault}: ${JSON.stringify(s)}`);
        const spans = rx.spans();
        assert.equal(spans.at(-1).span.spanId, r.injected.spanId, `after ${fault}: the recovered export carries the new span`);
      } finally {
        await rx.close();
      }
    }
  });

  test('a down collector: one connection attempt, then a back-off window reported by one line and one summary', async () => {
    const rx = await startReceiver({ behavior: 'refused' });
    try {
      const h = await makeHandler(otlpConfig(rx.url));
      const first = await pairAgainst(h, rx);
      assert.equal(first.edgeLines.length, 1, 'the refused connection is reported');
      const burst = [];
      for (let i = 0; i < 4; i++) burst.push(await pairAgainst(h, rx));
      assert.ok(burst.every((b) => b.ms < 50), 'no request waits on a collector known to be down');
      assert.equal(burst.flatMap((b) => b.edgeLines).length, 1, 'one line for the whole window, not one per span');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await pairAgainst(h, rx); // the window is over: try again (still down)
      assert.ok(after.edgeLines.some((l) => /dropped 4 spans without sending while backing off/.test(l)), after.edgeLines.join('\n'));
      const s = h.handler.stats();
      assert.deepEqual([s.sampled, s.exported, s.dropped], [6, 0, 6], JSON.stringify(s));
      assert.equal(s.droppedByReason.collector_backoff, 4);
    } finally {
      await rx.close();
    }
  });

  test('429 Retry-After is honoured: no POST during the back-off, spans dropped and counted', async () => {
    const rx = await startReceiver({ behavior: 'status:429' });
    try {
      const h = await makeHandler(otlpConfig(rx.url));
      await pairAgainst(h, rx);
      rx.setBehavior('ok');
      const during = await pairAgainst(h, rx); // within Retry-After: 2 s
      assert.equal(during.collectorRequests.length, 0, 'must not POST while the collector asked to back off');
      assert.equal(during.edgeLines.length, 1, 'the dropped span is reported');
      let s = h.handler.stats();
      assert.deepEqual([s.sampled, s.exported, s.dropped], [2, 0, 2], JSON.stringify(s));
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const afterBackoff = await pairAgainst(h, rx);
      assert.equal(afterBackoff.collectorRequests.length, 1, 'exports resume after Retry-After');
      s = h.handler.stats();
      assert.deepEqual([s.sampled, s.exported, s.dropped], [3, 1, 2], JSON.stringify(s));
      assert.equal(sum(s.droppedByReason), 2);
    } finally {
      await rx.close();
    }
  });

  test('200 with partialSuccess: not retried, accounted once', async () => {
    const rx = await startReceiver({ behavior: 'partial' });
    try {
      const h = await makeHandler(otlpConfig(rx.url));
      const r = await pairAgainst(h, rx);
      assert.equal(r.collectorRequests.length, 1, 'partial success must not be retried');
      const s = h.handler.stats();
      assert.equal(s.exported + s.dropped, 1, JSON.stringify(s));
      assert.equal(sum(s.droppedByReason), s.dropped);
      assert.ok(r.edgeLines.length <= 1);
    } finally {
      await rx.close();
    }
  });

  test('a slow but in-budget collector (50 ms) is waited for and the span exported', async () => {
    const rx = await startReceiver({ behavior: 'slow:50' });
    try {
      const h = await makeHandler(otlpConfig(rx.url, { exporter: { timeoutMs: 400 } }));
      const r = await pairAgainst(h, rx, { timeoutMs: 400 });
      assert.ok(r.ms >= 45, `resolved after ${r.ms.toFixed(1)} ms: the export was not awaited (Lambda freezes the sandbox on return)`);
      const s = h.handler.stats();
      assert.deepEqual([s.sampled, s.exported, s.dropped], [1, 1, 0], JSON.stringify(s));
      assert.equal(rx.spans().length, 1);
    } finally {
      await rx.close();
    }
  });
});
