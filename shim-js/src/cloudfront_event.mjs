// Reading and changing Lambda@Edge events defensively: every field is untrusted and may be
// missing or of the wrong type; nothing here throws on a malformed event. (Objects whose
// property getters throw, which only a wrapped user's code can return, are the callers'
// concern: edge_tracer.mjs and handler.mjs run every step of their own inside try.)
import { Field } from './wasm_tracer.mjs';

export const EDGE_CONTEXT_HEADER = 'x-edgetrace-ctx';

/** @returns {{config: object, request: object, response?: object} | null} */
export function cloudFrontRecord(event) {
  const cf = event?.Records?.[0]?.cf;
  if (cf === null || typeof cf !== 'object') return null;
  return cf;
}

/** The object CloudFront expects back when edgetrace does nothing: the request for request
 * triggers, the response for response triggers (undefined for an event it cannot read). */
export function passThroughResult(event) {
  try {
    const cf = cloudFrontRecord(event);
    if (cf === null) return undefined;
    const type = cf.config?.eventType;
    if (type === 'origin-response' || type === 'viewer-response') return cf.response;
    if (type === 'origin-request' || type === 'viewer-request') return cf.request;
    return cf.response !== undefined ? cf.response : cf.request;
  } catch {
    // A getter that throws: there is nothing to pass through.
    return undefined;
  }
}

/** All values of one header joined with ",", as HTTP combines repeated fields. */
export function headerValue(headers, name) {
  const list = headers[name];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const first = list[0]?.value;
  if (list.length === 1) return typeof first === 'string' ? first : undefined;
  let joined;
  for (const entry of list) {
    const v = entry?.value;
    if (typeof v !== 'string') continue;
    joined = joined === undefined ? v : joined + ',' + v;
  }
  return joined;
}

/** First value of a header. */
export function firstHeaderValue(headers, name) {
  const v = headers[name]?.[0]?.value;
  return typeof v === 'string' ? v : undefined;
}

export function isHeaderMap(headers) {
  return headers !== null && typeof headers === 'object' && !Array.isArray(headers);
}

export const FILL_STAMP_HEADER = 'x-edgetrace-fill';

/**
 * The longest string attribute value the module keeps (limits.attributeValueLength is at most
 * 4096 characters). Values edgetrace does not bound otherwise (what wrapped code throws, the
 * captured headers) are cut to it before they reach the 64 KiB input arena, so one oversized
 * value cannot cost the whole span.
 */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 4096;

const REQUEST_FIELDS = [
  Field.traceparent,
  Field.tracestate,
  Field.edgeContext,
  Field.host,
  Field.method,
  Field.uri,
  Field.requestId,
  Field.xray,
  Field.b3,
  Field.b3TraceId,
  Field.b3SpanId,
  Field.b3Sampled,
  Field.b3Flags,
];
const requestValues = new Array(REQUEST_FIELDS.length);

/**
 * The fields of one request's trace context: W3C and edgetrace's own, plus X-Ray and B3 when
 * the configuration extracts them (`otherFormats`; each lookup costs on every request).
 */
function readContextHeaders(v, headers, otherFormats) {
  v[0] = headerValue(headers, 'traceparent');
  v[1] = headerValue(headers, 'tracestate');
  v[2] = headerValue(headers, EDGE_CONTEXT_HEADER);
  if (!otherFormats) {
    v[7] = v[8] = v[9] = v[10] = v[11] = v[12] = undefined;
    return;
  }
  v[7] = headerValue(headers, 'x-amzn-trace-id');
  v[8] = headerValue(headers, 'b3');
  v[9] = headerValue(headers, 'x-b3-traceid');
  v[10] = headerValue(headers, 'x-b3-spanid');
  v[11] = headerValue(headers, 'x-b3-sampled');
  v[12] = headerValue(headers, 'x-b3-flags');
}

/**
 * Request side: the trace context headers, and what sampling rules and request-id derived
 * ids need; span attributes are read once, on the closing side.
 * @param {import('./wasm_tracer.mjs').WasmTracer} tracer
 */
export function writeRequestFields(tracer, cf, otherFormats = false) {
  const request = cf.request;
  const v = requestValues;
  readContextHeaders(v, request.headers, otherFormats);
  v[3] = firstHeaderValue(request.headers, 'host');
  v[4] = request.method;
  v[5] = request.uri;
  v[6] = cf.config?.requestId;
  tracer.writeFields(REQUEST_FIELDS, v);
}

const SPAN_FIELDS = [
  ...REQUEST_FIELDS,
  Field.userAgent,
  Field.forwardedProto,
  Field.querystring,
  Field.clientIp,
  Field.distributionId,
  Field.distributionDomain,
  Field.invocationId,
  Field.responseStatus,
  Field.fillStamp,
  Field.capturedRequestHeaders,
  Field.capturedResponseHeaders,
  Field.exceptionType,
  Field.exceptionMessage,
];
const spanValues = new Array(SPAN_FIELDS.length);

/**
 * @typedef {object} SpanInputs
 * @property {object} [response]  the response being closed over (default cf.response)
 * @property {{traceparent?: string, tracestate?: string, edgeContext?: string}} [written]
 *   the trace headers this request's request side set, when the event's own may have been
 *   changed since (a wrapped handler at the same trigger)
 * @property {string} [edgeContext]  the joined x-edgetrace-ctx value, when already read
 * @property {unknown} [error]  what the wrapped handler threw
 * @property {{request: string[], response: string[]}} [capture]  allowlisted header names
 * @property {boolean} [otherFormats]  read X-Ray and B3 headers too (propagation.extract)
 */

/**
 * Closing side: everything the finished spans record.
 * @param {import('./wasm_tracer.mjs').WasmTracer} tracer
 * @param {SpanInputs} inputs
 */
export function writeSpanFields(tracer, cf, context, inputs) {
  const request = cf.request;
  const headers = request.headers;
  const response = inputs.response ?? cf.response;
  const responseHeaders = isHeaderMap(response?.headers) ? response.headers : undefined;
  const config = cf.config !== null && typeof cf.config === 'object' ? cf.config : {};
  const v = spanValues;
  readContextHeaders(v, headers, inputs.otherFormats === true);
  const written = inputs.written;
  if (written !== undefined) {
    v[0] = written.traceparent ?? v[0];
    v[1] = written.tracestate ?? v[1];
    v[2] = written.edgeContext;
  } else if (inputs.edgeContext !== undefined) {
    v[2] = inputs.edgeContext;
  }
  v[3] = firstHeaderValue(headers, 'host');
  v[4] = request.method;
  v[5] = request.uri;
  v[6] = config.requestId;
  v[13] = firstHeaderValue(headers, 'user-agent');
  v[14] = firstHeaderValue(headers, 'cloudfront-forwarded-proto');
  v[15] = request.querystring;
  v[16] = request.clientIp;
  v[17] = config.distributionId;
  v[18] = config.distributionDomainName;
  v[19] = context?.awsRequestId;
  v[20] = statusField(response?.status);
  v[21] = responseHeaders === undefined ? undefined : headerValue(responseHeaders, FILL_STAMP_HEADER);
  v[22] = inputs.capture === undefined ? undefined : encodeHeaders(headers, inputs.capture.request);
  v[23] = inputs.capture === undefined || responseHeaders === undefined ? undefined : encodeHeaders(responseHeaders, inputs.capture.response);
  const error = inputs.error;
  v[24] = error === undefined ? undefined : errorName(error);
  v[25] = error === undefined ? undefined : errorMessage(error);
  tracer.writeFields(SPAN_FIELDS, v);
}

/**
 * ABI field 13: CloudFront sends the status as a string, but wrapped code may set or generate a
 * number (`response.status = 503`), which CloudFront accepts too: its decimal form.
 */
export function statusField(status) {
  return typeof status === 'number' && Number.isInteger(status) ? String(status) : status;
}

/** ABI field 26/27 encoding: `name 0x1F value` records separated by 0x1E. */
export function encodeHeaders(headers, names) {
  let out;
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value === undefined) continue;
    const record = name + '\x1f' + cutAttributeValue(value);
    out = out === undefined ? record : out + '\x1e' + record;
  }
  return out;
}

// What wrapped code threw is the user's object: its getters may throw (a Proxy, a class), and
// the span then still records what can be read.
function errorName(error) {
  try {
    if (error instanceof Error) return cutAttributeValue(error.name);
  } catch {
    return 'Error';
  }
  return typeof error;
}

function errorMessage(error) {
  try {
    if (error instanceof Error) return cutAttributeValue(error.message);
  } catch {
    return undefined;
  }
  return typeof error === 'string' ? cutAttributeValue(error) : undefined;
}

/**
 * A string cut to MAX_ATTRIBUTE_VALUE_LENGTH characters as the module counts them (code
 * points), never splitting a surrogate pair; anything else is returned as is.
 */
export function cutAttributeValue(value) {
  if (typeof value !== 'string' || value.length <= MAX_ATTRIBUTE_VALUE_LENGTH) return value;
  let end = 0;
  for (let kept = 0; kept < MAX_ATTRIBUTE_VALUE_LENGTH && end < value.length; kept++) {
    end += isSurrogatePairAt(value, end) ? 2 : 1;
  }
  return value.slice(0, end);
}

function isSurrogatePairAt(s, i) {
  const high = s.charCodeAt(i);
  if (high < 0xd800 || high > 0xdbff) return false;
  const low = s.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

/** Sets a header in CloudFront's shape, replacing every existing value. */
export function setHeader(headers, name, value) {
  headers[name] = [{ key: name, value }];
}

/** Removes a header, touching the map only when it is there (most requests carry none). */
export function removeHeader(headers, name) {
  if (headers[name] !== undefined) delete headers[name];
}

/** Adds one more value to a header (Server-Timing may repeat). */
export function appendHeader(headers, name, value) {
  const list = headers[name];
  if (Array.isArray(list)) list.push({ key: name, value });
  else headers[name] = [{ key: name, value }];
}

/** A Lambda@Edge request-trigger result that is a response CloudFront returns itself. */
export function isGeneratedResponse(result) {
  if (result === null || typeof result !== 'object') return false;
  try {
    return 'status' in result && !('uri' in result);
  } catch {
    // A Proxy whose `has` trap throws: not something edgetrace can trace as a response.
    return false;
  }
}
