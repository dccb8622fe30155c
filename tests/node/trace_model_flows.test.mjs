// The four-trigger trace model (docs/trace-model.md) through whole CloudFront request flows:
// the REAL package, one sandbox per trigger, the CloudFront simulator of
// support/cloudfront_flow.mjs, spans exported over OTLP/HTTP to the strict loopback receiver.
// Each test asserts the exact span tree: which trigger exported which span, kinds, ids, parent
// links, key attributes, status, and that no span is exported twice
// (sampled === exported + dropped in every sandbox).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import { OWN_FIXTURES_DIR, cfOf, clone, loadEvent, parseEmittedTraceparent } from './support/events.mjs';
import {
  ALL_FOUR,
  CloudFront,
  FILL,
  KIND_CLIENT,
  KIND_SERVER,
  ORIGIN_PAIR,
  ORIGIN_UNREACHABLE,
  VIEWER_PAIR,
  allFourConfig,
  assertBookkeeping,
  assertReceiverClean,
  assertCount,
  assertSpan,
  attrs,
  deploy,
  hv,
  tp,
  originPairConfig,
  parseEdgeContext,
  viewerPairConfig,
} from './support/cloudfront_flow.mjs';
import { requirePackage } from './support/package.mjs';

let rx;
before(async () => {
  rx = await startReceiver();
});
after(async () => {
  await rx?.close();
});

/** The ids and contexts the request side of a full all-four miss left in the headers. */
function requestSide(flow) {
  const root = flow.traceparentAfter('viewer-request');
  assert.ok(root, `viewer-request must set a valid traceparent, got ${hv(flow.results['viewer-request']?.headers, 'traceparent')}`);
  assert.equal(root.flags & 1, 1, 'sampled at ratio 1');
  const ctx1 = parseEdgeContext(flow.ctxAfter('viewer-request'));
  assert.ok(ctx1 && ctx1.version === 1, `viewer-request x-edgetrace-ctx 1-<start>, got ${flow.ctxAfter('viewer-request')}`);
  const fetch = flow.traceparentAfter('origin-request');
  assert.ok(fetch, 'origin-request must set a valid traceparent');
  assert.equal(fetch.traceId, root.traceId, 'origin-request keeps the trace id');
  assert.notEqual(fetch.spanId, root.spanId, 'origin-request opens a new span');
  assert.equal(fetch.flags, root.flags, 'the sampling decision is never revisited');
  const ctx2 = parseEdgeContext(flow.ctxAfter('origin-request'));
  assert.ok(ctx2 && ctx2.version === 2, `origin-request x-edgetrace-ctx 2-<fetch start>-<root>-<root start>, got ${flow.ctxAfter('origin-request')}`);
  assert.equal(ctx2.rootId, root.spanId, 'ctx v2 carries the root span id');
  assert.equal(ctx2.rootStart, ctx1.start, 'ctx v2 carries the root start');
  assert.ok(ctx2.start >= ctx1.start, 'fetch starts after the root');
  return { T: root.traceId, ROOT: root.spanId, FETCH: fetch.spanId, flags: root.flags, ctx1, ctx2 };
}

describe('all four triggers', () => {
  let d;
  let cf;
  let fill; // the first miss: {T, FETCH, flags}

  before(async () => {
    d = await deploy(rx, allFourConfig(rx.url));
    cf = new CloudFront(d);
  });

  test('miss (200): ROOT(server, viewer-response) -> FETCH(client, origin-response)', async () => {
    const flow = await cf.request({ uri: '/products/trail-shoe', querystring: 'color=blue' });
    assert.deepEqual(flow.ran, ALL_FOUR);
    assert.equal(flow.cache, 'miss');
    const { T, ROOT, FETCH, flags, ctx1, ctx2 } = requestSide(flow);

    // The origin continues the CLIENT span.
    assert.equal(hv(flow.originSaw.headers, 'traceparent'), tp(T, FETCH, flags), 'origin traceparent = 00-T-FETCH');
    assert.deepEqual(flow.exports['viewer-request'], [], 'viewer-request exports nothing');
    assert.deepEqual(flow.exports['origin-request'], [], 'origin-request exports nothing');

    assertCount(flow.exports['origin-response'], 1, 'origin-response');
    assert.equal(flow.exportRequests['origin-response'], 1);
    const client = flow.exports['origin-response'][0];
    assertSpan(client, {
      kind: KIND_CLIENT, traceId: T, spanId: FETCH, parent: ROOT, status: 'unset',
      attributes: { 'http.response.status_code': 200, 'aws.cloudfront.event_type': 'origin-request', 'url.path': '/products/trail-shoe' },
      absent: ['aws.cloudfront.cache_status', 'aws.cloudfront.root_closed_at', 'aws.cloudfront.timing', 'aws.cloudfront.response_source'],
    }, 'CLIENT');
    assert.equal(client.startTimeUnixNano, String(ctx2.start), 'CLIENT starts at the ctx v2 fetch start');

    // origin-response stamps what CloudFront caches; viewer-response sees it and removes it.
    assert.equal(hv(flow.results['origin-response'].headers, FILL), tp(T, FETCH, flags), 'origin-response stamps the response');
    assert.equal(hv(cfOf(flow.sent['viewer-response']).response.headers, FILL), tp(T, FETCH, flags), 'viewer-response sees the stamp');
    assert.equal(hv(cf.cache.get(cf.cacheKey(flow.requestAfterViewerRequest)).headers, FILL), tp(T, FETCH, flags), 'the stamp is cached');
    assert.equal(flow.viewerResponse.headers[FILL], undefined, 'the viewer never sees x-edgetrace-fill');
    assert.deepEqual(flow.viewerResponse, flow.originResponse, 'viewer gets the origin response, stamp removed, nothing else changed');
    // viewer-response's cf.request is the request after viewer-request, not origin-request's.
    assert.equal(hv(cfOf(flow.sent['viewer-response']).request.headers, 'traceparent'), tp(T, ROOT, flags));

    assertCount(flow.exports['viewer-response'], 1, 'viewer-response');
    const root = flow.exports['viewer-response'][0];
    assertSpan(root, {
      kind: KIND_SERVER, traceId: T, spanId: ROOT, parent: null, status: 'unset',
      attributes: {
        'http.response.status_code': 200,
        'aws.cloudfront.cache_status': 'miss',
        'aws.cloudfront.event_type': 'viewer-request',
        'url.path': '/products/trail-shoe',
        'url.query': 'color=blue',
        'aws.cloudfront.request_id': flow.requestId,
      },
      absent: ['aws.cloudfront.root_closed_at', 'aws.cloudfront.timing', 'aws.cloudfront.response_source'],
    }, 'ROOT');
    assert.equal(root.startTimeUnixNano, String(ctx1.start), 'ROOT starts at the ctx v1 start');
    assert.ok(BigInt(root.endTimeUnixNano) >= BigInt(client.endTimeUnixNano), 'ROOT ends after FETCH');
    assert.deepEqual(root.links ?? [], [], 'a miss has no link');

    assertCount(flow.spans(), 2, 'tree');
    fill = { T, FETCH, flags };
    assertBookkeeping(d);
  });

  test('hit: viewer triggers only, ROOT(server) cache_status hit, linked to the filling span', async () => {
    assert.ok(fill, 'needs the miss above');
    const flow = await cf.request({ uri: '/products/trail-shoe', querystring: 'color=blue' });
    assert.deepEqual(flow.ran, VIEWER_PAIR);
    assert.equal(flow.cache, 'hit');
    assert.equal(hv(cfOf(flow.sent['viewer-response']).response.headers, FILL), tp(fill.T, fill.FETCH, fill.flags), 'the cached response carries the stamp');
    const root = flow.traceparentAfter('viewer-request');
    assert.notEqual(root.traceId, fill.T, 'a hit is a new trace');
    assertCount(flow.exports['viewer-response'], 1, 'viewer-response');
    const span = flow.exports['viewer-response'][0];
    assertSpan(span, {
      kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId, parent: null, status: 'unset',
      attributes: { 'aws.cloudfront.cache_status': 'hit', 'aws.cloudfront.event_type': 'viewer-request', 'http.response.status_code': 200 },
      absent: ['aws.cloudfront.root_closed_at'],
    }, 'hit ROOT');
    assert.equal(span.links?.length, 1, `one span link, got ${JSON.stringify(span.links)}`);
    assert.equal(span.links[0].traceId, fill.T, 'link to the filling trace');
    assert.equal(span.links[0].spanId, fill.FETCH, 'link to the filling CLIENT span');
    assert.equal(flow.viewerResponse.headers[FILL], undefined, 'the viewer never sees x-edgetrace-fill');
    assertCount(flow.spans(), 1, 'tree');
    assertBookkeeping(d);
  });

  test('hit on an object cached before edgetrace (no stamp): cache_status hit, no link', async () => {
    cf.cache.set('shop.example.com /legacy.html?', {
      status: '200',
      statusDescription: 'OK',
      headers: { 'content-type': [{ key: 'Content-Type', value: 'text/html' }] },
    });
    const flow = await cf.request({ uri: '/legacy.html' });
    assert.deepEqual(flow.ran, VIEWER_PAIR);
    const root = flow.traceparentAfter('viewer-request');
    assertCount(flow.spans(), 1, 'tree');
    const span = flow.exports['viewer-response'][0];
    assertSpan(span, {
      kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId, parent: null,
      attributes: { 'aws.cloudfront.cache_status': 'hit' },
    }, 'ROOT');
    assert.deepEqual(span.links ?? [], []);
    assertBookkeeping(d);
  });

  for (const [status, description] of [['404', 'Not Found'], ['503', 'Service Unavailable']]) {
    test(`origin ${status}: viewer-response does not run, origin-response exports CLIENT and ROOT in one request`, async () => {
      const flow = await cf.request({
        uri: `/status/${status}`,
        origin: () => ({ status, statusDescription: description, headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] } }),
      });
      assert.deepEqual(flow.ran, ['viewer-request', 'origin-request', 'origin-response']);
      const { T, ROOT, FETCH, ctx1 } = requestSide(flow);
      assertCount(flow.exports['origin-response'], 2, 'origin-response');
      assert.equal(flow.exportRequests['origin-response'], 1, 'both spans in ONE export request');
      const client = flow.exports['origin-response'].find((s) => s.kind === KIND_CLIENT);
      const root = flow.exports['origin-response'].find((s) => s.kind === KIND_SERVER);
      assertSpan(client, {
        kind: KIND_CLIENT, traceId: T, spanId: FETCH, parent: ROOT, status: 'error', // client span: 4xx is an error too
        attributes: { 'http.response.status_code': Number(status), 'aws.cloudfront.event_type': 'origin-request' },
        absent: ['aws.cloudfront.cache_status'],
      }, `CLIENT ${status}`);
      assertSpan(root, {
        kind: KIND_SERVER, traceId: T, spanId: ROOT, parent: null, status: status === '503' ? 'error' : 'unset',
        attributes: {
          'http.response.status_code': Number(status),
          'aws.cloudfront.root_closed_at': 'origin-response',
          'aws.cloudfront.cache_status': 'miss',
          'aws.cloudfront.event_type': 'viewer-request',
        },
      }, `ROOT ${status}`);
      assert.equal(root.startTimeUnixNano, String(ctx1.start));
      assert.equal(flow.results['origin-response'].headers[FILL], undefined, 'no stamp: viewer-response will not run to remove it');
      assert.equal(flow.viewerResponse.status, status);
      assertBookkeeping(d);
    });
  }

  test('propagation.responseHeader "traceresponse": the viewer gets 00-T-ROOT, on a miss and on a hit', async () => {
    const dd = await deploy(rx, allFourConfig(rx.url, { propagation: { responseHeader: 'traceresponse' } }));
    const cf2 = new CloudFront(dd);
    const miss = await cf2.request({ uri: '/tr' });
    const { T, ROOT, flags } = requestSide(miss);
    assert.equal(hv(miss.viewerResponse.headers, 'traceresponse'), tp(T, ROOT, flags));
    assert.equal(miss.viewerResponse.headers[FILL], undefined);
    const hit = await cf2.request({ uri: '/tr' });
    assert.equal(hit.cache, 'hit');
    const r = hit.traceparentAfter('viewer-request');
    assert.equal(hv(hit.viewerResponse.headers, 'traceresponse'), tp(r.traceId, r.spanId, r.flags));
    assert.equal(hv(cf2.cache.get(cf2.cacheKey(hit.requestAfterViewerRequest)).headers, 'traceresponse'), undefined, 'traceresponse is not cached');
    assertBookkeeping(dd);
  });

  test('exporter.mode "none" still gives the viewer its traceresponse, and exports and counts nothing', async () => {
    const dd = await deploy(rx, allFourConfig(rx.url, { exporter: { mode: 'none' }, propagation: { responseHeader: 'traceresponse' } }));
    const requestsBefore = rx.requests.length;
    const flow = await new CloudFront(dd).request({ uri: '/none' });
    const { T, ROOT, flags } = requestSide(flow);
    assert.equal(hv(flow.viewerResponse.headers, 'traceresponse'), tp(T, ROOT, flags));
    assert.equal(flow.viewerResponse.headers[FILL], undefined, 'the stamp never reaches the viewer');
    assert.equal(rx.requests.length, requestsBefore, 'nothing sent');
    for (const trigger of ALL_FOUR) assert.deepEqual(dd.sandboxes[trigger].handler.stats(), { sampled: 0, exported: 0, dropped: 0, droppedByReason: {} }, trigger);
  });

  test('propagation.responseHeader "server-timing": appended after the origin\'s server-timing values', async () => {
    const dd = await deploy(rx, allFourConfig(rx.url, { propagation: { responseHeader: 'server-timing' } }));
    const origin = () => ({
      status: '200',
      statusDescription: 'OK',
      headers: {
        'server-timing': [
          { key: 'Server-Timing', value: 'db;dur=53' },
          { key: 'Server-Timing', value: 'app;dur=47.2' },
        ],
      },
    });
    const flow = await new CloudFront(dd, { origin }).request({ uri: '/st' });
    const { T, ROOT, flags } = requestSide(flow);
    assert.deepEqual(
      flow.viewerResponse.headers['server-timing'].map((e) => e.value),
      ['db;dur=53', 'app;dur=47.2', `traceparent;desc="${tp(T, ROOT, flags)}"`],
    );
    assertBookkeeping(dd);
  });

  test('capture and redaction: allowlisted headers recorded, authorization never, url.query redacted', async () => {
    const dd = await deploy(rx, allFourConfig(rx.url, {
      capture: { requestHeaders: ['X-Request-Source'], responseHeaders: ['cache-control'] },
      redaction: { queryKeys: ['token'] },
    }));
    const flow = await new CloudFront(dd).request({
      uri: '/account',
      querystring: 'token=s3cr3t-t0ken&page=2',
      extraHeaders: {
        'x-request-source': [{ key: 'X-Request-Source', value: 'mobile-app' }],
        authorization: [{ key: 'Authorization', value: 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig' }],
      },
    });
    const spans = flow.spans();
    assertCount(spans, 2, 'tree');
    const root = spans.find((s) => s.kind === KIND_SERVER);
    const a = assertSpan(root, {
      kind: KIND_SERVER,
      attributes: {
        'http.request.header.x-request-source': 'mobile-app',
        'http.response.header.cache-control': 'public, max-age=300',
        'url.query': 'token=REDACTED&page=2',
      },
    }, 'ROOT');
    assert.deepEqual(attrs(spans.find((s) => s.kind === KIND_CLIENT))['url.query'], 'token=REDACTED&page=2');
    for (const span of spans) {
      const text = JSON.stringify(span);
      assert.ok(!/authorization/i.test(text), `authorization recorded: ${text}`);
      assert.ok(!text.includes('eyJhbGciOiJIUzI1NiJ9') && !text.includes('s3cr3t-t0ken'), 'a secret reached the span');
    }
    assert.ok(Object.keys(a).every((k) => !k.startsWith('http.request.header.') || k === 'http.request.header.x-request-source'));
    assertBookkeeping(dd);
  });

  test('config refuses to capture authorization, naming the key', async () => {
    const { validateConfig } = await requirePackage();
    for (const section of ['requestHeaders', 'responseHeaders']) {
      const result = validateConfig({ triggers: ALL_FOUR, capture: { [section]: ['authorization'] } });
      assert.equal(result.ok, false, `${section}: authorization accepted`);
      assert.match(result.error, new RegExp(`capture\\.${section}`), result.error);
    }
    const named = validateConfig({ capture: { requestHeaders: ['Authorization'] } });
    assert.equal(named.ok, false);
    assert.match(`${named.error}`, /authorization|credential/i, `the error should name the refused key: ${named.error}`);
  });
});

describe('response events without the request-side headers (requestId fallback)', () => {
  test('all four: spans still join (ids derived from requestId), timing partial, visibility "no" once per sandbox', async () => {
    const d = await deploy(rx, allFourConfig(rx.url));
    const cf = new CloudFront(d, { hideRequestSideHeaders: true });
    for (const uri of ['/fallback/a', '/fallback/b']) {
      const flow = await cf.request({ uri });
      assert.deepEqual(flow.ran, ALL_FOUR);
      assert.equal(cfOf(flow.sent['origin-response']).request.headers.traceparent, undefined, 'harness: origin-response must not see request-side headers');
      assert.equal(cfOf(flow.sent['viewer-response']).request.headers['x-edgetrace-ctx'], undefined, 'harness: viewer-response must not see them');
      const root = flow.traceparentAfter('viewer-request');
      const origin = parseEmittedTraceparent(hv(flow.originSaw.headers, 'traceparent'));
      assertCount(flow.exports['origin-response'], 1, `${uri} origin-response`);
      assertSpan(flow.exports['origin-response'][0], {
        kind: KIND_CLIENT, traceId: origin.traceId, spanId: origin.spanId, parent: root.spanId,
        attributes: { 'aws.cloudfront.timing': 'partial', 'http.response.status_code': 200 },
      }, `${uri} CLIENT`);
      assertCount(flow.exports['viewer-response'], 1, `${uri} viewer-response`);
      assertSpan(flow.exports['viewer-response'][0], {
        kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId, parent: null,
        attributes: { 'aws.cloudfront.timing': 'partial', 'aws.cloudfront.event_type': 'viewer-request' },
      }, `${uri} ROOT`);
      assert.equal(origin.traceId, root.traceId, 'the trace id the origin saw is the exported one');
      assert.equal(flow.viewerResponse.headers[FILL], undefined);
    }
    for (const trigger of ['origin-response', 'viewer-response']) {
      const lines = d.logs(trigger).filter((l) => l.startsWith('edgetrace: response events carry request-side headers:'));
      assert.equal(lines.length, 1, `${trigger}: one visibility line per sandbox, got ${JSON.stringify(lines)}`);
      assert.match(lines[0], /headers: no\b/);
    }
    assertBookkeeping(d);
  });

  // The viewer's own traceparent is on every event (PLATFORM.md section 2), so a response
  // event that does not show the request side's headers may still carry A traceparent: the
  // client's. The fallback must not mistake it for "the request side decided not to sample".
  for (const trust of ['ignore', 'honor']) {
    test(`all four, the viewer sent its own traceparent (trust ${trust}): spans still exported and joined`, async () => {
      const d = await deploy(rx, allFourConfig(rx.url, { propagation: { trust } }));
      const client = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const flow = await new CloudFront(d, { hideRequestSideHeaders: true }).request({
        uri: `/fallback/client-${trust}`,
        extraHeaders: { traceparent: [{ key: 'traceparent', value: client }] },
      });
      assert.equal(hv(cfOf(flow.sent['viewer-response']).request.headers, 'traceparent'), client, 'harness: response events show the client\'s traceparent only');
      const root = flow.traceparentAfter('viewer-request');
      const origin = parseEmittedTraceparent(hv(flow.originSaw.headers, 'traceparent'));
      assert.equal(root.flags & 1, 1, 'sampled at ratio 1');
      assertCount(flow.exports['origin-response'], 1, 'origin-response');
      assertSpan(flow.exports['origin-response'][0], {
        kind: KIND_CLIENT, traceId: origin.traceId, spanId: origin.spanId, parent: root.spanId,
        attributes: { 'aws.cloudfront.timing': 'partial' },
      }, 'CLIENT');
      assertCount(flow.exports['viewer-response'], 1, 'viewer-response');
      assertSpan(flow.exports['viewer-response'][0], {
        kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId,
        parent: trust === 'honor' ? '00f067aa0ba902b7' : null,
        attributes: { 'aws.cloudfront.timing': 'partial' },
      }, 'ROOT');
      for (const trigger of ['origin-response', 'viewer-response']) {
        assert.match(d.logs(trigger).join('\n'), /response events carry request-side headers: no\b/, `${trigger}: the canary line must say no`);
      }
      assertBookkeeping(d);
    });
  }

  test('origin pair: the SERVER span joins the id the origin saw, timing partial', async () => {
    const d = await deploy(rx, originPairConfig(rx.url));
    const flow = await new CloudFront(d, { hideRequestSideHeaders: true }).request({ uri: '/fallback/origin-pair' });
    const origin = parseEmittedTraceparent(hv(flow.originSaw.headers, 'traceparent'));
    assertCount(flow.spans(), 1, 'tree');
    assertSpan(flow.exports['origin-response'][0], {
      kind: KIND_SERVER, traceId: origin.traceId, spanId: origin.spanId, parent: null,
      attributes: { 'aws.cloudfront.timing': 'partial', 'aws.cloudfront.event_type': 'origin-request' },
    }, 'ROOT');
    assert.match(d.logs('origin-response').join('\n'), /response events carry request-side headers: no/);
    assertBookkeeping(d);
  });
});

test('origin-request without viewer-request\'s headers repeats its decision and says so once per sandbox', async () => {
  const dd = await deploy(rx, allFourConfig(rx.url));
  for (let i = 0; i < 3; i++) {
    const event = { Records: [{ cf: { config: { distributionId: 'EDFDVBD6EXAMPLE', distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: 'origin-request', requestId: `notice-${i}-EXAMPLE==` }, request: { clientIp: '203.0.113.178', method: 'GET', uri: '/n', querystring: '', headers: { host: [{ key: 'Host', value: 'origin.example.com' }] } } } }] };
    const { result } = await dd.invoke('origin-request', event);
    assert.ok(parseEmittedTraceparent(hv(result.headers, 'traceparent')), 'traced');
  }
  const notices = dd.sandboxes['origin-request'].logs.filter((l) => l.includes('origin request policy'));
  assert.equal(notices.length, 1, dd.sandboxes['origin-request'].logs.join('\n'));
  assert.match(notices[0], /^edgetrace: origin-request: viewer-request's trace headers are not in the origin request .*\(logged once per sandbox\)$/);
});

describe('origin pair only (the default)', () => {
  test('miss: one SERVER span exported by origin-response, the origin continues it', async () => {
    const d = await deploy(rx, originPairConfig(rx.url));
    assert.deepEqual(d.triggers, ORIGIN_PAIR);
    const flow = await new CloudFront(d).request({ uri: '/op' });
    assert.deepEqual(flow.ran, ORIGIN_PAIR);
    const sent = flow.traceparentAfter('origin-request');
    assert.equal(sent.flags & 1, 1);
    assert.equal(parseEdgeContext(flow.ctxAfter('origin-request'))?.version, 1);
    assertCount(flow.exports['origin-response'], 1, 'origin-response');
    assertSpan(flow.exports['origin-response'][0], {
      kind: KIND_SERVER, traceId: sent.traceId, spanId: sent.spanId, parent: null, status: 'unset',
      attributes: { 'http.response.status_code': 200, 'aws.cloudfront.event_type': 'origin-request' },
      absent: ['aws.cloudfront.root_closed_at', 'aws.cloudfront.timing'],
    }, 'ROOT');
    assert.equal(flow.results['origin-response'].headers[FILL], undefined, 'no stamp without viewer-response');
    assert.deepEqual(flow.viewerResponse, flow.originResponse, 'response untouched');
    assertBookkeeping(d);
  });

  test('viewer events passed to origin-pair sandboxes come back untouched, nothing exported', async () => {
    const d = await deploy(rx, originPairConfig(rx.url));
    const cf = new CloudFront(d);
    const flow = await cf.request({ uri: '/op2' });
    for (const [trigger, field] of [['viewer-request', 'request'], ['viewer-response', 'response']]) {
      const event = clone(flow.sent[trigger === 'viewer-request' ? 'origin-request' : 'origin-response']);
      const c = cfOf(event);
      c.config.eventType = trigger;
      delete c.request.origin;
      if (trigger === 'viewer-request') delete c.response;
      const snapshot = clone(event);
      for (const sandbox of ORIGIN_PAIR) {
        const out = await d.invoke(trigger, event, { sandbox });
        assert.equal(out.threw, false);
        assert.deepEqual(out.result, cfOf(snapshot)[field], `${trigger} in the ${sandbox} sandbox: untouched`);
        assert.deepEqual(event, snapshot, `${trigger}: event not mutated`);
        assert.deepEqual(out.spans, [], `${trigger}: nothing exported`);
      }
    }
    assertBookkeeping(d);
  });

  test('a viewer-response event that carries x-edgetrace-fill is passed through untouched too', async () => {
    // E.g. objects cached while all four triggers were deployed: the origin pair is not
    // associated with viewer-response, and must leave any event of it as it came.
    const d = await deploy(rx, originPairConfig(rx.url));
    const flow = await new CloudFront(d).request({ uri: '/op3' });
    const event = clone(flow.sent['origin-response']);
    const c = cfOf(event);
    c.config.eventType = 'viewer-response';
    delete c.request.origin;
    c.response.headers[FILL] = [{ key: FILL, value: '00-3219d1bf4312c799d67cfd589701afe9-ebd7e1d106894989-03' }];
    const snapshot = clone(event);
    for (const sandbox of ORIGIN_PAIR) {
      const out = await d.invoke('viewer-response', event, { sandbox });
      assert.deepEqual(out.result, cfOf(snapshot).response, `viewer-response in the ${sandbox} sandbox: untouched`);
      assert.deepEqual(event, snapshot, 'event not mutated');
      assert.deepEqual(out.spans, []);
    }
  });
});

describe('all-four fixtures (tests/fixtures/events) through four sandboxes', () => {
  test('miss then hit: the ids derived from requestId are those recorded in the fixtures', async () => {
    const load = (name) => loadEvent(path.join(OWN_FIXTURES_DIR, name));
    const vrq = load('all-four-miss.viewer-request.json');
    const orq = load('all-four-miss.origin-request.json');
    const ors = load('all-four-miss.origin-response.json');
    const hitVrq = load('cache-hit.viewer-request.json');
    const recordedRoot = parseEmittedTraceparent(hv(cfOf(orq).request.headers, 'traceparent'));
    const recordedFetch = parseEmittedTraceparent(hv(cfOf(ors).request.headers, 'traceparent'));
    const d = await deploy(rx, allFourConfig(rx.url));
    const viewerResponse = (viewerRequestEvent, request, response) => ({
      Records: [{ cf: { config: { ...cfOf(viewerRequestEvent).config, eventType: 'viewer-response' }, request: clone(request), response: clone(response) } }],
    });

    const a = await d.invoke('viewer-request', clone(vrq));
    assert.equal(hv(a.result.headers, 'traceparent'), hv(cfOf(orq).request.headers, 'traceparent'), 'same requestId, same ids');
    // The recorded x-edgetrace-ctx start is stale (> 10 minutes): use the live one.
    const orEvent = clone(orq);
    cfOf(orEvent).request.headers['x-edgetrace-ctx'] = clone(a.result.headers['x-edgetrace-ctx']);
    const b = await d.invoke('origin-request', orEvent);
    assert.equal(hv(b.result.headers, 'traceparent'), hv(cfOf(ors).request.headers, 'traceparent'));
    const orsEvent = clone(ors);
    cfOf(orsEvent).request = clone(b.result);
    const c = await d.invoke('origin-response', orsEvent);
    assertCount(c.spans, 1, 'origin-response');
    assertSpan(c.spans[0], { kind: KIND_CLIENT, traceId: recordedRoot.traceId, spanId: recordedFetch.spanId, parent: recordedRoot.spanId }, 'CLIENT');
    const stamp = tp(recordedFetch.traceId, recordedFetch.spanId, recordedFetch.flags);
    assert.equal(hv(c.result.headers, FILL), stamp);
    const e = await d.invoke('viewer-response', viewerResponse(vrq, a.result, c.result));
    assertCount(e.spans, 1, 'viewer-response');
    assertSpan(e.spans[0], {
      kind: KIND_SERVER, traceId: recordedRoot.traceId, spanId: recordedRoot.spanId, parent: null,
      attributes: { 'aws.cloudfront.cache_status': 'miss', 'url.path': cfOf(vrq).request.uri },
    }, 'ROOT');
    assert.equal(e.result.headers[FILL], undefined);

    const h = await d.invoke('viewer-request', clone(hitVrq));
    const hitRoot = parseEmittedTraceparent(hv(h.result.headers, 'traceparent'));
    const cached = { ...clone(c.result), headers: { ...clone(c.result.headers), age: [{ key: 'Age', value: '42' }] } };
    const hit = await d.invoke('viewer-response', viewerResponse(hitVrq, h.result, cached));
    assertCount(hit.spans, 1, 'hit viewer-response');
    assertSpan(hit.spans[0], {
      kind: KIND_SERVER, traceId: hitRoot.traceId, spanId: hitRoot.spanId, parent: null,
      attributes: { 'aws.cloudfront.cache_status': 'hit' },
    }, 'hit ROOT');
    assert.deepEqual(hit.spans[0].links?.map((l) => [l.traceId, l.spanId]), [[recordedFetch.traceId, recordedFetch.spanId]]);
    assert.equal(hit.result.headers[FILL], undefined);
    assertBookkeeping(d);
  });
});

describe('viewer pair only', () => {
  test('viewer-request opens, viewer-response exports one SERVER span, cache_status unknown', async () => {
    const d = await deploy(rx, viewerPairConfig(rx.url));
    const cf = new CloudFront(d);
    for (const expectedCache of ['miss', 'hit']) {
      const flow = await cf.request({ uri: '/vp' });
      assert.equal(flow.cache, expectedCache);
      assert.deepEqual(flow.ran, VIEWER_PAIR);
      const root = flow.traceparentAfter('viewer-request');
      assert.equal(parseEdgeContext(flow.ctxAfter('viewer-request'))?.version, 1);
      if (expectedCache === 'miss') assert.equal(hv(flow.originSaw.headers, 'traceparent'), tp(root.traceId, root.spanId, root.flags), 'origin continues the root');
      assert.deepEqual(flow.exports['viewer-request'], []);
      assertCount(flow.exports['viewer-response'], 1, `${expectedCache} viewer-response`);
      assertSpan(flow.exports['viewer-response'][0], {
        kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId, parent: null, status: 'unset',
        attributes: { 'aws.cloudfront.cache_status': 'unknown', 'aws.cloudfront.event_type': 'viewer-request', 'http.response.status_code': 200 },
        absent: ['aws.cloudfront.root_closed_at'],
      }, `${expectedCache} ROOT`);
      assert.equal(flow.viewerResponse.headers[FILL], undefined);
    }
    assertBookkeeping(d);
  });

  test('CloudFront\'s own 5xx (origin unreachable) at viewer-response: cache_status error, status ERROR', async () => {
    const d = await deploy(rx, viewerPairConfig(rx.url));
    const flow = await new CloudFront(d, { origin: () => ORIGIN_UNREACHABLE }).request({ uri: '/vp-down' });
    assert.deepEqual(flow.ran, VIEWER_PAIR);
    const root = flow.traceparentAfter('viewer-request');
    assertCount(flow.spans(), 1, 'tree');
    assertSpan(flow.exports['viewer-response'][0], {
      kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId, parent: null, status: 'error',
      attributes: { 'aws.cloudfront.cache_status': 'error', 'http.response.status_code': 502 },
    }, 'ROOT');
    assertBookkeeping(d);
  });
});

test('over the whole file: no span received twice, every body decoded', () => {
  assert.ok(assertReceiverClean(rx) > 0, 'spans were exported');
});
