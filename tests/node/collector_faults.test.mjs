// Fail-open contract against a misbehaving collector: whatever the collector does (refuses the
// connection, hangs, answers 500/400/429/503, resets mid-response, answers too late), the
// origin-response handler resolves within exporter.timeoutMs + 100 ms with cf.response itself,
// unchanged; the span is dropped, counted in stats().dropped / droppedByReason, and reported
// in exactly one `edgetrace:` log line. OTLP/HTTP retry rules are checked too: 400 and 500 are
// not retried, Retry-After is honoured.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Worker } from 'node:worker_threads';
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

// ---------------------------------------------------------------------------------------------
// Faults of the exporter's own making: a request Node refuses to build, pooled keep-alive
// connections that died while the sandbox was frozen, an answer longer than the read limit.

/**
 * origin-request then origin-response of one request through `h`; `beforeResponse` runs right
 * before the origin-response invocation (with no event-loop turn in between, as after a thaw).
 * Asserts the fail-open contract and returns the time the origin-response handler took.
 */
async function exportThrough(h, { timeoutMs = TIMEOUT_MS, beforeResponse = () => {} } = {}) {
  const requestEvent = originRequestEvent();
  const forwarded = await withDeadline(h.handler(requestEvent, fakeContext()), 2000);
  const responseEvent = originResponseEvent(requestEvent, forwarded);
  const response = cfOf(responseEvent).response;
  const responseBefore = clone(response);
  beforeResponse();
  const outcome = await timed(() => withDeadline(h.handler(responseEvent, fakeContext()), timeoutMs + 5000));
  assert.ok(outcome.ok, `origin-response rejected/hung: ${outcome.error?.stack ?? outcome.error}`);
  assert.equal(outcome.value, response, 'must resolve with cf.response itself');
  assert.deepStrictEqual(outcome.value, responseBefore, 'response must be unchanged');
  assert.ok(outcome.ms <= timeoutMs + MARGIN_MS, `resolved after ${outcome.ms.toFixed(1)} ms, budget ${timeoutMs} + ${MARGIN_MS} ms`);
  return outcome.ms;
}

/** Lambda freezes the sandbox between invocations: this process runs nothing, not even timers. */
function freeze(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A collector behind something with an idle timeout that, like Go servers and load balancers,
// sends no Keep-Alive hint: it closes a connection idle for 100 ms. It runs in a worker thread,
// so that it keeps running (and closing) while the test's thread is "frozen".
const IDLE_CLOSING_COLLECTOR = `
const net = require('node:net');
const { parentPort } = require('node:worker_threads');
let connections = 0, requests = 0;
const server = net.createServer((socket) => {
  connections++;
  let buf = '', idle;
  const arm = () => { clearTimeout(idle); idle = setTimeout(() => socket.destroy(), 100); };
  arm();
  socket.on('error', () => {});
  socket.on('data', (d) => {
    buf += d.toString('latin1');
    for (;;) {
      const end = buf.indexOf('\\r\\n\\r\\n');
      if (end < 0) return;
      const len = Number(/content-length: *(\\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.slice(end + 4 + len);
      requests++;
      socket.write('HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\n\\r\\n{}');
      arm();
    }
  });
});
parentPort.on('message', (m) => {
  if (m === 'stop-listening') server.close();
  if (m === 'counts') parentPort.postMessage({ connections, requests });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

async function startIdleClosingCollector() {
  const worker = new Worker(IDLE_CLOSING_COLLECTOR, { eval: true });
  const next = () => new Promise((resolve) => worker.once('message', resolve));
  const { port } = await next();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Stops accepting connections; open ones still close after 100 ms idle. */
    stopListening: () => worker.postMessage('stop-listening'),
    /** @returns {Promise<{connections: number, requests: number}>} */
    counts: () => {
      const answer = next();
      worker.postMessage('counts');
      return answer;
    },
    close: () => worker.terminate(),
  };
}

/** An in-process collector answering `answer(req, res)`, counting connections and requests. */
async function startCollector(answer) {
  const seen = { connections: 0, requests: 0 };
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.requests++;
      answer(req, res);
    });
  });
  server.on('connection', () => seen.connections++);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function assertAccounted(s, [sampled, exported, dropped]) {
  assert.deepEqual([s.sampled, s.exported, s.dropped], [sampled, exported, dropped], JSON.stringify(s));
  assert.equal(sum(s.droppedByReason), s.dropped, `droppedByReason must add up: ${JSON.stringify(s)}`);
}

describe('exporter faults: never reject, retry a dead pooled connection once, 2xx means delivered', () => {
  before(async () => {
    await requirePackage();
  });

  test('an exporter header Node refuses to send (U+20AC): dropped as exporter_error, no rejection, no late timeout', async () => {
    const rx = await startReceiver();
    try {
      const config = otlpConfig(rx.url, { exporter: { timeoutMs: TIMEOUT_MS, headers: { authorization: 'Bearer €uro' } } });
      const mod = await requirePackage();
      const h = await makeHandler(config);
      await exportThrough(h);
      if (!mod.validateConfig(config).ok) {
        // The module refuses such a value at init: tracing is disabled, nothing to export.
        assertAccounted(h.handler.stats(), [0, 0, 0]);
        return;
      }
      // The timer of a failed export must not fire later with a second, false verdict.
      await sleep(TIMEOUT_MS + 100);
      const s = h.handler.stats();
      assertAccounted(s, [1, 0, 1]);
      assert.deepEqual(s.droppedByReason, { exporter_error: 1 });
      const edgeLines = h.edgeLinesSince(0);
      assert.equal(edgeLines.length, 1, edgeLines.join('\n'));
      assert.match(edgeLines[0], /reason=exporter_error/);
      assert.ok(!edgeLines[0].includes('€uro'), `the header value must not be logged: ${edgeLines[0]}`);
      assert.equal(rx.requests.length, 0);
      // A configuration fault is not the collector's: no back-off, the next span is tried (and dropped) too.
      await exportThrough(h);
      assertAccounted(h.handler.stats(), [2, 0, 2]);
    } finally {
      await rx.close();
    }
  });

  test('a request that throws while being built: one exporter_error drop, credentials redacted, and it recovers', async () => {
    const rx = await startReceiver();
    const realRequest = http.request;
    try {
      const h = await makeHandler(otlpConfig(rx.url, { exporter: { headers: { authorization: 'Bearer s3cr3t-token' } } }));
      // The package loads node:http at its first export and keeps the function it found:
      // this one throws on its first call only.
      let calls = 0;
      http.request = (url, options, ...rest) => {
        if (calls++ > 0) return realRequest(url, options, ...rest);
        throw Object.assign(new TypeError(`injected: refused header value "${options.headers.authorization}"`), { code: 'ERR_INJECTED' });
      };
      await exportThrough(h);
      await sleep(TIMEOUT_MS + 100);
      const s = h.handler.stats();
      assertAccounted(s, [1, 0, 1]);
      assert.deepEqual(s.droppedByReason, { exporter_error: 1 });
      const edgeLines = h.edgeLinesSince(0);
      assert.equal(edgeLines.length, 1, edgeLines.join('\n'));
      assert.match(edgeLines[0], /reason=exporter_error/);
      assert.match(edgeLines[0], /ERR_INJECTED/);
      assert.ok(!edgeLines[0].includes('s3cr3t-token'), `credentials must not be logged: ${edgeLines[0]}`);
      await exportThrough(h);
      assertAccounted(h.handler.stats(), [2, 1, 1]);
      assert.equal(rx.spans().length, 1);
      assert.equal(calls, 2);
    } finally {
      http.request = realRequest;
      await rx.close();
    }
  });

  test('pooled connections closed by the collector while the sandbox was frozen: retried on a fresh one, every span exported', async () => {
    const collector = await startIdleClosingCollector();
    try {
      const h = await makeHandler(otlpConfig(collector.url));
      await exportThrough(h);
      for (let i = 0; i < 3; i++) {
        // Frozen for longer than the collector's idle timeout: the FIN arrives unseen.
        await exportThrough(h, { beforeResponse: () => freeze(300) });
        await exportThrough(h);
      }
      assertAccounted(h.handler.stats(), [7, 7, 0]);
      assert.deepEqual(h.edgeLinesSince(0), [], 'a dead pooled connection is no drop, and starts no back-off');
      assert.deepEqual(await collector.counts(), { connections: 4, requests: 7 }, 'one new connection after each freeze');
    } finally {
      await collector.close();
    }
  });

  test('a dead pooled connection and a collector that is down now: one span, one drop, one line', async () => {
    const collector = await startIdleClosingCollector();
    try {
      const h = await makeHandler(otlpConfig(collector.url));
      await exportThrough(h);
      collector.stopListening();
      await exportThrough(h, { beforeResponse: () => freeze(300) });
      const s = h.handler.stats();
      assertAccounted(s, [2, 1, 1]);
      assert.deepEqual(s.droppedByReason, { collector_unreachable: 1 });
      const edgeLines = h.edgeLinesSince(0);
      assert.equal(edgeLines.length, 1, edgeLines.join('\n'));
      assert.match(edgeLines[0], /failed: ECONNREFUSED \(on a new connection: the pooled one had been closed while idle\)/);
      // The fresh connection's failure is the collector's: the usual back-off applies.
      await exportThrough(h);
      assertAccounted(h.handler.stats(), [3, 1, 2]);
      assert.equal(h.handler.stats().droppedByReason.collector_backoff, 1);
    } finally {
      await collector.close();
    }
  });

  test('a pooled connection idle for more than a few seconds is not reused', async () => {
    const collector = await startCollector((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    try {
      const h = await makeHandler(otlpConfig(collector.url));
      await exportThrough(h);
      await sleep(50);
      await exportThrough(h);
      assert.equal(collector.seen.connections, 1, 'a warm invocation reuses the keep-alive connection');
      // Frozen sandboxes run no timers: only the wall clock tells how long the socket sat idle.
      await sleep(4500);
      await exportThrough(h);
      assert.equal(collector.seen.connections, 2, 'after 4.5 s idle, a new connection');
      assertAccounted(h.handler.stats(), [3, 3, 0]);
    } finally {
      await collector.close();
    }
  });

  test('an answer longer than the 64 KiB read limit: a 2xx counts as exported, other statuses by their status', async () => {
    let answer = 'big:200';
    const collector = await startCollector((req, res) => {
      const [kind, status] = answer.split(':');
      res.writeHead(Number(status), { 'content-type': 'application/json' });
      if (kind === 'big') res.end(Buffer.alloc(700_000, 0x20));
      else res.write(Buffer.alloc(70_000, 0x20)); // never ends
    });
    try {
      const h = await makeHandler(otlpConfig(collector.url));
      await exportThrough(h);
      assertAccounted(h.handler.stats(), [1, 1, 0]);
      answer = 'endless:200';
      const ms = await exportThrough(h);
      assert.ok(ms < TIMEOUT_MS, `a 2xx is enough: stop reading, do not wait for the end (${ms.toFixed(1)} ms)`);
      assertAccounted(h.handler.stats(), [2, 2, 0]);
      answer = 'big:500';
      await exportThrough(h);
      const s = h.handler.stats();
      assertAccounted(s, [3, 2, 1]);
      assert.deepEqual(s.droppedByReason, { collector_http_500: 1 });
      answer = 'big:200';
      await exportThrough(h); // no back-off was started by any of them
      assertAccounted(h.handler.stats(), [4, 3, 1]);
      assert.equal(collector.seen.requests, 4);
      assert.equal(h.edgeLinesSince(0).length, 1, h.edgeLinesSince(0).join('\n'));
    } finally {
      await collector.close();
    }
  });
});
