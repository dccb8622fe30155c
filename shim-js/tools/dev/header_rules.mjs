// CloudFront's header rules for Lambda@Edge, per trigger: which headers a function never sees
// and may never add ("disallowed"), which it may read but not add, change or delete
// ("read-only"), and the shape every header map must have. Breaking any of them makes
// CloudFront answer the viewer 502 (LambdaValidationError).
//
// Sources: ../shared/docs/PLATFORM.md section 2 and the CloudFront Developer Guide
// ("Restrictions on all edge functions": disallowed and read-only headers). Where the two
// differ, the AWS list wins because it is the longer one: viewer-response also protects
// Content-Encoding, Content-Length and Transfer-Encoding, origin-request also Content-Length
// and Transfer-Encoding; the X-Amzn-* internals are the ten AWS names, so X-Amzn-Trace-Id stays
// settable.

/** @typedef {'viewer-request'|'origin-request'|'origin-response'|'viewer-response'} Trigger */

/** @type {readonly Trigger[]} */
export const TRIGGERS = Object.freeze(['viewer-request', 'origin-request', 'origin-response', 'viewer-response']);

const DISALLOWED = new Set([
  'connection',
  'expect',
  'keep-alive',
  'trailer',
  'upgrade',
  'x-amzn-auth',
  'x-amzn-cf-billing',
  'x-amzn-cf-id',
  'x-amzn-cf-xff',
  'x-amzn-errortype',
  'x-amzn-fle-profile',
  'x-amzn-header-count',
  'x-amzn-header-order',
  'x-amzn-lambda-integration-tag',
  'x-amzn-requestid',
  'x-cache',
  'x-forwarded-proto',
  'x-real-ip',
]);
const DISALLOWED_PREFIXES = ['proxy-', 'x-accel-', 'x-amz-cf-', 'x-edge-'];
// CloudFront adds CloudFront-Viewer-Country after the viewer request event: on viewer events
// it is not exposed and not settable.
const DISALLOWED_ON_VIEWER_EVENTS = new Set(['cloudfront-viewer-country']);

/** @type {Record<Trigger, ReadonlySet<string>>} */
const READ_ONLY = {
  'viewer-request': new Set(['content-length', 'host', 'transfer-encoding', 'via']),
  'origin-request': new Set([
    'accept-encoding',
    'content-length',
    'if-modified-since',
    'if-none-match',
    'if-range',
    'if-unmodified-since',
    'transfer-encoding',
    'via',
  ]),
  'origin-response': new Set(['transfer-encoding', 'via']),
  'viewer-response': new Set(['content-encoding', 'content-length', 'transfer-encoding', 'warning', 'via']),
};

// Characters in header values (and, in function_result.mjs, in statusDescription):
// * CloudFront rejects control characters; tab is fine. Its log for a CR in Location reads
//   "Lambda function result validation failed, the function returned an invalid header,
//   invalid character : '%0D' in header value" (aws-ia/cloudformation-aws-marketplace-saas#54).
// * CloudFront takes values as UTF-8 (Developer Guide, "Restrictions on all edge functions",
//   "URI, query string, and headers encoding": functions should return UTF-8, and a value a
//   function changed is forwarded UTF-8 encoded). The page speaks of what goes to the origin;
//   nothing says response headers differ, so a character above U+00FF is taken to be valid
//   there. The emulator cannot send one: Node's http writes header values and the status line
//   as Latin-1 and throws on anything above U+00FF. So it answers the 502 CloudFront gives an
//   invalid result, with a reason that says the limit is the emulator's, rather than crash or
//   put other bytes on the wire than CloudFront would.
const CONTROL_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
const ABOVE_LATIN1 = /[^\x00-\xff]/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
// A key is the name in any case. Spelled out rather than /i: 'K' (Kelvin sign) lower-cases to
// 'k', so comparing lower-cased names alone would let a key through that Node refuses to send.
const TOKEN_ANY_CASE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header a function at `trigger` never sees and may never add. */
export function isDisallowed(name, trigger) {
  const lower = name.toLowerCase();
  if (DISALLOWED.has(lower) || DISALLOWED_PREFIXES.some((p) => lower.startsWith(p))) return true;
  return trigger.startsWith('viewer-') && DISALLOWED_ON_VIEWER_EVENTS.has(lower);
}

/** A header a function at `trigger` may read but not add, change or delete. */
export function isReadOnly(name, trigger) {
  return READ_ONLY[trigger]?.has(name.toLowerCase()) ?? false;
}

/** The read-only header names of a trigger (for documentation and tests). */
export function readOnlyHeaders(trigger) {
  return [...READ_ONLY[trigger]];
}

/** "U+20AC": how a reason names a character. */
function codePointName(text, index) {
  return `U+${text.codePointAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why a header value or a status description cannot reach the viewer, or null (see the
 * character rules above).
 * @param {string} text
 * @param {string} [aboveLatin1]  what CloudFront does with a character above U+00FF, for the reason
 * @returns {string | null} e.g. "a control character (U+000D) at index 3"
 */
export function fieldTextError(text, aboveLatin1 = '') {
  const control = CONTROL_CHAR.exec(text);
  if (control) return `a control character (${codePointName(text, control.index)}) at index ${control.index}`;
  const wide = ABOVE_LATIN1.exec(text);
  if (!wide) return null;
  return (
    `a character above U+00FF (${codePointName(text, wide.index)}) at index ${wide.index}, which the emulator cannot send: ` +
    `Node's http writes only Latin-1 (up to U+00FF)${aboveLatin1 ? `; ${aboveLatin1}` : ''}`
  );
}

/**
 * Checks the shape CloudFront requires of a header map: lowercase names mapping to arrays of
 * {key?, value}, where key (when given) is the same name in any case and value a string
 * that can be sent (fieldTextError).
 * @returns {string | null} why the map is invalid, or null
 */
export function headerMapError(headers) {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return 'headers is not an object';
  for (const [name, list] of Object.entries(headers)) {
    if (name !== name.toLowerCase() || !TOKEN.test(name)) return `header name '${name}' is not a lowercase HTTP token`;
    if (!Array.isArray(list)) return `header '${name}' is not an array of {key, value}`;
    for (const entry of list) {
      if (entry === null || typeof entry !== 'object') return `header '${name}' has an entry that is not an object`;
      if (typeof entry.value !== 'string') return `header '${name}' has a value that is not a string`;
      const textError = fieldTextError(entry.value, 'CloudFront takes UTF-8 header values, percent-encode it to run it here');
      if (textError) return `header '${name}' has a value with ${textError}`;
      if (entry.key !== undefined && (typeof entry.key !== 'string' || !TOKEN_ANY_CASE.test(entry.key) || entry.key.toLowerCase() !== name)) {
        return `header '${name}' has key '${entry.key}', which is not the same name`;
      }
    }
  }
  return null;
}

function valuesOf(headers, name) {
  const list = headers?.[name];
  return Array.isArray(list) ? list.map((e) => e?.value) : [];
}

function sameValues(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Compares the headers a function returned with those it was given, as CloudFront validates a
 * function result: shape first, then no disallowed header added, no read-only header added,
 * changed or deleted.
 * @param {Trigger} trigger
 * @param {object} before  the header map in the event
 * @param {object} after   the header map the function returned
 * @returns {string | null} the validation error, or null when CloudFront accepts the change
 */
export function headerChangeError(trigger, before, after) {
  const shape = headerMapError(after);
  if (shape) return shape;
  for (const name of Object.keys(after)) {
    if (isDisallowed(name, trigger) && valuesOf(after, name).length > 0) {
      return `the function tried to add a disallowed header: ${name}`;
    }
  }
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const name of names) {
    if (isReadOnly(name, trigger) && !sameValues(valuesOf(before, name), valuesOf(after, name))) {
      return `the function tried to add, delete or change a read-only header: ${name}`;
    }
  }
  return null;
}

/** "x-amz-cf-id" -> "X-Amz-Cf-Id": the key CloudFront fills in when a function omits it. */
export function canonicalKey(name) {
  return name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
}

/** A copy of a validated header map with every missing `key` filled in. */
export function withKeys(headers) {
  const out = {};
  for (const [name, list] of Object.entries(headers)) {
    out[name] = list.map((e) => ({ key: e.key ?? canonicalKey(name), value: e.value }));
  }
  return out;
}
