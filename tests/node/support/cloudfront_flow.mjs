// A CloudFront simulator for whole-request flows through the REAL package, one handler per
// trigger (each trigger is a separate sandbox), modelled on PLATFORM.md sections 1-2:
//
//   * one requestId shared by every event of a viewer request;
//   * viewer-request gets the viewer's request; what it returns (with its header changes) is
//     what CloudFront looks up in the cache and forwards to origin-request (the origin request
//     policy is modelled as forwarding every viewer header, edgetrace's included);
//   * origin triggers run only on a cache miss; origin-request's result goes to the origin and
//     is the cf.request of origin-response; CloudFront adds `via` / `x-forwarded-for` /
//     `cloudfront-forwarded-proto` on the origin side;
//   * the response origin-response returns is cached (below 400) with its headers and is the
//     response viewer-response sees; a hit hands viewer-response a copy of the cached one;
//   * viewer-response's cf.request is the request after viewer-request (NOT origin-request's
//     changes);
//   * viewer-response does not run for an origin status >= 400, after a response generated at
//     viewer-request or after a function error (the viewer gets a 502 then);
//   * a response generated at origin-request skips the origin and origin-response, is cached,
//     and viewer-response runs;
//   * `hideRequestSideHeaders`: response events show the ORIGINAL viewer headers only (the
//     UNVERIFIED case of PLATFORM.md section 1 that the requestId fallback covers).
//
// Every invocation is awaited; the spans the strict OTLP receiver got during it are attributed
// to that trigger, so a test can say which trigger exported which span.
import assert from 'node:assert/strict';
import { attributesToObject } from '../../../shim-js/tools/otlp_receiver.mjs';
import { clone, CUSTOM_ORIGIN, DEFAULT_DISTRIBUTION, fakeContext, newRequestId, parseEmittedTraceparent } from './events.mjs';
import { requirePackage } from './package.mjs';

export const ALL_FOUR = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];
export const VIEWER_PAIR = ['viewer-request', 'viewer-response'];
export const ORIGIN_PAIR = ['origin-request', 'origin-response'];

export const FILL = 'x-edgetrace-fill';

/** `00-<trace id>-<span id>-<flags>`, as edgetrace writes traceparent / the fill stamp. */
export const tp = (traceId, spanId, flags) => `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`;

export const KIND_SERVER = 2;
export const KIND_CLIENT = 3;
export const STATUS_ERROR = 2;

const SECTIONS = ['service', 'exporter', 'sampling', 'propagation', 'limits', 'capture', 'redaction'];

/** A config exporting to `endpoint` with `triggers` (undefined = the default origin pair). */
export function flowConfig(endpoint, triggers, overrides = {}) {
  const config = { exporter: { mode: 'otlp-http', endpoint, timeoutMs: 2000 } };
  if (triggers !== undefined) config.triggers = [...triggers];
  for (const [key, value] of Object.entries(overrides)) {
    if (SECTIONS.includes(key) && config[key] && value && typeof value === 'object' && !Array.isArray(value)) {
      config[key] = { ...config[key], ...value };
    } else config[key] = structuredClone(value);
  }
  return config;
}

export const allFourConfig = (endpoint, overrides) => flowConfig(endpoint, ALL_FOUR, overrides);
export const viewerPairConfig = (endpoint, overrides) => flowConfig(endpoint, VIEWER_PAIR, overrides);
export const originPairConfig = (endpoint, overrides) => flowConfig(endpoint, undefined, overrides);

/** The OTLP spans of a slice of receiver requests, flattened. */
function spansOf(requests) {
  const out = [];
  for (const request of requests) {
    for (const rs of request.decoded?.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push(span);
    }
  }
  return out;
}

/**
 * One sandbox per deployed trigger, all built from the same config: createHandler(config, {log})
 * or, with `user`, wrap(user, config, {log}).
 */
export async function deploy(rx, config, { user } = {}) {
  const mod = await requirePackage();
  const triggers = config.triggers ?? ORIGIN_PAIR;
  const sandboxes = {};
  for (const trigger of triggers) {
    const logs = [];
    const hooks = { log: (line) => logs.push(String(line)) };
    const handler = user === undefined ? mod.createHandler(config, hooks) : mod.wrap(user, config, hooks);
    assert.equal(typeof handler, 'function', `${trigger}: no handler`);
    assert.deepEqual(logs.filter((l) => l.includes('tracing disabled')), [], `${trigger}: ${logs.join('\n')}`);
    sandboxes[trigger] = { trigger, handler, logs };
  }
  /** Every span exported through this deployment, in order, with the trigger that sent it. */
  const exported = [];
  const claimed = new WeakSet();

  /**
   * Invokes one sandbox. Returns {result, error, spans, requests}: what the handler resolved
   * with or rejected with, and what the receiver got during the call.
   */
  async function invoke(trigger, event, { sandbox = trigger, context = fakeContext() } = {}) {
    const box = sandboxes[sandbox];
    assert.ok(box, `no sandbox deployed for ${sandbox}`);
    const mark = rx.requests.length;
    let result;
    let error;
    let threw = false;
    try {
      result = await box.handler(event, context);
    } catch (e) {
      threw = true;
      error = e;
    }
    // Concurrent invocations (a burst) share the receiver: an export request belongs to the
    // invocation whose requestId its spans carry, and is claimed once.
    const requestId = event?.Records?.[0]?.cf?.config?.requestId;
    const requests = rx.requests.slice(mark).filter((r) => {
      if (claimed.has(r)) return false;
      const ids = spansOf([r]).map((span) => attributesToObject(span.attributes)['aws.cloudfront.request_id']?.stringValue);
      if (typeof requestId === 'string' && ids.length > 0 && ids.some((id) => id !== requestId)) return false;
      claimed.add(r);
      return true;
    });
    for (const r of requests) assert.deepEqual(r.errors, [], `${trigger}: exported body does not decode against the OTLP schema`);
    const spans = spansOf(requests);
    for (const span of spans) exported.push({ trigger, span });
    return { result, error, threw, spans, requests };
  }

  return {
    config,
    triggers,
    sandboxes,
    exported,
    invoke,
    has: (trigger) => triggers.includes(trigger),
    logs: (trigger) => sandboxes[trigger].logs,
    /** Sum of every sandbox's stats(). */
    stats() {
      const sum = { sampled: 0, exported: 0, dropped: 0 };
      for (const { handler } of Object.values(sandboxes)) {
        const s = handler.stats();
        sum.sampled += s.sampled;
        sum.exported += s.exported;
        sum.dropped += s.dropped;
      }
      return sum;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Events

export const VIEWER_HEADERS = {
  host: [{ key: 'Host', value: 'shop.example.com' }],
  'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' }],
  accept: [{ key: 'Accept', value: 'text/html,application/xhtml+xml' }],
  'accept-encoding': [{ key: 'Accept-Encoding', value: 'gzip, br' }],
};

/** Headers CloudFront itself adds to what it sends towards the origin. */
function originSideHeaders(clientIp) {
  return {
    via: [{ key: 'Via', value: '2.0 3f5c1d27a8b94e60c2d1f0e9a8b7c6d5.cloudfront.net (CloudFront)' }],
    'x-forwarded-for': [{ key: 'X-Forwarded-For', value: clientIp }],
    'cloudfront-forwarded-proto': [{ key: 'CloudFront-Forwarded-Proto', value: 'https' }],
  };
}

function record(eventType, requestId, fields) {
  return {
    Records: [{ cf: { config: { ...DEFAULT_DISTRIBUTION, eventType, requestId }, ...clone(fields) } }],
  };
}

export function defaultOrigin() {
  return {
    status: '200',
    statusDescription: 'OK',
    headers: {
      'content-type': [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }],
      'content-length': [{ key: 'Content-Length', value: '5120' }],
      'cache-control': [{ key: 'Cache-Control', value: 'public, max-age=300' }],
      etag: [{ key: 'ETag', value: '"5001-19a2b3c4d5e"' }],
    },
  };
}

/** A request-trigger result that is a response (what CloudFront returns itself). */
export function isGeneratedResponse(result) {
  return result !== null && typeof result === 'object' && 'status' in result && !('uri' in result);
}

// ---------------------------------------------------------------------------------------------
// The simulator

export class CloudFront {
  /**
   * @param {ReturnType<typeof deploy> extends Promise<infer D> ? D : never} deployment
   * @param {{origin?: (request: object) => object, hideRequestSideHeaders?: boolean}} [options]
   */
  constructor(deployment, { origin = defaultOrigin, hideRequestSideHeaders = false } = {}) {
    this.deployment = deployment;
    this.origin = origin;
    this.hideRequestSideHeaders = hideRequestSideHeaders;
    /** cache key -> the response as origin-response (or origin-request) returned it */
    this.cache = new Map();
  }

  cacheKey(request) {
    const host = request.headers.host?.[0]?.value ?? '';
    return `${host} ${request.uri}?${request.querystring}`;
  }

  /**
   * One viewer request, end to end.
   * @returns {Promise<Flow>}
   */
  async request({
    method = 'GET',
    uri = '/index.html',
    querystring = '',
    headers = VIEWER_HEADERS,
    extraHeaders = {},
    clientIp = '198.51.100.73',
    requestId = newRequestId(),
    origin = this.origin,
    hideRequestSideHeaders = this.hideRequestSideHeaders,
  } = {}) {
    const d = this.deployment;
    const viewerRequest = { clientIp, headers: { ...clone(headers), ...clone(extraHeaders) }, method, querystring, uri };
    const flow = new Flow(requestId, clone(viewerRequest));

    // viewer-request
    let request = clone(viewerRequest);
    if (d.has('viewer-request')) {
      const out = await flow.run(d, 'viewer-request', record('viewer-request', requestId, { request }));
      if (out.threw) return flow.failed('viewer-request');
      if (isGeneratedResponse(out.result)) {
        flow.generatedAt = 'viewer-request';
        flow.viewerResponse = out.result; // viewer-response does not run
        return flow;
      }
      request = out.result;
    }
    flow.requestAfterViewerRequest = clone(request);

    // cache
    const key = this.cacheKey(request);
    let response;
    if (this.cache.has(key)) {
      flow.cache = 'hit';
      response = clone(this.cache.get(key));
    } else {
      flow.cache = 'miss';
      const originFacing = {
        ...clone(request),
        headers: { ...clone(request.headers), ...originSideHeaders(clientIp) },
        origin: clone(CUSTOM_ORIGIN),
      };
      let forwarded = originFacing;
      let generated = false;
      if (d.has('origin-request')) {
        const out = await flow.run(d, 'origin-request', record('origin-request', requestId, { request: originFacing }));
        if (out.threw) return flow.failed('origin-request');
        if (isGeneratedResponse(out.result)) {
          generated = true;
          flow.generatedAt = 'origin-request';
          response = out.result;
        } else forwarded = out.result;
      }
      if (!generated) {
        flow.originSaw = clone(forwarded);
        const answer = origin(clone(forwarded));
        if (answer === ORIGIN_UNREACHABLE) {
          // CloudFront answers 502 itself (origin unreachable): nothing to cache, and the
          // viewer-response trigger runs on CloudFront's own error response. Only used with the
          // viewer pair, where no origin trigger can be involved.
          assert.ok(!d.has('origin-response'), 'ORIGIN_UNREACHABLE is only modelled without origin triggers');
          response = { status: '502', statusDescription: 'Bad Gateway', headers: {} };
          flow.cloudFrontError = true;
          return this.viewerResponse(flow, d, requestId, viewerRequest, request, response, hideRequestSideHeaders);
        }
        flow.originResponse = answer;
        response = clone(flow.originResponse);
        if (d.has('origin-response')) {
          const seen = hideRequestSideHeaders
            ? { ...clone(viewerRequest), headers: { ...clone(viewerRequest.headers), ...originSideHeaders(clientIp) }, origin: clone(CUSTOM_ORIGIN) }
            : forwarded;
          const out = await flow.run(d, 'origin-response', record('origin-response', requestId, { request: seen, response }));
          if (out.threw) return flow.failed('origin-response');
          response = out.result;
        }
        // CloudFront skips viewer-response for an origin status >= 400.
        if (Number(response.status) >= 400) {
          flow.viewerResponse = response;
          return flow;
        }
      }
      this.cache.set(key, clone(response));
    }

    return this.viewerResponse(flow, d, requestId, viewerRequest, request, response, hideRequestSideHeaders);
  }

  async viewerResponse(flow, d, requestId, viewerRequest, request, response, hideRequestSideHeaders) {
    flow.responseBeforeViewerResponse = clone(response);
    if (d.has('viewer-response')) {
      const seen = hideRequestSideHeaders ? viewerRequest : request;
      const out = await flow.run(d, 'viewer-response', record('viewer-response', requestId, { request: seen, response }));
      if (out.threw) return flow.failed('viewer-response');
      response = out.result;
    }
    flow.viewerResponse = response;
    return flow;
  }
}

/** Return it from an `origin` function: CloudFront cannot reach the origin and answers 502. */
export const ORIGIN_UNREACHABLE = Symbol('origin unreachable');

/** What happened to one viewer request. */
export class Flow {
  constructor(requestId, viewerRequest) {
    this.requestId = requestId;
    this.viewerRequest = viewerRequest;
    /** trigger -> the event passed to it (after the call: as the handler left it) */
    this.events = {};
    /** trigger -> a deep copy of the event as CloudFront passed it */
    this.sent = {};
    /** trigger -> the handler's result */
    this.results = {};
    /** trigger -> spans exported during that invocation */
    this.exports = {};
    /** trigger -> number of OTLP export requests during that invocation */
    this.exportRequests = {};
    this.ran = [];
    this.errors = {};
    this.cache = undefined;
    this.generatedAt = undefined;
    this.originSaw = undefined;
    this.originResponse = undefined;
    this.viewerResponse = undefined;
    this.requestAfterViewerRequest = undefined;
    this.responseBeforeViewerResponse = undefined;
    this.failedAt = undefined;
    this.cloudFrontError = false;
  }

  async run(deployment, trigger, event) {
    this.ran.push(trigger);
    this.events[trigger] = event;
    this.sent[trigger] = clone(event);
    const out = await deployment.invoke(trigger, event);
    this.results[trigger] = out.result;
    this.exports[trigger] = out.spans;
    this.exportRequests[trigger] = out.requests.length;
    if (out.threw) this.errors[trigger] = out.error;
    return out;
  }

  failed(trigger) {
    this.failedAt = trigger;
    this.viewerResponse = { status: '502', statusDescription: 'Bad Gateway', headers: {} };
    return this;
  }

  /** Every span this request exported, in trigger order. */
  spans() {
    return this.ran.flatMap((t) => this.exports[t] ?? []);
  }

  /** The request-side headers a trigger's result carries (parsed traceparent etc.). */
  traceparentAfter(trigger) {
    return parseEmittedTraceparent(this.results[trigger]?.headers?.traceparent?.[0]?.value);
  }

  ctxAfter(trigger) {
    return this.results[trigger]?.headers?.['x-edgetrace-ctx']?.[0]?.value;
  }
}

// ---------------------------------------------------------------------------------------------
// Span helpers

/** {key: AnyValue} -> {key: plain JS value} (intValue as a Number). */
export function attrs(span) {
  const out = {};
  for (const [k, v] of Object.entries(attributesToObject(span.attributes))) out[k] = plain(v);
  return out;
}

function plain(v) {
  if (v === undefined || v === null) return v;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('boolValue' in v) return v.boolValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(plain);
  return v;
}

export function hasNoParent(span) {
  return span.parentSpanId === undefined || span.parentSpanId === '';
}

export function statusCode(span) {
  return span.status?.code ?? 0;
}

/** The header value CloudFront would show (first entry), or undefined. */
export function hv(headers, name) {
  return headers?.[name]?.[0]?.value;
}

/** Parses x-edgetrace-ctx v1 `1-<start>[-<parent>]` / v2 `2-<start>-<root>-<root start>[-<parent>]`. */
export function parseEdgeContext(value) {
  let m = /^1-([0-9]{1,19})(?:-([0-9a-f]{16}))?$/.exec(value ?? '');
  if (m) return { version: 1, start: BigInt(m[1]), remoteParent: m[2] };
  m = /^2-([0-9]{1,19})-([0-9a-f]{16})-([0-9]{1,19})(?:-([0-9a-f]{16}))?$/.exec(value ?? '');
  if (m) return { version: 2, start: BigInt(m[1]), rootId: m[2], rootStart: BigInt(m[3]), remoteParent: m[4] };
  return null;
}

/**
 * Over a whole deployment: no span id exported twice, and per sandbox and in total
 * sampled === exported + dropped, exported === what the receiver got.
 */
export function assertBookkeeping(deployment, { dropped = 0 } = {}) {
  const seen = new Map();
  for (const { trigger, span } of deployment.exported) {
    const key = `${span.traceId}/${span.spanId}`;
    assert.ok(!seen.has(key), `span ${key} exported twice: by ${seen.get(key)} and by ${trigger}`);
    seen.set(key, trigger);
  }
  for (const [trigger, { handler }] of Object.entries(deployment.sandboxes)) {
    const s = handler.stats();
    assert.equal(s.sampled, s.exported + s.dropped, `${trigger} sandbox: sampled === exported + dropped ${JSON.stringify(s)}`);
  }
  const s = deployment.stats();
  assert.equal(s.exported, deployment.exported.length, `stats.exported vs spans received ${JSON.stringify(s)}`);
  assert.equal(s.dropped, dropped, `dropped ${JSON.stringify(s)}`);
  assert.equal(s.sampled, s.exported + s.dropped, `sampled === exported + dropped ${JSON.stringify(s)}`);
}

/**
 * Asserts one exported span. `parent: null` means a root (no parent span id); `status` is
 * 'error' or 'unset'; every key of `attributes` must have exactly that value; every key of
 * `absent` must not be there.
 */
export function assertSpan(span, expected, label) {
  assert.ok(span, `${label}: span missing`);
  const { kind, traceId, spanId, name = 'GET', status, attributes = {}, absent = [] } = expected;
  if (kind !== undefined) assert.equal(span.kind, kind, `${label}: kind`);
  if (traceId !== undefined) assert.equal(span.traceId, traceId, `${label}: traceId`);
  if (spanId !== undefined) assert.equal(span.spanId, spanId, `${label}: spanId`);
  if ('parent' in expected) {
    if (expected.parent === null) assert.ok(hasNoParent(span), `${label}: expected a root, parent ${span.parentSpanId}`);
    else assert.equal(span.parentSpanId, expected.parent, `${label}: parentSpanId`);
  }
  assert.equal(span.name, name, `${label}: name`);
  if (status === 'error') assert.equal(statusCode(span), STATUS_ERROR, `${label}: status ERROR, got ${JSON.stringify(span.status)}`);
  else if (status === 'unset') assert.equal(statusCode(span), 0, `${label}: status unset, got ${JSON.stringify(span.status)}`);
  const a = attrs(span);
  for (const [key, value] of Object.entries(attributes)) assert.deepEqual(a[key], value, `${label}: attribute ${key}`);
  for (const key of absent) assert.ok(!(key in a), `${label}: attribute ${key} must be absent, got ${JSON.stringify(a[key])}`);
  const start = BigInt(span.startTimeUnixNano);
  const end = BigInt(span.endTimeUnixNano);
  assert.ok(start > 0n && start <= end, `${label}: 0 < start ${start} <= end ${end}`);
  return a;
}

/** Fails with the spans' summary when `spans` is not exactly `n` long. */
export function assertCount(spans, n, label) {
  const summary = spans.map((s) => `${s.kind === KIND_SERVER ? 'SERVER' : s.kind === KIND_CLIENT ? 'CLIENT' : s.kind} ${s.spanId}<-${s.parentSpanId ?? '-'}`);
  assert.equal(spans.length, n, `${label}: expected ${n} span(s), got ${JSON.stringify(summary)}`);
}

/** Over everything one receiver got: every (traceId, spanId) exactly once, every body decoded. */
export function assertReceiverClean(rx) {
  assert.deepEqual(rx.errors(), [], 'every export decodes against the official OTLP schema');
  const seen = new Set();
  for (const { span } of rx.spans()) {
    const key = `${span.traceId}/${span.spanId}`;
    assert.ok(!seen.has(key), `span ${key} received twice`);
    seen.add(key);
  }
  return seen.size;
}
