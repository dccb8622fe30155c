// Shared assertions of the pass-through contract:
//   origin-request  returns cf.request unchanged apart from traceparent / tracestate /
//                   x-edgetrace-ctx, in CloudFront's header shape;
//   origin-response returns cf.response itself, unchanged;
//   viewer triggers and unknown events are returned untouched.
import assert from 'node:assert/strict';
import { TRACE_HEADERS, headerValues, parseEmittedTraceparent, withoutTraceHeaders } from './events.mjs';

// CloudFront rejects (502) header values with control characters; everything edgetrace
// writes must be printable ASCII.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Every trace header edgetrace wrote: exactly one {key, value} entry, key matching the name. */
export function assertTraceHeaderShape(request) {
  for (const name of TRACE_HEADERS) {
    const list = request.headers[name];
    if (list === undefined) continue;
    assert.ok(Array.isArray(list), `${name}: header must be an array of {key, value}`);
    assert.equal(list.length, 1, `${name}: edgetrace must write exactly one entry, got ${JSON.stringify(list)}`);
    const [entry] = list;
    assert.deepEqual(Object.keys(entry).sort(), ['key', 'value'], `${name}: entry must be {key, value}`);
    assert.equal(entry.key.toLowerCase(), name, `${name}: key '${entry.key}' must match the header name`);
    assert.equal(typeof entry.value, 'string', `${name}: value must be a string`);
    assert.match(entry.value, PRINTABLE_ASCII, `${name}: value must be printable ASCII: ${JSON.stringify(entry.value)}`);
    assert.ok(entry.value.length > 0, `${name}: empty value (send no header instead)`);
  }
}

/**
 * origin-request pass-through: `after` equals `before` except for the trace headers, and a
 * valid version-00 traceparent was injected.
 * @returns {{traceId, spanId, flags}} the injected context
 */
export function assertOriginRequestPassThrough(before, after, what = 'origin-request') {
  assert.ok(after && typeof after === 'object', `${what}: handler must resolve with the request object`);
  assert.deepStrictEqual(
    withoutTraceHeaders(after),
    withoutTraceHeaders(before),
    `${what}: request changed beyond traceparent/tracestate/x-edgetrace-ctx`,
  );
  assertTraceHeaderShape(after);
  const tp = headerValues(after.headers, 'traceparent');
  assert.equal(tp.length, 1, `${what}: expected exactly one injected traceparent, got ${JSON.stringify(tp)}`);
  const parsed = parseEmittedTraceparent(tp[0]);
  assert.ok(parsed, `${what}: injected traceparent is not a valid version-00 header: ${tp[0]}`);
  assert.equal(parsed.flags & ~0x03, 0, `${what}: flags other than sampled/random must be 0: ${tp[0]}`);
  const sampled = (parsed.flags & 1) === 1;
  const ctx = headerValues(after.headers, 'x-edgetrace-ctx');
  // Sampled or not: its presence tells the response side that the request side saw the request.
  assert.equal(ctx.length, 1, `${what}: every traced request carries exactly one x-edgetrace-ctx for the response side`);
  return parsed;
}

/** The request is returned exactly as it came in (no trace header added either). */
export function assertUntouched(before, after, what) {
  assert.deepStrictEqual(after, before, `${what}: must be returned untouched`);
}

/** A span's `flags` field: low byte = W3C flags of the span's own context. */
export function spanTraceFlags(span) {
  return (span.flags ?? 0) & 0xff;
}

export const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
export const SPAN_FLAGS_IS_REMOTE = 0x200;
