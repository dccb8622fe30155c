// Fail-open contract against bad input: garbage or wrong-typed events, malformed / oversized /
// non-UTF-8 headers, CR/LF in header values, client-forged edgetrace context, and garbage
// configuration. In every case the handler resolves (never rejects) within exporter.timeoutMs
// + 100 ms, with the user's request/response unchanged apart from the trace headers (or fully
// untouched when it cannot trace), says why in ONE `edgetrace:` log line when it had to give
// up, and keeps stats consistent. Anything it does export must still decode against the
// official OTLP schema (valid UTF-8, no broken JSON).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import {
  cfOf,
  clone,
  fakeContext,
  headerValues,
  originRequestEvent,
  originResponseEvent,
  parseEmittedTraceparent,
  withoutTraceHeaders,
} from './support/events.mjs';
import { makeHandler, otlpConfig, requirePackage, timed, withDeadline } from './support/package.mjs';
import { assertOriginRequestPassThrough, assertTraceHeaderShape, assertUntouched } from './support/assertions.mjs';

const TIMEOUT_MS = 200;
const BUDGET_MS = TIMEOUT_MS + 100;

/** Did edgetrace inject a fresh traceparent of its own (as opposed to passing through)? */
function tracedByEdgetrace(before, out) {
  const headers = out?.headers;
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return false;
  const emitted = headerValues(headers, 'traceparent');
  if (emitted.length !== 1 || !parseEmittedTraceparent(emitted[0])) return false;
  const incoming = before?.headers && typeof before.headers === 'object' ? headerValues(before.headers, 'traceparent') : [];
  return !incoming.includes(emitted[0]);
}

/** Invokes the handler, asserting it resolves within the budget; returns {value, ms, edgeLines}. */
async function invoke(h, event, context = fakeContext()) {
  const mark = h.mark();
  const outcome = await timed(() => withDeadline(Promise.resolve().then(() => h.handler(event, context)), 5000));
  assert.ok(outcome.ok, `handler rejected/hung: ${outcome.error?.stack ?? outcome.error}`);
  assert.ok(outcome.ms <= BUDGET_MS, `resolved after ${outcome.ms.toFixed(1)} ms (budget ${BUDGET_MS} ms)`);
  return { value: outcome.value, ms: outcome.ms, lines: h.linesSince(mark), edgeLines: h.edgeLinesSince(mark) };
}

describe('bad input: fail open', () => {
  let rx;
  before(async () => {
    await requirePackage();
    rx = await startReceiver();
  });
  after(async () => {
    await rx?.close();
  });

  const newHandler = () => makeHandler(otlpConfig(rx.url, { exporter: { timeoutMs: TIMEOUT_MS } }));

  // -------------------------------------------------------------------------------------------
  // Structurally broken events: nothing to trace; must resolve, change nothing, log one line.
  const garbageEvents = {
    undefined: () => undefined,
    null: () => null,
    number: () => 42,
    string: () => 'origin-request',
    array: () => [],
    'empty object': () => ({}),
    'Records null': () => ({ Records: null }),
    'Records empty': () => ({ Records: [] }),
    'Records [null]': () => ({ Records: [null] }),
    'Records [{}]': () => ({ Records: [{}] }),
    'cf null': () => ({ Records: [{ cf: null }] }),
    'lowercase records (aws-lambda-go sample)': () => ({ records: originRequestEvent().Records }),
    'origin-request without request': () => ({ Records: [{ cf: { config: cfOf(originRequestEvent()).config } }] }),
    'origin-request with request = "str"': () => {
      const ev = originRequestEvent();
      cfOf(ev).request = 'GET / HTTP/1.1';
      return ev;
    },
    'origin-request with request = []': () => {
      const ev = originRequestEvent();
      cfOf(ev).request = [];
      return ev;
    },
  };
  for (const [name, make] of Object.entries(garbageEvents)) {
    test(`garbage event: ${name}`, async () => {
      const h = await newHandler();
      const event = make();
      const snapshot = event === undefined ? undefined : clone(event);
      const r = await invoke(h, event);
      assert.deepStrictEqual(event, snapshot, 'event must not be modified');
      if (event && typeof event === 'object' && cfOf(event)?.request && typeof cfOf(event).request === 'object') {
        assert.deepStrictEqual(r.value, cfOf(snapshot).request, 'the request is returned untouched');
      }
      assert.equal(r.edgeLines.length, 1, `one 'edgetrace:' line explaining the bad event, got: ${JSON.stringify(r.lines)}`);
      const s = h.handler.stats();
      assert.equal(s.sampled, 0, JSON.stringify(s));
    });
  }

  test("unknown or missing eventType ('ORIGIN-REQUEST', 42, no config) is returned untouched", async () => {
    for (const eventType of ['ORIGIN-REQUEST', 42, '', 'origin-request ', undefined, 'no config']) {
      const h = await newHandler();
      const ev = originRequestEvent();
      if (eventType === 'no config') delete cfOf(ev).config;
      else if (eventType === undefined) delete cfOf(ev).config.eventType;
      else cfOf(ev).config.eventType = eventType;
      const before = clone(cfOf(ev).request);
      const r = await invoke(h, ev);
      assertUntouched(before, r.value, `eventType ${JSON.stringify(eventType)}`);
      assert.ok(r.edgeLines.length <= 1);
    }
  });

  // -------------------------------------------------------------------------------------------
  // origin-request with wrong-typed or hostile fields. The request must come back unchanged
  // apart from trace headers; if edgetrace declines to trace, untouched plus one log line.
  const lone = '\ud800';
  const requestCases = {
    'headers null': (r) => { r.headers = null; },
    'headers missing': (r) => { delete r.headers; },
    'headers is a string': (r) => { r.headers = 'host: example.com'; },
    'headers is an array': (r) => { r.headers = [{ key: 'Host', value: 'example.com' }]; },
    'header list is a string': (r) => { r.headers['user-agent'] = 'curl/8'; },
    'header entry null': (r) => { r.headers['user-agent'] = [null]; },
    'header entry without value': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent' }]; },
    'header value is a number': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: 42 }]; },
    'header value is an object': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: { a: 1 } }]; },
    'traceparent list is a string': (r) => { r.headers.traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'; },
    'traceparent value is a number': (r) => { r.headers.traceparent = [{ key: 'traceparent', value: 1 }]; },
    'tracestate entry null': (r) => {
      r.headers.traceparent = [{ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }];
      r.headers.tracestate = [null];
    },
    'method is a number': (r) => { r.method = 42; },
    'method missing': (r) => { delete r.method; },
    'uri null': (r) => { r.uri = null; },
    'uri is a number': (r) => { r.uri = 404; },
    'querystring is an object': (r) => { r.querystring = { a: '1' }; },
    'clientIp is a number': (r) => { r.clientIp = 3232235777; },
    'clientIp missing': (r) => { delete r.clientIp; },
    'origin null': (r) => { r.origin = null; },
    'CR/LF in user-agent': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: 'curl/8\r\nX-Injected: 1' }]; },
    'CR/LF injection in traceparent': (r) => {
      r.headers.traceparent = [{ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx-evil: 1' }];
    },
    'CR/LF injection in tracestate': (r) => {
      r.headers.traceparent = [{ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }];
      r.headers.tracestate = [{ key: 'tracestate', value: 'congo=1\r\nx-evil: 1,rojo=2' }];
    },
    'NUL in user-agent': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: 'a\u0000b' }]; },
    'lone surrogate (non-UTF-8) in user-agent': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: `bad${lone}agent` }]; },
    'lone surrogate in uri': (r) => { r.uri = `/p${lone}th`; },
    'Latin-1 bytes decoded as UTF-16 in user-agent': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: 'caf\u00c3\u00a9 \u00ff\u00fe' }]; },
    'multi-byte UTF-8 (emoji, CJK) in uri and query': (r) => { r.uri = '/商品/👟'; r.querystring = 'q=%F0%9F%91%9F&name=überschuh'; },
    'oversized user-agent (20 KB)': (r) => { r.headers['user-agent'] = [{ key: 'User-Agent', value: 'U'.repeat(20 * 1024) }]; },
    'oversized traceparent (64 KB)': (r) => { r.headers.traceparent = [{ key: 'traceparent', value: `00-${'a'.repeat(64 * 1024)}` }]; },
    'oversized tracestate (64 KB, one member)': (r) => {
      r.headers.traceparent = [{ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }];
      r.headers.tracestate = [{ key: 'tracestate', value: `k=${'v'.repeat(64 * 1024)}` }];
    },
    '1000 headers': (r) => {
      for (let i = 0; i < 1000; i++) r.headers[`x-h-${i}`] = [{ key: `X-H-${i}`, value: String(i) }];
    },
    '200 traceparent entries': (r) => {
      r.headers.traceparent = Array.from({ length: 200 }, () => ({ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }));
    },
    '__proto__ / constructor header names (own JSON properties)': (r) => {
      // Own properties, as JSON.parse creates them from the Lambda event (Object.assign would
      // call the __proto__ setter instead).
      const extra = '"__proto__":[{"key":"__proto__","value":"x"}],"constructor":[{"key":"Constructor","value":"y"}],"hasownproperty":[{"key":"hasOwnProperty","value":"z"}],';
      r.headers = JSON.parse(JSON.stringify(r.headers).replace(/^\{/, `{${extra}`));
      assert.ok(Object.hasOwn(r.headers, '__proto__'));
    },
    'client-forged x-edgetrace-ctx (garbage)': (r) => { r.headers['x-edgetrace-ctx'] = [{ key: 'x-edgetrace-ctx', value: '1-99999999999999999999999999-zz' }]; },
  };

  for (const [name, mutate] of Object.entries(requestCases)) {
    test(`origin-request: ${name}`, async () => {
      const h = await newHandler();
      const ev = originRequestEvent();
      mutate(cfOf(ev).request);
      const before = clone(cfOf(ev).request);
      const r = await invoke(h, ev);
      const out = r.value;
      assert.ok(out && typeof out === 'object', 'must resolve with the request');
      if (!tracedByEdgetrace(before, out)) {
        // Declined to trace: then nothing at all may change, and it must say why once.
        // (Removing a client-forged edgetrace context is always allowed.)
        const strip = (req) => {
          const c = clone(req);
          if (c.headers && typeof c.headers === 'object') delete c.headers['x-edgetrace-ctx'];
          return c;
        };
        assert.deepStrictEqual(strip(out), strip(before), 'declined to trace, so the request must be untouched');
        assert.equal(r.edgeLines.length, 1, `declining must be logged once: ${JSON.stringify(r.lines)}`);
        return;
      }
      const injected = assertOriginRequestPassThrough(before, out, name);
      assert.ok(r.edgeLines.length <= 1, `at most one 'edgetrace:' line per invocation: ${JSON.stringify(r.lines)}`);
      // Trace headers stay small whatever came in (CloudFront caps the whole request at 20 KB).
      const ctx = headerValues(out.headers, 'x-edgetrace-ctx')[0] ?? '';
      assert.ok(ctx.length <= 1024, `x-edgetrace-ctx is ${ctx.length} bytes`);
      const ts = headerValues(out.headers, 'tracestate')[0] ?? '';
      const tsIn = headerValues(before.headers, 'tracestate').join(',');
      assert.ok(ts.length <= Math.max(512, tsIn.length), 'tracestate must not grow beyond the input / 512 chars');
      assert.ok(ts.length <= 8192, `a ${ts.length}-character tracestate would push the request toward CloudFront's 20 KB limit`);

      // Complete the pair: the export must decode (valid UTF-8, proper JSON), stats add up.
      const respEvent = originResponseEvent(ev, out);
      const resp = cfOf(respEvent).response;
      const respBefore = clone(resp);
      const spansBefore = rx.spans().length;
      const r2 = await invoke(h, respEvent);
      assert.equal(r2.value, resp);
      assert.deepStrictEqual(r2.value, respBefore);
      assert.deepEqual(rx.errors(), [], 'exported body must decode (UTF-8, JSON, schema)');
      const s = h.handler.stats();
      assert.equal(s.exported + s.dropped, s.sampled, JSON.stringify(s));
      if (injected.flags & 1) {
        const spans = rx.spans().slice(spansBefore);
        assert.equal(spans.length + s.dropped, 1, `the sampled span is exported or counted as dropped: ${JSON.stringify(s)}`);
        if (s.dropped) assert.equal(r2.edgeLines.length, 1, 'a dropped span is logged');
        for (const { span } of spans) {
          assert.equal(span.traceId, injected.traceId);
          for (const { key, value } of span.attributes ?? []) {
            if (value.stringValue !== undefined) {
              assert.ok(value.stringValue.length <= 256, `${key} exceeds limits.attributeValueLength (${value.stringValue.length})`);
            }
          }
        }
      }
    });
  }

  test('CR/LF never reaches an emitted header, and an injected traceparent is not trusted', async () => {
    const h = await newHandler();
    const ev = originRequestEvent({
      extraHeaders: {
        traceparent: [{ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx-evil: 1' }],
      },
    });
    const r = await invoke(h, ev);
    assertTraceHeaderShape(r.value);
    const tp = headerValues(r.value.headers, 'traceparent')[0];
    assert.ok(!/[\r\n]/.test(tp), tp);
    assert.notEqual(tp.split('-')[1], '4bf92f3577b34da6a3ce929d0e0e4736', 'a traceparent with trailing CR/LF data is invalid: new trace');
  });

  // -------------------------------------------------------------------------------------------
  // origin-response with wrong-typed or hostile fields: cf.response itself, unchanged, always.
  const responseCases = {
    'status is a number': (cf) => { cf.response.status = 503; },
    'status is not numeric': (cf) => { cf.response.status = 'abc'; },
    'status missing': (cf) => { delete cf.response.status; },
    'status out of range': (cf) => { cf.response.status = '99999'; },
    'response headers null': (cf) => { cf.response.headers = null; },
    'response headers missing': (cf) => { delete cf.response.headers; },
    'request missing (context lost)': (cf) => { delete cf.request; },
    'request headers missing': (cf) => { delete cf.request.headers; },
    'x-edgetrace-ctx truncated': (cf) => { cf.request.headers['x-edgetrace-ctx'][0].value = cf.request.headers['x-edgetrace-ctx'][0].value.slice(0, 3); },
    'x-edgetrace-ctx garbage': (cf) => { cf.request.headers['x-edgetrace-ctx'][0].value = '%%%\u0000garbage'; },
    'x-edgetrace-ctx huge': (cf) => { cf.request.headers['x-edgetrace-ctx'][0].value = 'A'.repeat(100_000); },
    'x-edgetrace-ctx value is a number': (cf) => { cf.request.headers['x-edgetrace-ctx'][0].value = 7; },
    'x-edgetrace-ctx start time 1 ns (1970)': (cf) => {
      const e = cf.request.headers['x-edgetrace-ctx'][0];
      e.value = e.value.replace(/^(\d+-)\d+/, '$11');
    },
    'x-edgetrace-ctx start 50 ms ahead (clock skew between sandboxes)': (cf) => {
      const e = cf.request.headers['x-edgetrace-ctx'][0];
      e.value = e.value.replace(/^(\d+-)\d+/, `$1${BigInt(Date.now() + 50) * 1_000_000n}`);
    },
    'x-edgetrace-ctx start time one day in the future': (cf) => {
      const e = cf.request.headers['x-edgetrace-ctx'][0];
      e.value = e.value.replace(/^(\d+-)\d+/, `$1${BigInt(Date.now() + 86_400_000) * 1_000_000n}`);
    },
    'x-edgetrace-ctx duplicated': (cf) => { cf.request.headers['x-edgetrace-ctx'].push({ key: 'x-edgetrace-ctx', value: '1-1' }); },
    'traceparent removed by the origin path': (cf) => { delete cf.request.headers.traceparent; },
    'traceparent garbage': (cf) => { cf.request.headers.traceparent[0].value = 'zz'; },
    'response is null': (cf) => { cf.response = null; },
    'response is a string': (cf) => { cf.response = '200 OK'; },
  };
  for (const [name, mutate] of Object.entries(responseCases)) {
    test(`origin-response: ${name}`, async () => {
      const h = await newHandler();
      const reqEv = originRequestEvent();
      const forwarded = (await invoke(h, reqEv)).value;
      const respEv = originResponseEvent(reqEv, forwarded);
      mutate(cfOf(respEv));
      const resp = cfOf(respEv).response;
      const respBefore = clone(resp);
      const spansBefore = rx.spans().length;
      const r = await invoke(h, respEv);
      assert.equal(r.value, resp, 'must resolve with cf.response itself');
      assert.deepStrictEqual(r.value, respBefore, 'response unchanged');
      assert.deepEqual(rx.errors(), [], 'anything exported must decode');
      assert.ok(r.edgeLines.length <= 1, `at most one 'edgetrace:' line: ${JSON.stringify(r.lines)}`);
      const exported = rx.spans().length - spansBefore;
      for (const { span } of rx.spans().slice(spansBefore)) {
        // A recovered start time must be plausible: not after the end, and not older than the
        // longest an origin fetch can take (CloudFront origin timeouts are minutes; 1 h is
        // generous). A 1970 start or a future start is a corrupted context, not a span.
        const start = BigInt(span.startTimeUnixNano);
        const end = BigInt(span.endTimeUnixNano);
        assert.ok(start <= end, `exported span starts after it ends (${start} > ${end})`);
        assert.ok(end - start <= 3_600_000_000_000n, `exported span lasts ${(end - start) / 1_000_000_000n} s: corrupted start time`);
      }
      const s = h.handler.stats();
      assert.equal(s.exported, exported, `stats.exported vs collector: ${JSON.stringify(s)}`);
      if (exported === 0) {
        assert.equal(r.edgeLines.length, 1, `the span was not exported: that must be logged once (${JSON.stringify(r.lines)})`);
      }
      if (s.dropped) assert.equal(r.edgeLines.length, 1);
      assert.ok(s.exported + s.dropped <= s.sampled, JSON.stringify(s));
    });
  }

  test('a missing or odd Lambda context does not break tracing', async () => {
    for (const context of [undefined, null, {}, { awsRequestId: 42, functionName: null }]) {
      const h = await newHandler();
      const ev = originRequestEvent();
      const before = clone(cfOf(ev).request);
      const r = await invoke(h, ev, context);
      const injected = assertOriginRequestPassThrough(before, r.value, `context ${JSON.stringify(context)}`);
      const resp = originResponseEvent(ev, r.value);
      const spansBefore = rx.spans().length;
      const r2 = await invoke(h, resp, context);
      assert.equal(r2.value, cfOf(resp).response);
      assert.deepEqual(rx.errors(), []);
      const spans = rx.spans().slice(spansBefore);
      assert.equal(spans.length, 1, `context ${JSON.stringify(context)}: span still exported`);
      assert.equal(spans[0].span.traceId, injected.traceId);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Objects whose property getters throw. CloudFront's events are plain JSON, but a wrapped
  // user's objects (class instances, Proxies) reach the same code: edgetrace's own steps must
  // never let such a throw out. Every trigger, the getter at each level of the event.
  const boom = () => {
    throw new Error('getter boom');
  };
  const withGetter = (obj, key) => Object.defineProperty(obj, key, { get: boom, enumerable: true, configurable: true });
  const getterCases = {
    'Records[0].cf': (ev) => withGetter(ev.Records[0], 'cf'),
    'cf.config': (ev) => withGetter(cfOf(ev), 'config'),
    'config.eventType': (ev) => withGetter(cfOf(ev).config, 'eventType'),
    'config.requestId': (ev) => withGetter(cfOf(ev).config, 'requestId'),
    'cf.request': (ev) => withGetter(cfOf(ev), 'request'),
    'request.headers': (ev) => withGetter(cfOf(ev).request, 'headers'),
    'request.uri': (ev) => withGetter(cfOf(ev).request, 'uri'),
    'headers.traceparent': (ev) => withGetter(cfOf(ev).request.headers, 'traceparent'),
    'headers[x-edgetrace-ctx]': (ev) => withGetter(cfOf(ev).request.headers, 'x-edgetrace-ctx'),
    'cf.response': (ev) => withGetter(cfOf(ev), 'response'),
    'response.status': (ev) => cfOf(ev).response && withGetter(cfOf(ev).response, 'status'),
    'response.headers': (ev) => cfOf(ev).response && withGetter(cfOf(ev).response, 'headers'),
  };
  const ALL_FOUR = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
  /** A sampled request seen by the request side, as each trigger's event would carry it. */
  async function tracedEvent(h, trigger) {
    const ev = originRequestEvent();
    cfOf(ev).config.eventType = trigger === 'viewer-request' ? 'viewer-request' : 'origin-request';
    if (trigger === 'viewer-request' || trigger === 'origin-request') return ev;
    const forwarded = (await invoke(h, clone(ev))).value;
    const resp = originResponseEvent(ev, forwarded);
    cfOf(resp).config.eventType = trigger;
    return resp;
  }
  test('event objects whose property getters throw: every trigger resolves, at most one line, stats consistent', async () => {
    const h = await makeHandler(otlpConfig(rx.url, { exporter: { timeoutMs: TIMEOUT_MS }, triggers: ALL_FOUR }));
    for (const trigger of ALL_FOUR) {
      for (const [name, poison] of Object.entries(getterCases)) {
        const ev = await tracedEvent(h, trigger);
        poison(ev);
        const r = await invoke(h, ev);
        assert.ok(r.edgeLines.length <= 1, `${trigger} / ${name}: ${JSON.stringify(r.lines)}`);
        const s = h.handler.stats();
        assert.equal(s.sampled, s.exported + s.dropped, `${trigger} / ${name}: ${JSON.stringify(s)}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Configuration: unknown keys and wrong types are errors; createHandler never throws; the
// handler then passes all traffic through untouched and logs the offending key path.

describe('bad configuration: never throws, passes traffic through, names the key', () => {
  let rx;
  before(async () => {
    await requirePackage();
    rx = await startReceiver();
  });
  after(async () => {
    await rx?.close();
  });

  const ok = () => otlpConfig(rx.url);
  const badConfigs = [
    ['exporter.timeoutMs', (c) => { c.exporter.timeoutMs = 0; }],
    ['exporter.timeoutMs', (c) => { c.exporter.timeoutMs = 4001; }],
    ['exporter.timeoutMs', (c) => { c.exporter.timeoutMs = '200'; }],
    ['exporter.timeoutMs', (c) => { c.exporter.timeoutMs = -5; }],
    ['exporter.mode', (c) => { c.exporter.mode = 'grpc'; }],
    ['exporter.endpiont', (c) => { c.exporter.endpiont = c.exporter.endpoint; }],
    ['exporter.endpoint', (c) => { delete c.exporter.endpoint; }],
    ['exporter.endpoint', (c) => { c.exporter.endpoint = 'not a url'; }],
    ['exporter.endpoint', (c) => { c.exporter.endpoint = 42; }],
    ['exporter.headers', (c) => { c.exporter.headers = 'authorization: x'; }],
    ['exporter.headers', (c) => { c.exporter.headers = { 'x-api-key': 123 }; }],
    ['exporter.headers', (c) => { c.exporter.headers = { 'x-api-key': 'a\r\nx-injected: 1' }; }],
    ['sampling.ratio', (c) => { c.sampling.ratio = 1.5; }],
    ['sampling.ratio', (c) => { c.sampling.ratio = -0.1; }],
    ['sampling.ratio', (c) => { c.sampling.ratio = '1'; }],
    ['sampling.ratio', (c) => { c.sampling.ratio = null; }],
    ['propagation.trustIncoming', (c) => { c.propagation.trustIncoming = 'yes'; }],
    ['ids.xrayCompatible', (c) => { c.ids = { xrayCompatible: 'true' }; }],
    ['limits.attributeValueLength', (c) => { c.limits.attributeValueLength = 8; }],
    ['limits.attributeValueLength', (c) => { c.limits.attributeValueLength = 5000; }],
    ['service.name', (c) => { c.service.name = 42; }],
    ['service.version', (c) => { c.service.version = 1.2; }],
    ['service', (c) => { c.service = 'edgetrace'; }],
    ['tracing', (c) => { c.tracing = { enabled: true }; }],
    // An own "__proto__" key, as JSON.parse yields it from edgetrace.config.json.
    ['__proto__', (c) => JSON.parse(JSON.stringify(c).replace(/^\{/, '{"__proto__":{"polluted":true},'))],
  ];

  for (const [keyPath, mutate] of badConfigs) {
    test(`bad ${keyPath}: ${mutate.toString().replace(/^\(c\) => \{?\s*|\s*\}?$/g, '')}`, async () => {
      const mod = await requirePackage();
      let config = ok();
      config = mutate(config) ?? config;
      const logs = [];
      let handler;
      assert.doesNotThrow(() => {
        handler = mod.createHandler(config, { log: (l) => logs.push(String(l)) });
      });
      assert.equal(typeof handler, 'function');
      const ev = originRequestEvent({
        extraHeaders: { traceparent: [{ key: 'traceparent', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }] },
      });
      const before = clone(cfOf(ev).request);
      const out = await withDeadline(Promise.resolve().then(() => handler(ev, fakeContext())), 2000);
      assertUntouched(before, out, 'a misconfigured handler passes requests through untouched');
      const respEv = originResponseEvent(ev, out);
      const resp = cfOf(respEv).response;
      const respBefore = clone(resp);
      const out2 = await withDeadline(Promise.resolve().then(() => handler(respEv, fakeContext())), 2000);
      assert.equal(out2, resp);
      assert.deepStrictEqual(out2, respBefore);
      const mentions = logs.filter((l) => l.includes('edgetrace:') && l.includes(keyPath));
      assert.ok(mentions.length >= 1, `no 'edgetrace:' line naming ${keyPath}: ${JSON.stringify(logs)}`);
      assert.ok(mentions.length <= 3, `config error logged ${mentions.length} times for 2 invocations`);
      assert.equal(rx.requests.length, 0, 'nothing exported');
      assert.equal(({}).polluted, undefined, 'prototype not polluted');
    });
  }

  for (const garbage of [null, 42, 'otlp-http', [], true]) {
    test(`config is ${JSON.stringify(garbage)}`, async () => {
      const mod = await requirePackage();
      const logs = [];
      let handler;
      assert.doesNotThrow(() => {
        handler = mod.createHandler(garbage, { log: (l) => logs.push(String(l)) });
      });
      const ev = originRequestEvent();
      const before = clone(cfOf(ev).request);
      const out = await withDeadline(Promise.resolve().then(() => handler(ev, fakeContext())), 2000);
      assertUntouched(before, out, 'garbage config: untouched');
      assert.ok(logs.some((l) => l.includes('edgetrace:')), `no 'edgetrace:' line: ${JSON.stringify(logs)}`);
    });
  }

  test('boundary values are valid: {} (defaults), timeoutMs 1 and 4000, ratio 0 and 1, length 16 and 4096', async () => {
    const mod = await requirePackage();
    const valid = [
      {},
      { exporter: { mode: 'none' } },
      otlpConfig(rx.url, { exporter: { timeoutMs: 1 } }),
      otlpConfig(rx.url, { exporter: { timeoutMs: 4000 } }),
      otlpConfig(rx.url, { sampling: { ratio: 0 } }),
      otlpConfig(rx.url, { sampling: { ratio: 1 }, ids: { xrayCompatible: true } }),
      otlpConfig(rx.url, { limits: { attributeValueLength: 16 } }),
      otlpConfig(rx.url, { limits: { attributeValueLength: 4096 }, exporter: { headers: {} } }),
    ];
    for (const config of valid) {
      const logs = [];
      const handler = mod.createHandler(config, { log: (l) => logs.push(String(l)) });
      const ev = originRequestEvent();
      const before = clone(cfOf(ev).request);
      const out = await handler(ev, fakeContext());
      assertOriginRequestPassThrough(before, out, `valid config ${JSON.stringify(config)}`);
      assert.deepEqual(logs.filter((l) => l.includes('edgetrace:')), [], `valid config logged an error: ${JSON.stringify(config)}`);
      assert.deepEqual(withoutTraceHeaders(out), withoutTraceHeaders(before));
    }
  });
});
