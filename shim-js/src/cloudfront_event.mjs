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

/**
 * Copies the request fields the core reads into the module's input arena.
 * @param {import('./wasm_tracer.mjs').WasmTracer} tracer
 */
export function writeRequestFields(tracer, cf, context) {
  const request = cf.request;
  const headers = request.headers;
  const config = cf.config;
  tracer.beginInput();
  tracer.writeField(Field.traceparent, headerValue(headers, 'traceparent'));
  tracer.writeField(Field.tracestate, headerValue(headers, 'tracestate'));
  tracer.writeField(Field.edgeContext, headerValue(headers, EDGE_CONTEXT_HEADER));
  tracer.writeField(Field.host, firstHeaderValue(headers, 'host'));
  tracer.writeField(Field.userAgent, firstHeaderValue(headers, 'user-agent'));
  tracer.writeField(Field.forwardedProto, firstHeaderValue(headers, 'cloudfront-forwarded-proto'));
  tracer.writeField(Field.method, request.method);
  tracer.writeField(Field.uri, request.uri);
  tracer.writeField(Field.querystring, request.querystring);
  tracer.writeField(Field.clientIp, request.clientIp);
  if (config !== null && typeof config === 'object') {
    tracer.writeField(Field.distributionId, config.distributionId);
    tracer.writeField(Field.distributionDomain, config.distributionDomainName);
    tracer.writeField(Field.requestId, config.requestId);
  }
  tracer.writeField(Field.invocationId, context?.awsRequestId);
}

/** Sets a header in CloudFront's shape, replacing every existing value. */
export function setHeader(headers, name, value) {
  headers[name] = [{ key: name, value }];
}
