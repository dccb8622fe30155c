// Sampling and propagation in whole CloudFront flows (docs/trace-model.md "Sampling"): the
// decision is made once at the first traced trigger and carried in the traceparent sampled
// flag; keepErrors, the client trust policy, other propagation formats, sampling rules and the
// per-sandbox rate limit. Real package, one sandbox per trigger, strict OTLP receiver.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import { cfOf, parseEmittedTraceparent } from './support/events.mjs';
import {
  ALL_FOUR,
  CloudFront,
  KIND_CLIENT,
  KIND_SERVER,
  ORIGIN_PAIR,
  allFourConfig,
  assertBookkeeping,
  assertReceiverClean,
  assertCount,
  assertSpan,
  deploy,
  flowConfig,
  hv,
  originPairConfig,
} from './support/cloudfront_flow.mjs';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_PARENT = '00f067aa0ba902b7';
const clientTraceparent = { traceparent: [{ key: 'traceparent', value: `00-${CLIENT_TRACE}-${CLIENT_PARENT}-01` }] };

/** What the origin received, parsed. */
function originContext(flow) {
  const parsed = parseEmittedTraceparent(hv(flow.originSaw?.headers, 'traceparent'));
  assert.ok(parsed, `the origin must get a valid traceparent, got ${hv(flow.originSaw?.headers, 'traceparent')}`);
  return parsed;
}

let rx;
before(async () => {
  rx = await startReceiver();
});
after(async () => {
  await rx?.close();
});

describe('sampling.keepErrors', () => {
  const config = () => originPairConfig(rx.url, { sampling: { ratio: 0, keepErrors: true } });

  test('origin pair, ratio 0, origin 503: origin-response exports the edge span marked kept_error; downstream stays unsampled', async () => {
    const d = await deploy(rx, config());
    const flow = await new CloudFront(d, {
      origin: () => ({ status: '503', statusDescription: 'Service Unavailable', headers: {} }),
    }).request({ uri: '/checkout' });
    assert.deepEqual(flow.ran, ORIGIN_PAIR);
    const sent = originContext(flow);
    assert.equal(sent.flags & 1, 0, `the origin's traceparent is unsampled (flags ${sent.flags})`);
    assertCount(flow.exports['origin-response'], 1, 'origin-response');
    assertSpan(flow.exports['origin-response'][0], {
      kind: KIND_SERVER, traceId: sent.traceId, spanId: sent.spanId, parent: null, status: 'error',
      attributes: { 'edgetrace.sampling.kept_error': true, 'http.response.status_code': 503 },
    }, 'kept ROOT');
    assertBookkeeping(d);
  });

  test('all four, ratio 0, origin 503: origin-response exports CLIENT and ROOT, both kept_error; 404 and 200 export nothing', async () => {
    const d = await deploy(rx, allFourConfig(rx.url, { sampling: { ratio: 0, keepErrors: true } }));
    const cf = new CloudFront(d);
    const flow = await cf.request({ uri: '/k503', origin: () => ({ status: '503', statusDescription: 'Service Unavailable', headers: {} }) });
    const root = flow.traceparentAfter('viewer-request');
    assert.equal(root.flags & 1, 0, 'unsampled at viewer-request');
    const sent = originContext(flow);
    assert.equal(sent.flags & 1, 0, 'the origin\'s traceparent stays unsampled');
    assertCount(flow.exports['origin-response'], 2, 'origin-response');
    const client = flow.exports['origin-response'].find((s) => s.kind === KIND_CLIENT);
    const server = flow.exports['origin-response'].find((s) => s.kind === KIND_SERVER);
    assertSpan(client, {
      kind: KIND_CLIENT, traceId: root.traceId, spanId: sent.spanId, parent: root.spanId, status: 'error',
      attributes: { 'edgetrace.sampling.kept_error': true },
    }, 'kept CLIENT');
    assertSpan(server, {
      kind: KIND_SERVER, traceId: root.traceId, spanId: root.spanId, parent: null, status: 'error',
      attributes: { 'edgetrace.sampling.kept_error': true, 'aws.cloudfront.root_closed_at': 'origin-response' },
    }, 'kept ROOT');
    for (const [uri, status] of [['/k404', '404'], ['/k200', '200']]) {
      const other = await cf.request({ uri, origin: () => ({ status, statusDescription: 'x', headers: {} }) });
      assertCount(other.spans(), 0, `unsampled ${status}`);
      assert.equal(other.results['origin-response'].headers['x-edgetrace-fill'], undefined, `${status}: no stamp`);
    }
    assertBookkeeping(d);
  });

  test('origin pair, ratio 0, origin 200: nothing exported', async () => {
    const d = await deploy(rx, config());
    const flow = await new CloudFront(d).request({ uri: '/checkout-ok' });
    assert.equal(originContext(flow).flags & 1, 0);
    assertCount(flow.spans(), 0, 'unsampled 200');
    assertBookkeeping(d);
    assert.equal(d.stats().sampled, 0);
  });
});

describe('propagation.trust (client traceparent with sampled=01)', () => {
  for (const [name, triggers] of [['all four', ALL_FOUR], ['origin pair', undefined]]) {
    const first = triggers === undefined ? 'origin-request' : 'viewer-request';

    test(`${name}, "ignore" (default) at ratio 0: not sampled, trace id replaced`, async () => {
      const d = await deploy(rx, flowConfig(rx.url, triggers, { sampling: { ratio: 0 } }));
      const flow = await new CloudFront(d).request({ uri: '/t-ignore', extraHeaders: clientTraceparent });
      const decided = flow.traceparentAfter(first);
      assert.notEqual(decided.traceId, CLIENT_TRACE, 'the client cannot choose the trace id');
      assert.equal(decided.flags & 1, 0, 'the client cannot force sampling');
      assert.match(flow.ctxAfter(first) ?? '', /^1-\d+/, 'x-edgetrace-ctx on every request, sampled or not');
      assert.equal(originContext(flow).traceId, decided.traceId);
      assert.equal(originContext(flow).flags & 1, 0);
      assertCount(flow.spans(), 0, 'nothing exported');
      assertBookkeeping(d);
    });

    test(`${name}, "ids-only" at ratio 0: trace id kept, still not sampled`, async () => {
      const d = await deploy(rx, flowConfig(rx.url, triggers, { sampling: { ratio: 0 }, propagation: { trust: 'ids-only' } }));
      const flow = await new CloudFront(d).request({ uri: '/t-ids', extraHeaders: clientTraceparent });
      const decided = flow.traceparentAfter(first);
      assert.equal(decided.traceId, CLIENT_TRACE, 'trace id kept');
      assert.equal(decided.flags & 1, 0, 'the client cannot force sampling');
      assert.equal(originContext(flow).traceId, CLIENT_TRACE);
      assert.equal(originContext(flow).flags & 1, 0);
      assertCount(flow.spans(), 0, 'nothing exported');
      assertBookkeeping(d);
    });

    test(`${name}, "honor" at ratio 0: sampled, trace id kept, root parent = the client's parent id`, async () => {
      const d = await deploy(rx, flowConfig(rx.url, triggers, { sampling: { ratio: 0 }, propagation: { trust: 'honor' } }));
      const flow = await new CloudFront(d).request({ uri: '/t-honor', extraHeaders: clientTraceparent });
      const decided = flow.traceparentAfter(first);
      assert.equal(decided.traceId, CLIENT_TRACE);
      assert.equal(decided.flags & 1, 1, 'the client decision is followed');
      const spans = flow.spans();
      assertCount(spans, triggers === undefined ? 1 : 2, 'tree');
      const root = spans.find((s) => s.kind === KIND_SERVER);
      assertSpan(root, { kind: KIND_SERVER, traceId: CLIENT_TRACE, spanId: decided.spanId, parent: CLIENT_PARENT }, 'ROOT');
      assert.equal(root.flags & 0x300, 0x300, 'remote parent flags');
      if (triggers !== undefined) {
        const client = spans.find((s) => s.kind === KIND_CLIENT);
        assertSpan(client, { kind: KIND_CLIENT, traceId: CLIENT_TRACE, spanId: originContext(flow).spanId, parent: decided.spanId }, 'CLIENT');
      }
      assertBookkeeping(d);
    });
  }
});

describe('propagation.extract / inject', () => {
  const XRAY_IN = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  const T = '5759e988bd862e3fe1be46a994272793';

  for (const [name, triggers] of [['all four', ALL_FOUR], ['origin pair', undefined]]) {
    test(`${name}: X-Ray in (honor), x-amzn-trace-id / b3 / x-b3-* out, baggage untouched`, async () => {
      const d = await deploy(rx, flowConfig(rx.url, triggers, {
        propagation: { trust: 'honor', extract: ['xray', 'tracecontext'], inject: ['xray', 'b3', 'b3multi'] },
      }));
      const baggage = 'userId=alice,serverNode=DF%2028,isProduction=false';
      const flow = await new CloudFront(d).request({
        uri: '/xray',
        extraHeaders: {
          'x-amzn-trace-id': [{ key: 'X-Amzn-Trace-Id', value: XRAY_IN }],
          baggage: [{ key: 'baggage', value: baggage }],
        },
      });
      const sent = originContext(flow);
      assert.equal(sent.traceId, T, 'the X-Ray trace id is continued');
      assert.equal(sent.flags & 1, 1);
      const h = flow.originSaw.headers;
      assert.equal(hv(h, 'x-amzn-trace-id'), `Root=1-${T.slice(0, 8)}-${T.slice(8)};Parent=${sent.spanId};Sampled=1`);
      assert.equal(hv(h, 'b3'), `${T}-${sent.spanId}-1`);
      assert.equal(hv(h, 'x-b3-traceid'), sent.traceId);
      assert.equal(hv(h, 'x-b3-spanid'), sent.spanId);
      assert.equal(hv(h, 'x-b3-sampled'), '1');
      for (const name of ['x-amzn-trace-id', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']) {
        assert.equal(h[name].length, 1, `${name}: exactly one value`);
      }
      assert.deepEqual(h.baggage, [{ key: 'baggage', value: baggage }], 'baggage passes through untouched');
      const spans = flow.spans();
      assertCount(spans, triggers === undefined ? 1 : 2, 'tree');
      const root = spans.find((s) => s.kind === KIND_SERVER);
      assertSpan(root, { kind: KIND_SERVER, traceId: T, parent: '53995c3f42cd8ad8' }, 'ROOT');
      const originParent = spans.find((s) => s.spanId === sent.spanId);
      assert.ok(originParent, 'the span the origin continues is exported');
      assert.equal(originParent.kind, triggers === undefined ? KIND_SERVER : KIND_CLIENT);
      assertBookkeeping(d);
    });

    test(`${name}: b3multi injected, the client's x-b3-flags and x-b3-parentspanid do not reach the origin`, async () => {
      // B3's debug flag forces sampling: left next to edgetrace's own x-b3-* it would let any
      // client overrule the edge's decision (ratio 0 here).
      const d = await deploy(rx, flowConfig(rx.url, triggers, { sampling: { ratio: 0 }, propagation: { inject: ['b3multi'] } }));
      const flow = await new CloudFront(d).request({
        uri: '/b3-debug',
        extraHeaders: {
          'x-b3-traceid': [{ key: 'X-B3-TraceId', value: CLIENT_TRACE }],
          'x-b3-spanid': [{ key: 'X-B3-SpanId', value: CLIENT_PARENT }],
          'x-b3-parentspanid': [{ key: 'X-B3-ParentSpanId', value: 'b7ad6b7169203331' }],
          'x-b3-sampled': [{ key: 'X-B3-Sampled', value: '1' }],
          'x-b3-flags': [{ key: 'X-B3-Flags', value: '1' }],
        },
      });
      const sent = originContext(flow);
      assert.equal(sent.flags & 1, 0, 'ratio 0: unsampled');
      const h = flow.originSaw.headers;
      assert.equal(hv(h, 'x-b3-traceid'), sent.traceId);
      assert.equal(hv(h, 'x-b3-spanid'), sent.spanId);
      assert.equal(hv(h, 'x-b3-sampled'), '0');
      assert.equal(h['x-b3-flags'], undefined, 'x-b3-flags removed');
      assert.equal(h['x-b3-parentspanid'], undefined, 'x-b3-parentspanid removed');
      assertCount(flow.spans(), 0, 'unsampled');
      assertBookkeeping(d);
    });
  }
});

describe('sampling.rules', () => {
  test('all four, ratio 1, rule /static/* ratio 0: /static/a.css unsampled end to end, /api/x sampled', async () => {
    const d = await deploy(rx, allFourConfig(rx.url, { sampling: { ratio: 1, rules: [{ path: '/static/*', ratio: 0 }] } }));
    const cf = new CloudFront(d);

    const stat = await cf.request({ uri: '/static/a.css' });
    assert.deepEqual(stat.ran, ALL_FOUR);
    const decided = stat.traceparentAfter('viewer-request');
    assert.equal(decided.flags & 1, 0, `/static/a.css unsampled at viewer-request (flags ${decided.flags})`);
    assert.match(stat.ctxAfter('viewer-request') ?? '', /^1-/, 'x-edgetrace-ctx on an unsampled request too');
    assert.match(stat.ctxAfter('origin-request') ?? '', /^2-/, 'and at origin-request');
    assert.equal(originContext(stat).flags & 1, 0, 'the origin gets an unsampled traceparent');
    assert.equal(originContext(stat).traceId, decided.traceId);
    assertCount(stat.spans(), 0, '/static/a.css');
    assert.equal(stat.results['origin-response'].headers['x-edgetrace-fill'], undefined, 'no stamp for an unsampled request');

    const api = await cf.request({ uri: '/api/x' });
    assert.equal(api.traceparentAfter('viewer-request').flags & 1, 1);
    assertCount(api.spans(), 2, '/api/x');
    assertBookkeeping(d);
  });

  test('origin pair: the same rule decides at origin-request', async () => {
    const d = await deploy(rx, originPairConfig(rx.url, { sampling: { ratio: 1, rules: [{ path: '/static/*', ratio: 0 }] } }));
    const cf = new CloudFront(d);
    const stat = await cf.request({ uri: '/static/a.css' });
    assert.equal(originContext(stat).flags & 1, 0);
    assert.match(hv(stat.originSaw.headers, 'x-edgetrace-ctx') ?? '', /^1-/);
    assertCount(stat.spans(), 0, '/static/a.css');
    const api = await cf.request({ uri: '/api/x' });
    assert.equal(originContext(api).flags & 1, 1);
    assertCount(api.spans(), 1, '/api/x');
    assertBookkeeping(d);
  });
});

describe('sampling.maxPerSecond', () => {
  test('2 per second, a burst of 10 requests through one origin-request sandbox: exactly 2 sampled and exported', async () => {
    const d = await deploy(rx, originPairConfig(rx.url, { sampling: { ratio: 1, maxPerSecond: 2 } }));
    const cf = new CloudFront(d);
    const flows = await Promise.all(Array.from({ length: 10 }, (_, i) => cf.request({ uri: `/burst/${i}` })));
    const sampled = flows.filter((f) => originContext(f).flags & 1);
    assert.equal(sampled.length, 2, `sampled flags: ${flows.map((f) => originContext(f).flags).join(',')}`);
    for (const f of flows) {
      const isSampled = (originContext(f).flags & 1) === 1;
      assert.ok(hv(f.originSaw.headers, 'x-edgetrace-ctx') !== undefined, 'ctx on every request');
      assertCount(f.spans(), isSampled ? 1 : 0, f.viewerRequest.uri);
      if (isSampled) assert.equal(f.spans()[0].spanId, originContext(f).spanId);
    }
    assert.equal(cfOf(flows[0].sent['origin-request']).config.eventType, 'origin-request');
    assertBookkeeping(d);
    assert.equal(d.stats().exported, 2);
  });

  // Isolates the limiter from what happens at sandbox start: once the bucket has had a full
  // second to fill, a burst gets exactly maxPerSecond.
  test('2 per second, burst of 10 after the bucket had 1.1 s to refill: exactly 2 sampled', async () => {
    const d = await deploy(rx, originPairConfig(rx.url, { sampling: { ratio: 1, maxPerSecond: 2 } }));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const cf = new CloudFront(d);
    const flows = await Promise.all(Array.from({ length: 10 }, (_, i) => cf.request({ uri: `/refilled/${i}` })));
    assert.equal(flows.filter((f) => originContext(f).flags & 1).length, 2, flows.map((f) => originContext(f).flags).join(','));
    assert.equal(d.stats().exported, 2);
    assertBookkeeping(d);
  });

  test('all four: the limit applies where the decision is made (viewer-request): exactly 2 of 10 sampled', async () => {
    const d = await deploy(rx, allFourConfig(rx.url, { sampling: { ratio: 1, maxPerSecond: 2 } }));
    const cf = new CloudFront(d);
    const flows = await Promise.all(Array.from({ length: 10 }, (_, i) => cf.request({ uri: `/burst4/${i}` })));
    const sampled = flows.filter((f) => f.traceparentAfter('viewer-request').flags & 1);
    assert.equal(sampled.length, 2, flows.map((f) => f.traceparentAfter('viewer-request').flags).join(','));
    for (const f of flows) {
      assert.equal(originContext(f).flags & 1, f.traceparentAfter('viewer-request').flags & 1, 'origin-request never revisits the decision');
      assertCount(f.spans(), f.traceparentAfter('viewer-request').flags & 1 ? 2 : 0, f.viewerRequest.uri);
    }
    assertBookkeeping(d);
  });
});

test('over the whole file: no span received twice, every body decoded', () => {
  assert.ok(assertReceiverClean(rx) > 0, 'spans were exported');
});
