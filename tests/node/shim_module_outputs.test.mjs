// How the shim applies module outputs that the checked-in module may not produce (yet), and
// what it does when the module traps during a close. The real package and module run; a thin
// wrapper around WebAssembly.Instance (installed before the package creates any instance)
// lets a test change what one call returns:
//   * REMOVE (2) on the other-format slots 6-10 of on_request, as the core does for the
//     client's own X-Ray / B3 headers (wasm-glue/ABI.md "Output slots");
//   * a trap (WebAssembly.RuntimeError) inside on_response.
// Each test turns its simulation on and off again; with none on, the module is untouched.
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import { fakeContext, newRequestId, originRequestEvent, originResponseEvent } from './support/events.mjs';
import { CloudFront, assertBookkeeping, assertCount, deploy, flowConfig, hv, originPairConfig } from './support/cloudfront_flow.mjs';

// ABI.md "IO block": the actions of the 16 output slots follow 2 + 2*32 + 2*16 words.
const W_OUT_ACTION = 2 + 2 * 32 + 2 * 16;
const ACTION_REMOVE = 2;
const OTHER_FORMAT_SLOTS = [6, 7, 8, 9, 10];
const TRIGGER_ORIGIN_REQUEST = 1;
const STATUS_OK = 0;

/** What the next module calls do besides their real work (all false: nothing). */
const simulate = { removeOtherFormats: false, trapOnResponse: false };

const RealInstance = WebAssembly.Instance;
WebAssembly.Instance = function SimulatingInstance(module, imports) {
  const real = new RealInstance(module, imports);
  const exports = { ...real.exports };
  exports.edgetrace_on_request = (trigger, now, flags) => {
    const status = real.exports.edgetrace_on_request(trigger, now, flags);
    // The core's new rule: at the trigger that sends the request to the origin, a format it
    // does not inject is removed rather than left as the client sent it.
    if (simulate.removeOtherFormats && status === STATUS_OK && trigger === TRIGGER_ORIGIN_REQUEST) {
      const io = new Uint32Array(real.exports.memory.buffer, real.exports.edgetrace_get_io(), W_OUT_ACTION + 16);
      for (const slot of OTHER_FORMAT_SLOTS) if (io[W_OUT_ACTION + slot] === 0) io[W_OUT_ACTION + slot] = ACTION_REMOVE;
    }
    return status;
  };
  exports.edgetrace_on_response = (trigger, now, flags) => {
    if (simulate.trapOnResponse) {
      simulate.trapOnResponse = false;
      throw new WebAssembly.RuntimeError('unreachable');
    }
    return real.exports.edgetrace_on_response(trigger, now, flags);
  };
  return { exports };
};

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
/** Every other-format header a client can send, B3 multi extras included. */
const CLIENT_OTHER_FORMATS = {
  'x-amzn-trace-id': [{ key: 'X-Amzn-Trace-Id', value: `Root=1-${CLIENT_TRACE.slice(0, 8)}-${CLIENT_TRACE.slice(8)};Parent=${CLIENT_SPAN};Sampled=1` }],
  b3: [{ key: 'b3', value: `${CLIENT_TRACE}-${CLIENT_SPAN}-d` }],
  'x-b3-traceid': [{ key: 'X-B3-TraceId', value: CLIENT_TRACE }],
  'x-b3-spanid': [{ key: 'X-B3-SpanId', value: CLIENT_SPAN }],
  'x-b3-parentspanid': [{ key: 'X-B3-ParentSpanId', value: 'b7ad6b7169203331' }],
  'x-b3-sampled': [{ key: 'X-B3-Sampled', value: '1' }],
  'x-b3-flags': [{ key: 'X-B3-Flags', value: '1' }],
};
const OTHER_FORMAT_NAMES = Object.keys(CLIENT_OTHER_FORMATS);

let rx;
before(async () => {
  rx = await startReceiver();
});
after(async () => {
  await rx?.close();
});
afterEach(() => {
  simulate.removeOtherFormats = false;
  simulate.trapOnResponse = false;
});

describe('REMOVE on the other-format slots (6-10) of on_request', () => {
  test('nothing injected: every client X-Ray / B3 header is removed, x-b3-flags and x-b3-parentspanid with them', async () => {
    const d = await deploy(rx, originPairConfig(rx.url));
    simulate.removeOtherFormats = true;
    const flow = await new CloudFront(d).request({ uri: '/no-inject', extraHeaders: CLIENT_OTHER_FORMATS });
    const h = flow.originSaw.headers;
    for (const name of OTHER_FORMAT_NAMES) assert.equal(h[name], undefined, `${name} must not reach the origin`);
    assert.ok(hv(h, 'traceparent'), 'edgetrace\'s traceparent is there');
    assertCount(flow.spans(), 1, 'origin pair');
    assertBookkeeping(d);
  });

  test('b3 injected: b3 is edgetrace\'s, the client\'s X-Ray and B3 multi headers are removed', async () => {
    const d = await deploy(rx, originPairConfig(rx.url, { propagation: { inject: ['b3'] } }));
    simulate.removeOtherFormats = true;
    const flow = await new CloudFront(d).request({ uri: '/inject-b3', extraHeaders: CLIENT_OTHER_FORMATS });
    const h = flow.originSaw.headers;
    const [, traceId, spanId] = hv(h, 'traceparent').split('-');
    assert.equal(hv(h, 'b3'), `${traceId}-${spanId}-1`);
    assert.equal(h.b3.length, 1);
    for (const name of OTHER_FORMAT_NAMES.filter((n) => n !== 'b3')) assert.equal(h[name], undefined, `${name} must not reach the origin`);
    assertBookkeeping(d);
  });

  test('headers the client did not send are not touched: no needless delete', async () => {
    const d = await deploy(rx, originPairConfig(rx.url));
    simulate.removeOtherFormats = true;
    const event = originRequestEvent({ extraHeaders: { 'x-b3-flags': [{ key: 'X-B3-Flags', value: '1' }], 'x-b3-sampled': [{ key: 'X-B3-Sampled', value: '1' }] } });
    const deleted = [];
    const request = event.Records[0].cf.request;
    request.headers = new Proxy(request.headers, {
      deleteProperty(target, name) {
        deleted.push(name);
        return delete target[name];
      },
    });
    const out = await d.invoke('origin-request', event);
    assert.equal(out.threw, false, String(out.error));
    assert.deepEqual(deleted.sort(), ['x-b3-flags', 'x-b3-sampled'], 'only the headers that were there are deleted');
    assert.ok(hv(out.result.headers, 'traceparent'));
  });
});

describe('a trap inside on_response', () => {
  test('after a sampled request side: the span is counted as dropped (wasm_trap) in one line, the response passes, the next close works', async () => {
    const d = await deploy(rx, flowConfig(rx.url, undefined));
    const box = d.sandboxes['origin-response'];
    const requestId = newRequestId();
    const request = originRequestEvent({ requestId });
    const forwarded = (await d.invoke('origin-request', request)).result;
    const responseEvent = originResponseEvent(request, forwarded);
    const before = structuredClone(responseEvent.Records[0].cf.response);
    const mark = box.logs.length;
    simulate.trapOnResponse = true;
    const out = await d.invoke('origin-response', responseEvent, { context: fakeContext() });
    assert.equal(out.threw, false, String(out.error));
    assert.deepEqual(out.result, before, 'the response passes through unchanged');
    const lines = box.logs.slice(mark).filter((l) => l.startsWith('edgetrace:') && !l.includes('request-side headers'));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /dropped 1 span: origin-response: wasm trap: unreachable; module re-instantiated \[reason=wasm_trap /);
    assert.deepEqual(box.handler.stats(), { sampled: 1, exported: 0, dropped: 1, droppedByReason: { wasm_trap: 1 } });

    // The re-instantiated module closes the next request as usual.
    const next = originRequestEvent();
    const nextForwarded = (await d.invoke('origin-request', next)).result;
    const nextOut = await d.invoke('origin-response', originResponseEvent(next, nextForwarded));
    assertCount(nextOut.spans, 1, 'next request');
    assertBookkeeping(d, { dropped: 1 });
  });

  test('an unsampled request side: nothing to count, one "not traced" line', async () => {
    const d = await deploy(rx, flowConfig(rx.url, undefined, { sampling: { ratio: 0, keepErrors: true } }));
    const box = d.sandboxes['origin-response'];
    const request = originRequestEvent();
    const forwarded = (await d.invoke('origin-request', request)).result;
    const mark = box.logs.length;
    simulate.trapOnResponse = true;
    const out = await d.invoke('origin-response', originResponseEvent(request, forwarded, { status: '503' }));
    assert.equal(out.threw, false, String(out.error));
    const lines = box.logs.slice(mark).filter((l) => l.startsWith('edgetrace:') && !l.includes('request-side headers'));
    assert.deepEqual(lines, ['edgetrace: origin-response not traced: wasm trap: unreachable; module re-instantiated']);
    assert.deepEqual(box.handler.stats(), { sampled: 0, exported: 0, dropped: 0, droppedByReason: {} });
  });
});
