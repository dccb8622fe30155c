// What CloudFront does with the value a Lambda@Edge function returned: accept a (modified)
// request, a generated response (request triggers: an object with `status`), or a (modified)
// response (response triggers), or reject it as a validation error (the viewer gets 502).
// Sources: CloudFront Developer Guide, "Generating HTTP responses in request triggers"
// (status 200-599 required, body text|base64, 40 KB viewer / 1 MB origin size limits, 204 with a
// body at viewer-request is an error) and "Restrictions on all edge functions" (headers).
import { fieldTextError, headerChangeError, headerMapError, withKeys } from './header_rules.mjs';

/** @typedef {import('./header_rules.mjs').Trigger} Trigger */
/** @typedef {import('./events.mjs').CfRequest} CfRequest */
/** @typedef {import('./events.mjs').CfResponse} CfResponse */
/**
 * @typedef {{kind: 'request', request: CfRequest}
 *   | {kind: 'response', response: CfResponse, body?: Buffer, generated: boolean, notes: string[]}
 *   | {kind: 'invalid', reason: string}} FunctionResult
 */

/** Max size (headers + body) of a response generated at each request trigger. */
export const GENERATED_RESPONSE_LIMIT = { 'viewer-request': 40 * 1024, 'origin-request': 1024 * 1024 };
/** Max body an origin-response function may put in place of the origin's. */
export const REPLACED_BODY_LIMIT = 1024 * 1024;
const BAD_QUERY_CHARS = /[\x00-\x20\x7f#]/;

const invalid = (reason) => ({ kind: 'invalid', reason });
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * @param {Trigger} trigger
 * @param {{request: CfRequest, response?: CfResponse}} given  the cf record handed to the function
 * @param {unknown} value  what the function returned, after Lambda's JSON round trip
 * @returns {FunctionResult}
 */
export function interpretResult(trigger, given, value) {
  if (!isObject(value)) return invalid(`the function returned ${value === null ? 'null' : typeof value}, not an object`);
  if (trigger === 'viewer-request' || trigger === 'origin-request') {
    return 'status' in value ? generatedResponse(trigger, value) : modifiedRequest(trigger, given.request, value);
  }
  return modifiedResponse(trigger, given.response, value);
}

/** @returns {FunctionResult} */
function modifiedRequest(trigger, before, value) {
  if (!isObject(value.headers)) return invalid('the returned request has no headers object');
  const headerError = headerChangeError(trigger, before.headers, value.headers);
  if (headerError) return invalid(headerError);
  const uri = value.uri ?? before.uri;
  if (typeof uri !== 'string' || !uri.startsWith('/') || BAD_QUERY_CHARS.test(uri)) return invalid(`invalid uri ${JSON.stringify(uri)}`);
  const querystring = value.querystring ?? before.querystring;
  if (typeof querystring !== 'string' || BAD_QUERY_CHARS.test(querystring)) {
    return invalid(`invalid querystring ${JSON.stringify(querystring)} (no spaces, control characters or '#')`);
  }
  if (uri.length + querystring.length >= 8192) return invalid('uri and querystring are 8,192 characters or more');
  /** @type {CfRequest} */
  const request = { ...before, headers: withKeys(value.headers), uri, querystring };
  if (trigger === 'origin-request') {
    if (!isObject(value.origin) || !isObject(value.origin.custom) || Object.keys(value.origin).length !== 1) {
      return invalid('the returned request must keep exactly one custom origin');
    }
    const customHeadersError = headerMapError(value.origin.custom.customHeaders ?? {});
    if (customHeadersError) return invalid(`origin.custom.customHeaders: ${customHeadersError}`);
    request.origin = { custom: { ...before.origin.custom, ...value.origin.custom } };
  }
  // method and clientIp are CloudFront's own: changes to them are ignored, not applied.
  return { kind: 'request', request };
}

/** @returns {FunctionResult} */
function generatedResponse(trigger, value) {
  const status = statusNumber(value.status);
  if (status === null) return invalid(`generated response status ${JSON.stringify(value.status)} is not 200-599`);
  const headers = value.headers ?? {};
  const headerError = headerChangeError(trigger, {}, headers);
  if (headerError) return invalid(`generated response: ${headerError}`);
  const body = decodeBody(value);
  if (typeof body === 'string') return invalid(`generated response: ${body}`);
  if (trigger === 'viewer-request' && status === 204 && value.body !== undefined) {
    return invalid('generated response: status 204 (No Content) with a body');
  }
  const size = body.length + JSON.stringify(headers).length;
  if (size > GENERATED_RESPONSE_LIMIT[trigger]) {
    return invalid(`generated response is ${size} bytes, over the ${GENERATED_RESPONSE_LIMIT[trigger]}-byte limit at ${trigger}`);
  }
  const statusDescription = typeof value.statusDescription === 'string' ? value.statusDescription : '';
  const descriptionError = statusDescriptionError(statusDescription);
  if (descriptionError) return invalid(`generated response: ${descriptionError}`);
  return { kind: 'response', response: { status: String(status), statusDescription, headers: withKeys(headers) }, body, generated: true, notes: [] };
}

/** @returns {FunctionResult} */
function modifiedResponse(trigger, before, value) {
  const status = statusNumber(value.status);
  if (status === null) return invalid(`response status ${JSON.stringify(value.status)} is not 200-599`);
  if (!isObject(value.headers)) return invalid('the returned response has no headers object');
  const headerError = headerChangeError(trigger, before.headers, value.headers);
  if (headerError) return invalid(headerError);
  const notes = [];
  let finalStatus = String(status);
  if (trigger === 'viewer-response' && finalStatus !== before.status) {
    // "Lambda@Edge functions for viewer response events cannot modify the HTTP status code"
    // (AWS). Whether CloudFront ignores the change or rejects it is not documented: ignored here.
    notes.push(`viewer-response changed status ${before.status} -> ${finalStatus}: ignored, as CloudFront does not let it`);
    finalStatus = before.status;
  }
  const response = {
    status: finalStatus,
    statusDescription: typeof value.statusDescription === 'string' ? value.statusDescription : before.statusDescription,
    headers: withKeys(value.headers),
  };
  const descriptionError = statusDescriptionError(response.statusDescription);
  if (descriptionError) return invalid(descriptionError);
  if (trigger === 'origin-response' && value.body !== undefined) {
    const body = decodeBody(value);
    if (typeof body === 'string') return invalid(body);
    if (body.length > REPLACED_BODY_LIMIT) return invalid(`replaced body is ${body.length} bytes, over ${REPLACED_BODY_LIMIT}`);
    return { kind: 'response', response, body, generated: false, notes };
  }
  return { kind: 'response', response, generated: false, notes };
}

/**
 * The status description becomes the reason phrase of the status line, which takes the same
 * characters as a header value (RFC 9112: HTAB, SP, VCHAR, obs-text; header_rules.mjs). What
 * CloudFront checks here is not documented (an HTTP/2 viewer gets no reason phrase at all);
 * the emulator rejects at least what it cannot send, as for header values.
 * @returns {string | null}
 */
function statusDescriptionError(text) {
  const error = fieldTextError(text, 'what CloudFront accepts here is not documented');
  return error && `statusDescription ${JSON.stringify(text)} has ${error}`;
}

function statusNumber(status) {
  const n = typeof status === 'number' ? status : typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : NaN;
  return Number.isInteger(n) && n >= 200 && n <= 599 ? n : null;
}

/** @returns {Buffer | string} the body bytes, or why they are invalid */
function decodeBody({ body, bodyEncoding }) {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body !== 'string') return 'body is not a string';
  const encoding = bodyEncoding ?? 'text';
  if (encoding === 'text') return Buffer.from(body, 'utf8');
  if (encoding !== 'base64') return `bodyEncoding ${JSON.stringify(encoding)} is not text or base64`;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) return 'body is not valid base64';
  return Buffer.from(body, 'base64');
}
