// Reading and changing Lambda@Edge events defensively: every field is untrusted and may be
// missing or of the wrong type; nothing here throws on a malformed event.
import { Field } from './wasm_tracer.mjs';

export const EDGE_CONTEXT_HEADER = 'x-edgetrace-ctx';

/** @returns {{config: object, request: object, response?: object} | null} */
export function cloudFrontRecord(event) {
  const cf = event?.Records?.[0]?.cf;
  if (cf === null || typeof cf !== 'object') return null;
  return cf;
}

/** The object CloudFront expects back when edgetrace does nothing: the request for request
 * triggers, the response for response triggers. */
export function passThroughResult(event) {
  const cf = cloudFrontRecord(event);
  if (cf === null) return undefined;
  const type = cf.config?.eventType;
  if (type === 'origin-response' || type === 'viewer-response') return cf.response;
  if (type === 'origin-request' || type === 'viewer-request') return cf.request;
  return cf.response !== undefined ? cf.response : cf.request;
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

const PROPAGATION_FIELDS = [Field.traceparent, Field.tracestate];
const propagationValues = new Array(PROPAGATION_FIELDS.length);

/**
 * Request side: only the propagation headers are needed to continue or start a trace and
 * decide sampling; span attributes are read once, on the response side.
 * @param {import('./wasm_tracer.mjs').WasmTracer} tracer
 */
export function writePropagationFields(tracer, headers) {
  propagationValues[0] = headerValue(headers, 'traceparent');
  propagationValues[1] = headerValue(headers, 'tracestate');
  tracer.writeFields(PROPAGATION_FIELDS, propagationValues);
}

const SPAN_FIELDS = [
  Field.traceparent,
  Field.tracestate,
  Field.edgeContext,
  Field.host,
  Field.userAgent,
  Field.forwardedProto,
  Field.method,
  Field.uri,
  Field.querystring,
  Field.clientIp,
  Field.distributionId,
  Field.distributionDomain,
  Field.requestId,
  Field.invocationId,
  Field.responseStatus,
];
const spanValues = new Array(SPAN_FIELDS.length);

/**
 * Response side: everything the finished span records. `edgeContext` is the joined
 * x-edgetrace-ctx value when the caller has already read it.
 * @param {import('./wasm_tracer.mjs').WasmTracer} tracer
 */
export function writeSpanFields(tracer, cf, context, edgeContext = headerValue(cf.request.headers, EDGE_CONTEXT_HEADER)) {
  const request = cf.request;
  const headers = request.headers;
  const config = cf.config !== null && typeof cf.config === 'object' ? cf.config : {};
  const v = spanValues;
  v[0] = headerValue(headers, 'traceparent');
  v[1] = headerValue(headers, 'tracestate');
  v[2] = edgeContext;
  v[3] = firstHeaderValue(headers, 'host');
  v[4] = firstHeaderValue(headers, 'user-agent');
  v[5] = firstHeaderValue(headers, 'cloudfront-forwarded-proto');
  v[6] = request.method;
  v[7] = request.uri;
  v[8] = request.querystring;
  v[9] = request.clientIp;
  v[10] = config.distributionId;
  v[11] = config.distributionDomainName;
  v[12] = config.requestId;
  v[13] = context?.awsRequestId;
  v[14] = cf.response?.status;
  tracer.writeFields(SPAN_FIELDS, v);
}

/** Sets a header in CloudFront's shape, replacing every existing value. */
export function setHeader(headers, name, value) {
  headers[name] = [{ key: name, value }];
}
