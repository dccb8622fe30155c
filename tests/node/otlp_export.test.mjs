// What edgetrace sends to an OTLP/HTTP JSON collector, decoded by the strict receiver against
// the official opentelemetry-proto schema: ids match the injected traceparent, 64-bit integers
// are decimal strings, kind/status/attributes/resource follow the contract and semantic
// conventions, the parent span id and remote-parent span flags when an incoming trace is
// continued, start <= end.
//
// The first block checks the receiver itself (it must accept what the official OTel JS
// serializer produces and reject what breaks the OTLP/JSON rules), so that a green export test
// means something.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { attributesToObject, decodeTraceRequest, startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import {
  cfOf,
  clone,
  fakeContext,
  headerValue,
  headerValues,
  originRequestEvent,
  originResponseEvent,
  parseEmittedTraceparent,
  setHeader,
} from './support/events.mjs';
import { LAMBDA_ENV, makeHandler, otlpConfig, requirePackage, withDeadline } from './support/package.mjs';
import {
  SPAN_FLAGS_HAS_IS_REMOTE,
  SPAN_FLAGS_IS_REMOTE,
  assertOriginRequestPassThrough,
  assertUntouched,
  spanTraceFlags,
} from './support/assertions.mjs';

// ---------------------------------------------------------------------------------------------
// Receiver self-check (needs no package)

function officialSerializerBody({ withIntAttribute = false } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'reference' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const span = provider.getTracer('ref', '1.0.0').startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'url.path': '/x', ...(withIntAttribute ? { 'http.response.status_code': 503 } : {}) } },
    parent,
  );
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  return { text: Buffer.from(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())).toString('utf8'), span };
}

describe('receiver self-check (official schema, strict OTLP/JSON)', () => {
  test('accepts what the official OTel JS serializer sends and returns hex ids', () => {
    const { text, span } = officialSerializerBody();
    const result = decodeTraceRequest(text);
    assert.ok(result.ok, JSON.stringify(result.errors));
    const decoded = result.decoded.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(decoded.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(decoded.parentSpanId, '00f067aa0ba902b7');
    assert.equal(decoded.spanId, span.spanContext().spanId);
    assert.equal(decoded.kind, 2);
    assert.equal(decoded.status.code, 2);
    assert.equal(decoded.flags, 0x01 | SPAN_FLAGS_HAS_IS_REMOTE | SPAN_FLAGS_IS_REMOTE);
    assert.match(decoded.startTimeUnixNano, /^\d{19}$/);
  });

  test('OTel JS deviation: intValue is emitted as a JSON number, not a decimal string', () => {
    // proto3 JSON mapping: "int64, fixed64, uint64: JSON value will be a decimal string"
    // (parsers accept both, senders should write strings; PLATFORM.md §5 requires strings).
    // @opentelemetry/otlp-transformer 0.223.1 writes {"intValue":503}. The strict receiver
    // flags it; converting to a string makes the same body decode.
    const { text } = officialSerializerBody({ withIntAttribute: true });
    const raw = decodeTraceRequest(text);
    assert.equal(raw.ok, false);
    assert.match(raw.errors.join('\n'), /intValue: 64-bit integer must be a decimal string \(got 503\)/);
    const fixed = decodeTraceRequest(text.replace('"intValue":503', '"intValue":"503"'));
    assert.ok(fixed.ok, JSON.stringify(fixed.errors));
    const attrs = attributesToObject(fixed.decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes);
    assert.deepEqual(attrs['http.response.status_code'], { intValue: '503' });
  });

  const good = () => JSON.parse(officialSerializerBody().text);
  const spanOf = (body) => body.resourceSpans[0].scopeSpans[0].spans[0];
  const mutations = {
    'snake_case field name': (b) => { spanOf(b).trace_id = spanOf(b).traceId; delete spanOf(b).traceId; },
    'unknown field': (b) => { spanOf(b).traceID = 'x'; },
    'base64 trace id': (b) => { spanOf(b).traceId = Buffer.from(spanOf(b).traceId, 'hex').toString('base64'); },
    'upper-case hex span id': (b) => { spanOf(b).spanId = spanOf(b).spanId.toUpperCase().replace(/^[0-9]/, 'A'); },
    '15-byte trace id': (b) => { spanOf(b).traceId = spanOf(b).traceId.slice(2); },
    'all-zero span id': (b) => { spanOf(b).spanId = '0000000000000000'; },
    'kind as enum name': (b) => { spanOf(b).kind = 'SPAN_KIND_SERVER'; },
    'kind out of range': (b) => { spanOf(b).kind = 9; },
    'start time as JSON number': (b) => { spanOf(b).startTimeUnixNano = 1763800000000000000; },
    'flags as string': (b) => { spanOf(b).flags = '769'; },
    'two oneof members in AnyValue': (b) => { spanOf(b).attributes[0].value.boolValue = true; },
    'null field': (b) => { spanOf(b).parentSpanId = null; },
    'attributes not an array': (b) => { spanOf(b).attributes = {}; },
  };
  for (const [name, mutate] of Object.entries(mutations)) {
    test(`rejects: ${name}`, () => {
      const body = good();
      mutate(body);
      const result = decodeTraceRequest(JSON.stringify(body));
      assert.equal(result.ok, false, `${name} was accepted`);
    });
  }

  test('HTTP: wrong content type and wrong path are recorded as errors and answered 400', async () => {
    const rx = await startReceiver();
    try {
      const body = officialSerializerBody().text;
      let res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      assert.equal(res.status, 400);
      res = await fetch(`${rx.url}/v1/trace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(res.status, 400);
      res = await fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(res.status, 200);
      assert.equal(rx.errors().length, 2);
      assert.equal(rx.spans().length, 1);
    } finally {
      await rx.close();
    }
  });

  test('fault behaviours do what they say', async () => {
    const rx = await startReceiver({ behavior: 'status:429' });
    try {
      const body = officialSerializerBody().text;
      const post = (signal) =>
        fetch(`${rx.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
      let res = await post();
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '2');
      rx.setBehavior('hang');
      await assert.rejects(post(AbortSignal.timeout(150)), /abort|timeout/i);
      rx.setBehavior('reset');
      await assert.rejects(async () => {
        const r = await post();
        await r.text();
      });
      rx.setBehavior('refused');
      await assert.rejects(fetch(`${rx.url}/v1/traces`, { method: 'POST', body }));
      assert.notEqual(rx.url, rx.liveUrl);
      assert.equal(rx.requests.length, 3, 'hang/reset/429 requests were recorded');
    } finally {
      await rx.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The package's export

const INCOMING_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING_PARENT = '00f067aa0ba902b7';
const DEADLINE_MS = 3000;

/** origin-request + origin-response of one request through `h`, returning everything seen. */
async function runPair(h, rx, { requestEvent = originRequestEvent(), response = {}, responseHandler } = {}) {
  const before = clone(cfOf(requestEvent).request);
  const t0 = Date.now();
  const reqCtx = fakeContext();
  const forwarded = await withDeadline(h.handler(requestEvent, reqCtx), DEADLINE_MS);
  const t1 = Date.now();
  const injected = assertOriginRequestPassThrough(before, forwarded);
  const responseEvent = originResponseEvent(requestEvent, forwarded, response);
  const resp = cfOf(responseEvent).response;
  const respBefore = clone(resp);
  const spansBefore = rx.spans().length;
  const t2 = Date.now();
  const respCtx = fakeContext();
  const result = await withDeadline((responseHandler ?? h).handler(responseEvent, respCtx), DEADLINE_MS);
  const t3 = Date.now();
  assert.equal(result, resp, 'origin-response returns cf.response itself');
  assert.deepStrictEqual(result, respBefore, 'origin-response must not change the response');
  assert.deepEqual(rx.errors(), [], 'exported body must decode against the official schema');
  const spans = rx.spans().slice(spansBefore);
  return { requestEvent, forwarded, injected, spans, reqCtx, respCtx, times: { t0, t1, t2, t3 } };
}

describe('OTLP export of the edge span', () => {
  let rx;
  before(async () => {
    await requirePackage();
    rx = await startReceiver();
  });
  after(async () => {
    await rx?.close();
  });

  test('continuing a trusted incoming trace: ids, parent, flags, attributes, resource, times', async () => {
    const h = await makeHandler(otlpConfig(rx.url));
    const requestEvent = originRequestEvent({
      method: 'GET',
      uri: '/catalog/footwear/trail-runner-x2',
      querystring: 'size=42&color=blue&page=2',
      clientIp: '198.51.100.73',
      extraHeaders: {
        traceparent: [{ key: 'traceparent', value: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` }],
        tracestate: [{ key: 'tracestate', value: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' }],
        'cloudfront-forwarded-proto': [{ key: 'CloudFront-Forwarded-Proto', value: 'https' }],
      },
    });
    const run = await runPair(h, rx, {
      requestEvent,
      response: { status: '503', statusDescription: 'Service Unavailable' },
    });
    const { injected, spans, forwarded, times } = run;

    assert.equal(injected.traceId, INCOMING_TRACE, 'trace id continued');
    assert.notEqual(injected.spanId, INCOMING_PARENT, 'a new span id for the edge span');
    assert.equal(injected.flags, 0x01, 'sampled parent without the random flag -> 01');
    assert.equal(headerValue(forwarded.headers, 'tracestate'), 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');

    assert.equal(spans.length, 1, 'exactly one span per sampled request');
    const { span, resource, scope, request } = spans[0];
    assert.equal(request.headers['content-type'].split(';')[0], 'application/json');
    assert.equal(span.traceId, INCOMING_TRACE);
    assert.equal(span.spanId, injected.spanId, 'span id = parent-id sent to the origin');
    assert.equal(span.parentSpanId, INCOMING_PARENT, 'parent = incoming parent-id');
    assert.equal(spanTraceFlags(span), 0x01);
    assert.equal(span.flags & (SPAN_FLAGS_HAS_IS_REMOTE | SPAN_FLAGS_IS_REMOTE), 0x300, `remote parent flags, got 0x${(span.flags ?? 0).toString(16)}`);
    assert.equal(span.flags >>> 10, 0, 'reserved span flag bits must be 0');
    if (span.traceState !== undefined) assert.equal(span.traceState, 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    assert.equal(span.kind, 2, 'SPAN_KIND_SERVER');
    assert.equal(span.name, 'GET', 'span name = HTTP method (no raw path: cardinality)');
    assert.equal(span.status?.code, 2, '5xx -> STATUS_CODE_ERROR');

    // Times: decimal strings (checked by the receiver), start <= end, inside the test's window.
    const start = BigInt(span.startTimeUnixNano);
    const end = BigInt(span.endTimeUnixNano);
    const ms = (t) => BigInt(t) * 1_000_000n;
    assert.ok(start <= end, `start ${start} <= end ${end}`);
    // 25 ms slack: the package may read a different clock (e.g. timeOrigin + monotonic time).
    assert.ok(start >= ms(times.t0 - 25) && start <= ms(times.t1 + 25), `start ${start} within origin-request [${times.t0}, ${times.t1}] ms`);
    assert.ok(end >= ms(times.t2 - 25) && end <= ms(times.t3 + 25), `end ${end} within origin-response [${times.t2}, ${times.t3}] ms`);

    const a = attributesToObject(span.attributes);
    const cf = cfOf(requestEvent);
    assert.deepEqual(a['http.request.method'], { stringValue: 'GET' });
    assert.deepEqual(a['url.path'], { stringValue: '/catalog/footwear/trail-runner-x2' });
    assert.deepEqual(a['url.query'], { stringValue: 'size=42&color=blue&page=2' });
    assert.deepEqual(a['url.scheme'], { stringValue: 'https' });
    assert.ok(
      [headerValue(cf.request.headers, 'host'), cf.config.distributionDomainName].includes(a['server.address']?.stringValue),
      `server.address ${JSON.stringify(a['server.address'])}`,
    );
    assert.deepEqual(a['client.address'], { stringValue: '198.51.100.73' });
    assert.deepEqual(a['user_agent.original'], { stringValue: headerValue(cf.request.headers, 'user-agent') });
    assert.deepEqual(a['http.response.status_code'], { intValue: '503' }, 'status code as int64 decimal string');
    assert.deepEqual(a['aws.cloudfront.distribution_id'], { stringValue: cf.config.distributionId });
    assert.deepEqual(a['aws.cloudfront.request_id'], { stringValue: cf.config.requestId });
    assert.ok(['origin-request', 'origin-response'].includes(a['aws.cloudfront.event_type']?.stringValue), JSON.stringify(a['aws.cloudfront.event_type']));
    assert.ok(
      [run.reqCtx.awsRequestId, run.respCtx.awsRequestId].includes(a['faas.invocation_id']?.stringValue),
      `faas.invocation_id ${JSON.stringify(a['faas.invocation_id'])}`,
    );
    assert.equal(typeof a['faas.coldstart']?.boolValue, 'boolean', `faas.coldstart ${JSON.stringify(a['faas.coldstart'])}`);

    const r = attributesToObject(resource?.attributes);
    assert.deepEqual(r['service.name'], { stringValue: 'edgetrace-harness' });
    assert.deepEqual(r['service.version'], { stringValue: '1.2.3' });
    assert.deepEqual(r['deployment.environment.name'], { stringValue: 'test' });
    assert.deepEqual(r['cloud.provider'], { stringValue: 'aws' });
    assert.deepEqual(r['cloud.platform'], { stringValue: 'aws_lambda' });
    assert.deepEqual(r['cloud.region'], { stringValue: process.env.AWS_REGION });
    assert.ok(
      [process.env.AWS_LAMBDA_FUNCTION_NAME, run.respCtx.functionName].includes(r['faas.name']?.stringValue),
      `faas.name ${JSON.stringify(r['faas.name'])}`,
    );
    assert.deepEqual(r['faas.version'], { stringValue: LAMBDA_ENV.AWS_LAMBDA_FUNCTION_VERSION });
    for (const k of ['telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version']) {
      assert.equal(typeof r[k]?.stringValue, 'string', `${k} missing`);
      assert.ok(r[k].stringValue.length > 0, `${k} empty`);
    }
    assert.ok(scope === undefined || typeof scope.name === 'string');

    const s = h.handler.stats();
    assert.equal(s.sampled, 1);
    assert.equal(s.exported, 1);
    assert.equal(s.dropped, 0);
  });

  test('root span (trustIncoming=false): new trace, no parent, random flag, ot=th:0', async () => {
    const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: false } }));
    const requestEvent = originRequestEvent({
      extraHeaders: {
        traceparent: [{ key: 'traceparent', value: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` }],
        tracestate: [{ key: 'tracestate', value: 'congo=t61rcWkgMzE' }],
      },
    });
    const { injected, spans, forwarded } = await runPair(h, rx, { requestEvent, response: { status: '200' } });
    assert.notEqual(injected.traceId, INCOMING_TRACE, 'untrusted incoming trace id must not be reused');
    assert.equal(injected.flags, 0x03, 'new sampled trace: sampled + random -> 03');
    assert.equal(headerValue(forwarded.headers, 'tracestate'), 'ot=th:0', 'incoming tracestate dropped; ratio 1 recorded as th:0');
    assert.equal(spans.length, 1);
    const { span } = spans[0];
    assert.equal(span.traceId, injected.traceId);
    assert.equal(span.spanId, injected.spanId);
    assert.ok(span.parentSpanId === undefined || span.parentSpanId === '', `root span has no parent, got ${span.parentSpanId}`);
    assert.equal(spanTraceFlags(span), 0x03);
    assert.equal(span.flags & SPAN_FLAGS_IS_REMOTE, 0, 'a root span has no remote parent');
    assert.ok(span.status === undefined || !span.status.code, '200 leaves status unset');
    assert.deepEqual(attributesToObject(span.attributes)['http.response.status_code'], { intValue: '200' });
  });

  test('4xx is not an error on a SERVER span; HEAD and other methods name the span', async () => {
    const h = await makeHandler(otlpConfig(rx.url));
    const { spans } = await runPair(h, rx, {
      requestEvent: originRequestEvent({ method: 'HEAD', uri: '/missing' }),
      response: { status: '404', statusDescription: 'Not Found' },
    });
    assert.equal(spans.length, 1);
    const { span } = spans[0];
    assert.equal(span.name, 'HEAD');
    assert.ok(span.status === undefined || span.status.code === 0, `404 must leave status unset, got ${JSON.stringify(span.status)}`);
    const a = attributesToObject(span.attributes);
    assert.deepEqual(a['http.response.status_code'], { intValue: '404' });
    assert.deepEqual(a['http.request.method'], { stringValue: 'HEAD' });
  });

  test('url.scheme follows the viewer protocol (CloudFront-Forwarded-Proto), not the origin protocol', async () => {
    const h = await makeHandler(otlpConfig(rx.url));
    const requestEvent = originRequestEvent();
    setHeader(cfOf(requestEvent).request.headers, 'cloudfront-forwarded-proto', 'http', 'CloudFront-Forwarded-Proto');
    const { spans } = await runPair(h, rx, { requestEvent });
    assert.deepEqual(attributesToObject(spans[0].span.attributes)['url.scheme'], { stringValue: 'http' });
  });

  test('limits.attributeValueLength truncates long values (user agent)', async () => {
    const ua = 'Mozilla/5.0 ' + 'x'.repeat(3000);
    for (const limit of [16, 256]) {
      const h = await makeHandler(otlpConfig(rx.url, { limits: { attributeValueLength: limit } }));
      const requestEvent = originRequestEvent();
      setHeader(cfOf(requestEvent).request.headers, 'user-agent', ua, 'User-Agent');
      const { spans } = await runPair(h, rx, { requestEvent });
      const value = attributesToObject(spans[0].span.attributes)['user_agent.original']?.stringValue;
      assert.equal(typeof value, 'string');
      assert.ok(value.length <= limit, `limit ${limit}: got ${value.length} characters`);
      assert.ok(value.length >= limit - 3, `limit ${limit}: truncated far too much (${value.length})`);
      assert.ok(ua.startsWith(value.replace(/(\.\.\.|…)$/, '')), 'truncation keeps a prefix');
    }
  });

  test('url.query: signatures and credentials are redacted, the rest kept', async () => {
    const h = await makeHandler(otlpConfig(rx.url));
    const querystring =
      'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=sEcReTsIgNaTuRe%2B%3D&Expires=1763800000' +
      '&X-Amz-Signature=deadbeefcafe0123456789&page=2&sig=abcsecretdef';
    const { spans } = await runPair(h, rx, { requestEvent: originRequestEvent({ querystring }) });
    const q = attributesToObject(spans[0].span.attributes)['url.query']?.stringValue;
    assert.equal(typeof q, 'string');
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'sEcReTsIgNaTuRe', 'deadbeefcafe0123456789', 'abcsecretdef']) {
      assert.ok(!q.includes(secret), `url.query leaks ${secret}: ${q}`);
    }
    // Semantic conventions (url.query): values of AWSAccessKeyId, Signature, sig, X-Goog-Signature
    // "SHOULD be redacted by default and replaced by the value REDACTED".
    for (const key of ['AWSAccessKeyId', 'Signature', 'sig']) assert.ok(q.includes(`${key}=REDACTED`), `${key}=REDACTED in ${q}`);
    assert.ok(q.includes('page=2') && q.includes('Expires=1763800000'), `non-secret parameters kept: ${q}`);
  });

  test('exporter.endpoint with a base path and trailing slash; exporter.headers are sent', async () => {
    const rx2 = await startReceiver({ basePath: '/otlp' });
    try {
      const h = await makeHandler(
        otlpConfig(`${rx2.url}/`, { exporter: { headers: { authorization: 'Bearer test-token', 'x-tenant': 'acme' } } }),
      );
      const { spans } = await runPair(h, rx2);
      assert.deepEqual(rx2.errors(), []);
      assert.equal(spans.length, 1);
      assert.equal(rx2.requests[0].url, '/otlp/v1/traces');
      assert.equal(rx2.requests[0].headers.authorization, 'Bearer test-token');
      assert.equal(rx2.requests[0].headers['x-tenant'], 'acme');
    } finally {
      await rx2.close();
    }
  });

  test('origin-response in another sandbox (another handler instance) still exports the span', async () => {
    const a = await makeHandler(otlpConfig(rx.url));
    const b = await makeHandler(otlpConfig(rx.url));
    const requestEvent = originRequestEvent({
      extraHeaders: { traceparent: [{ key: 'traceparent', value: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` }] },
    });
    const { injected, spans } = await runPair(a, rx, { requestEvent, responseHandler: b });
    assert.equal(spans.length, 1);
    assert.equal(spans[0].span.spanId, injected.spanId);
    assert.equal(spans[0].span.parentSpanId, INCOMING_PARENT);
    assert.equal(b.handler.stats().exported, 1);
  });

  test('unsampled: ratio 0 root and trusted unsampled parent export nothing', async () => {
    const h = await makeHandler(otlpConfig(rx.url, { sampling: { ratio: 0 } }));
    const root = await runPair(h, rx);
    assert.equal(root.injected.flags & 1, 0);
    assert.equal(root.injected.flags & 2, 2, 'new trace id still carries the random flag');
    assert.equal(root.spans.length, 0);
    assert.deepEqual(headerValues(root.forwarded.headers, 'tracestate'), [], 'no ot=th entry for an unsampled root');

    const h2 = await makeHandler(otlpConfig(rx.url, { sampling: { ratio: 1 } }));
    const child = await runPair(h2, rx, {
      requestEvent: originRequestEvent({
        extraHeaders: { traceparent: [{ key: 'traceparent', value: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-00` }] },
      }),
    });
    assert.equal(child.injected.traceId, INCOMING_TRACE);
    assert.equal(child.injected.flags, 0x00, 'ParentBased: unsampled parent -> unsampled, even with ratio 1');
    assert.equal(child.spans.length, 0);
    assert.equal(h2.handler.stats().sampled, 0);
  });

  test('a client-supplied x-edgetrace-ctx is always replaced', async () => {
    const spoof = 'ZXZpbC1jb250ZXh0LWZyb20tdGhlLWNsaWVudA';
    for (const ratio of [1, 0]) {
      const h = await makeHandler(otlpConfig(rx.url, { sampling: { ratio } }));
      const requestEvent = originRequestEvent({ extraHeaders: { 'x-edgetrace-ctx': [{ key: 'X-Edgetrace-Ctx', value: spoof }] } });
      const { forwarded, spans } = await runPair(h, rx, { requestEvent });
      const ctx = headerValues(forwarded.headers, 'x-edgetrace-ctx');
      assert.equal(ctx.length, 1);
      assert.notEqual(ctx[0], spoof, 'client context must not survive');
      assert.match(ctx[0], /^1-\d+$/);
      assert.equal(spans.length, ratio === 1 ? 1 : 0);
    }
  });

  test("exporter.mode 'log' writes the OTLP JSON to the log, 'none' exports nothing", async () => {
    const requestsBefore = rx.requests.length;
    const logH = await makeHandler({ service: { name: 'log-mode' }, exporter: { mode: 'log' } });
    const ev = originRequestEvent();
    const forwarded = await logH.handler(ev, fakeContext());
    const mark = logH.mark();
    const resp = originResponseEvent(ev, forwarded);
    const result = await logH.handler(resp, fakeContext());
    assert.equal(result, cfOf(resp).response);
    const lines = logH.linesSince(mark);
    assert.ok(lines.length >= 1, 'log mode must log the span');
    const injected = parseEmittedTraceparent(headerValue(forwarded.headers, 'traceparent'));
    const otlpLines = lines
      .map((l) => l.slice(l.indexOf('{')))
      .filter((l) => l.includes('"resourceSpans"'));
    assert.equal(otlpLines.length, 1, `one OTLP JSON line per span: ${lines.join('\n')}`);
    const decoded = decodeTraceRequest(otlpLines[0]);
    assert.ok(decoded.ok, JSON.stringify(decoded.errors));
    const span = decoded.decoded.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, injected.traceId);
    assert.equal(logH.handler.stats().exported, 1);

    const noneH = await makeHandler({ exporter: { mode: 'none' } });
    const ev2 = originRequestEvent();
    const fwd2 = await noneH.handler(ev2, fakeContext());
    assert.ok(parseEmittedTraceparent(headerValue(fwd2.headers, 'traceparent')), "mode 'none' still propagates");
    const mark2 = noneH.mark();
    await noneH.handler(originResponseEvent(ev2, fwd2), fakeContext());
    assert.equal(noneH.linesSince(mark2).filter((l) => l.includes('resourceSpans')).length, 0);
    assert.equal(rx.requests.length, requestsBefore, 'log/none modes never POST');
  });

  test('the default `handler` export (baked edgetrace.config.json) passes viewer triggers through', async () => {
    const mod = await requirePackage();
    const ev = originRequestEvent();
    cfOf(ev).config.eventType = 'viewer-request';
    delete cfOf(ev).request.origin;
    const before = clone(cfOf(ev).request);
    const result = await withDeadline(mod.handler(ev, fakeContext()), DEADLINE_MS);
    assertUntouched(before, result, 'default handler viewer-request');
  });
});

test('the header-visibility line is logged once per sandbox, with the region', async () => {
  const { makeHandler } = await import('./support/package.mjs');
  const { handler, visibility } = await makeHandler({ exporter: { mode: 'none' } });
  const request = JSON.parse(readFileSync(new URL('../fixtures/events/s3-origin.origin-request.json', import.meta.url)));
  const response = JSON.parse(readFileSync(new URL('../fixtures/events/s3-origin.origin-response.json', import.meta.url)));
  response.Records[0].cf.request = await handler(request, {});
  await handler(response, {});
  await handler(structuredClone(response), {});
  assert.equal(visibility.length, 0, 'exporter mode none reads no response state');

  const traced = await makeHandler({ exporter: { mode: 'log' } });
  const req2 = JSON.parse(readFileSync(new URL('../fixtures/events/s3-origin.origin-request.json', import.meta.url)));
  const resp2 = JSON.parse(readFileSync(new URL('../fixtures/events/s3-origin.origin-response.json', import.meta.url)));
  const withoutHeaders = structuredClone(resp2);
  resp2.Records[0].cf.request = await traced.handler(req2, {});
  await traced.handler(resp2, {});
  await traced.handler(withoutHeaders, {});
  assert.equal(traced.visibility.length, 1, 'once per sandbox, not per event');
  assert.match(traced.visibility[0], /request-side headers: yes \(AWS_REGION=/);

  const blind = await makeHandler({ exporter: { mode: 'log' } });
  await blind.handler(structuredClone(withoutHeaders), {});
  assert.match(blind.visibility[0], /request-side headers: no/);
});
