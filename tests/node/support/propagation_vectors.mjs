// Differential vectors for the AWS X-Ray (`X-Amzn-Trace-Id`) and Zipkin B3 (`b3`, `x-b3-*`)
// parsers: seeded valid and invalid headers, each with
//   otel  the decision of the OFFICIAL OpenTelemetry JS propagators
//         (@opentelemetry/propagator-aws-xray AWSXRayPropagator, @opentelemetry/propagator-b3
//         B3Propagator): {valid, traceId, spanId, sampled};
//   spec  what the written specification says, as edgetrace reads it (AWS X-Ray tracing header
//         docs and SDKs; openzipkin/b3-propagation README; RFC 9110 for whitespace). Every
//         strictness decision here is the one edgetrace's C++ parsers make and pin with tests
//         (edge/include/edge/propagation/xray.h, b3.h).
//
//   generateXRayCases(seed, n) -> [{family, header, spec, otel}]
//   generateB3Cases(seed, n)   -> [{family, kind: 'single', header, spec, otel}
//                                  | {family, kind: 'multi', headers, spec, otel}]
//   generateInjectCases(seed, n) -> [{family, kind: 'inject', context, spec, otel}]
//     the other direction: a span context {traceId, spanId, sampled, lineage} and the headers
//     injected for it, by OTel JS (AWSXRayPropagator, B3Propagator single and multi) and as
//     edgetrace writes them (edge/include/edge/propagation/inject.h): {xray, b3, b3TraceId,
//     b3SpanId, b3Sampled, other}, '' = not injected, `other` = any further header names.
// Both return the fixed edge cases (every family) plus n seeded random ones (valid-shaped and
// mutated). `headers` = {traceId, spanId, parentSpanId, sampled, flags}; undefined = absent.
// toProbeLine(c) encodes a case for tests/unit/support/propagation_probe.cc.
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import b3Package from '@opentelemetry/propagator-b3';

import { makeRng } from './seeded_rng.mjs';

const { B3Propagator, B3InjectEncoding } = b3Package; // CommonJS: no static named export

// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------
// OpenTelemetry JS decisions

const xrayPropagator = new AWSXRayPropagator();
const b3Propagator = new B3Propagator();
const b3MultiInjector = new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
const getter = { keys: (carrier) => Object.keys(carrier), get: (carrier, key) => carrier[key] };
const OTEL_INVALID = Object.freeze({ valid: false, traceId: '', spanId: '', sampled: false });

function otelDecision(ctx) {
  const sc = trace.getSpanContext(ctx);
  if (!sc) return OTEL_INVALID;
  return { valid: true, traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & 1) === 1 };
}

export function otelXRay(header) {
  return otelDecision(xrayPropagator.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, getter));
}

export function otelB3Single(header) {
  return otelDecision(b3Propagator.extract(ROOT_CONTEXT, { b3: header }, getter));
}

const MULTI_HEADER_NAMES = {
  traceId: 'x-b3-traceid',
  spanId: 'x-b3-spanid',
  parentSpanId: 'x-b3-parentspanid',
  sampled: 'x-b3-sampled',
  flags: 'x-b3-flags',
};

export function otelB3Multi(headers) {
  const carrier = {};
  for (const [field, name] of Object.entries(MULTI_HEADER_NAMES)) {
    if (headers[field] !== undefined) carrier[name] = headers[field];
  }
  return otelDecision(b3Propagator.extract(ROOT_CONTEXT, carrier, getter));
}

const setter = { set: (carrier, key, value) => { carrier[key] = value; } };
const B3_MULTI_INJECTED = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'];

/** What the OTel JS propagators inject for a local span context (no Lineage: OTel JS has none). */
export function otelInject({ traceId, spanId, sampled }) {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: false,
  });
  const xray = {};
  xrayPropagator.inject(ctx, xray, setter);
  const single = {};
  b3Propagator.inject(ctx, single, setter);
  const multi = {};
  b3MultiInjector.inject(ctx, multi, setter);
  const other = [...Object.keys(xray), ...Object.keys(single), ...Object.keys(multi)].filter(
    (k) => !['x-amzn-trace-id', 'b3', ...B3_MULTI_INJECTED].includes(k),
  );
  return {
    xray: xray['x-amzn-trace-id'] ?? '',
    b3: single.b3 ?? '',
    b3TraceId: multi['x-b3-traceid'] ?? '',
    b3SpanId: multi['x-b3-spanid'] ?? '',
    b3Sampled: multi['x-b3-sampled'] ?? '',
    other,
  };
}

// ---------------------------------------------------------------------------------------------
// The specification, as edgetrace reads it

const trimOws = (s) => s.replace(/^[ \t]+|[ \t]+$/g, ''); // RFC 9110 OWS = *( SP / HTAB )
const isZero = (hex) => /^0+$/.test(hex);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // RFC 9110 token
const VCHARS = /^[\x21-\x7e]*$/;

export const XRAY_MAX_HEADER_SIZE = 256;
const XRAY_MAX_LINEAGE_SIZE = 64;
const XRAY_MAX_EXTRA_FIELDS = 8;
const XRAY_RESERVED_KEYS = ['root', 'parent', 'sampled', 'lineage', 'self'];
const XRAY_SAMPLED = { 1: 'sampled', 0: 'not_sampled', '?': 'unknown' };
const XRAY_EMPTY = Object.freeze({
  valid: false, rootOnly: false, traceId: '', spanId: '', sampling: 'unknown', lineage: '', extra: [],
});

function xrayLineageIsValid(v) {
  return v.length >= 1 && v.length <= XRAY_MAX_LINEAGE_SIZE && /^[0-9a-f](?:[0-9a-f:|]*[0-9a-f])?$/.test(v);
}

/**
 * AWS X-Ray tracing header: `Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<1|0|?>` plus
 * Lineage and other fields (AWS X-Ray developer guide, "Tracing header"; aws-xray-sdk-java and
 * -go TraceHeader). Decisions: see edge/include/edge/propagation/xray.h.
 */
export function specXRay(header) {
  if (header.length === 0 || Buffer.byteLength(header, 'utf8') > XRAY_MAX_HEADER_SIZE) return XRAY_EMPTY;
  let traceId = '';
  let spanId = '';
  let sampling = 'unknown';
  let lineage = '';
  const extra = [];
  const seen = new Set();
  for (const raw of header.split(';')) {
    const part = trimOws(raw);
    if (part === '') continue;
    const eq = part.indexOf('=');
    const hasValue = eq >= 0;
    const key = trimOws(hasValue ? part.slice(0, eq) : part);
    const value = hasValue ? trimOws(part.slice(eq + 1)) : '';
    if (key === 'Root' || key === 'Parent' || key === 'Sampled') {
      if (!hasValue || seen.has(key)) return XRAY_EMPTY;
      seen.add(key);
      if (key === 'Root') {
        const m = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(value);
        if (!m || isZero(m[1] + m[2])) return XRAY_EMPTY;
        traceId = m[1] + m[2];
      } else if (key === 'Parent') {
        if (!/^[0-9a-f]{16}$/.test(value) || isZero(value)) return XRAY_EMPTY;
        spanId = value;
      } else {
        if (!Object.hasOwn(XRAY_SAMPLED, value)) return XRAY_EMPTY;
        sampling = XRAY_SAMPLED[value];
      }
      continue;
    }
    if (!hasValue) continue;
    if (key === 'Lineage') {
      if (!lineage && xrayLineageIsValid(value)) lineage = value;
      continue;
    }
    const carried = TOKEN.test(key) && !XRAY_RESERVED_KEYS.includes(key.toLowerCase()) && VCHARS.test(value);
    if (carried && extra.length < XRAY_MAX_EXTRA_FIELDS) extra.push(`${key}=${value}`);
  }
  if (!traceId) return XRAY_EMPTY;
  return { valid: spanId !== '', rootOnly: spanId === '', traceId, spanId, sampling, lineage, extra };
}

const B3_STATES = { 0: 'deny', 1: 'accept', d: 'debug' };
const B3_EMPTY = Object.freeze({ valid: false, traceId: '', spanId: '', parentSpanId: '', sampling: 'unset' });

/**
 * `b3: {TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}`, "where the last two fields are
 * optional", or just a SamplingState (openzipkin/b3-propagation README, "Single Header").
 * OWS is removed at the HTTP boundary first (RFC 9110 section 5.5).
 */
export function specB3Single(header) {
  const v = trimOws(header);
  if (v.length === 1) return B3_STATES[v] ? { ...B3_EMPTY, sampling: B3_STATES[v] } : B3_EMPTY;
  const m = /^([0-9a-f]{32}|[0-9a-f]{16})-([0-9a-f]{16})(?:-([01d]))?(?:-([0-9a-f]{16}))?$/.exec(v);
  if (!m || isZero(m[1]) || isZero(m[2])) return B3_EMPTY;
  return {
    valid: true,
    traceId: m[1].padStart(32, '0'),
    spanId: m[2],
    parentSpanId: m[4] && !isZero(m[4]) ? m[4] : '',
    sampling: m[3] ? B3_STATES[m[3]] : 'unset',
  };
}

const B3_SAMPLED = { 1: 'accept', true: 'accept', True: 'accept', 0: 'deny', false: 'deny', False: 'deny' };

/** The x-b3-* headers (README, "Multiple Headers"); x-b3-parentspanid is not read. */
export function specB3Multi(headers) {
  const [traceId, spanId, sampled, flags] = ['traceId', 'spanId', 'sampled', 'flags'].map((f) =>
    trimOws(headers[f] ?? ''),
  );
  let sampling = 'unset';
  if (sampled !== '') {
    if (!Object.hasOwn(B3_SAMPLED, sampled)) return B3_EMPTY;
    sampling = B3_SAMPLED[sampled];
  }
  if (flags === '1') sampling = 'debug';
  if (traceId === '' && spanId === '') return { ...B3_EMPTY, sampling };
  if (!/^(?:[0-9a-f]{16}|[0-9a-f]{32})$/.test(traceId) || isZero(traceId)) return B3_EMPTY;
  if (!/^[0-9a-f]{16}$/.test(spanId) || isZero(spanId)) return B3_EMPTY;
  return { valid: true, traceId: traceId.padStart(32, '0'), spanId, parentSpanId: '', sampling };
}

const INJECT_NOTHING = Object.freeze({ xray: '', b3: '', b3TraceId: '', b3SpanId: '', b3Sampled: '', other: [] });

/**
 * The headers for a span context: X-Ray "Root=1-<8>-<24>;Parent=<16>;Sampled=<1|0>" (AWS X-Ray
 * tracing header) with the Lineage when well-formed (AWS: Lambda adds it to detect recursive
 * loops; OTel Java carries it), B3 single "{TraceId}-{SpanId}-{SamplingState}" and multi
 * x-b3-traceid / x-b3-spanid / x-b3-sampled (openzipkin/b3-propagation; the parent span id is
 * optional and not sent). Nothing for an invalid context.
 */
export function specInject({ traceId, spanId, sampled, lineage }) {
  const valid = /^[0-9a-f]{32}$/.test(traceId) && !isZero(traceId) && /^[0-9a-f]{16}$/.test(spanId) && !isZero(spanId);
  if (!valid) return INJECT_NOTHING;
  const s = sampled ? '1' : '0';
  const lineageField = xrayLineageIsValid(lineage) ? `;Lineage=${lineage}` : '';
  return {
    xray: `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=${s}${lineageField}`,
    b3: `${traceId}-${spanId}-${s}`,
    b3TraceId: traceId,
    b3SpanId: spanId,
    b3Sampled: s,
    other: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Generators

const OWS_CHARS = [' ', '\t'];
const NON_OWS_WHITESPACE = ['\n', '\r', '\v', '\f', '\u00a0', '\ufeff', '\u2028', '\u3000', '\r\n'];
const NON_HEX = ['g', 'z', 'G', 'x', '.', '+', '_', '/', ':', 'é', '０', '\u0000', ' '];

const mutateAt = (s, i, c) => s.slice(0, i) + c + s.slice(i + 1);
const ows = (rng) => Array.from({ length: 1 + rng.int(2) }, () => rng.pick(OWS_CHARS)).join('');

function upperOneLetter(rng, hex) {
  const letters = [...hex].map((c, i) => (/[a-f]/.test(c) ? i : -1)).filter((i) => i >= 0);
  if (!letters.length) return `${hex.slice(0, -1)}A`;
  const i = rng.pick(letters);
  return mutateAt(hex, i, hex[i].toUpperCase());
}

/** All letters or one letter upper-cased; always changes the value. */
function upper(rng, hex) {
  return rng.next() < 0.5 && /[a-f]/.test(hex) ? hex.toUpperCase() : upperOneLetter(rng, hex);
}

/** Random char-level edits: replace, insert or delete. */
function mutate(rng, s, pool) {
  let out = s;
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const i = rng.int(Math.max(out.length, 1));
    const op = rng.int(3);
    if (op === 0) out = mutateAt(out, i, rng.pick(pool));
    else if (op === 1) out = out.slice(0, i) + rng.pick(pool) + out.slice(i);
    else out = out.slice(0, i) + out.slice(i + 1);
  }
  return out;
}

function xrayLineage(rng) {
  if (rng.next() < 0.5) return `${rng.int(32768)}:${rng.hex(8)}:${rng.int(256)}`; // V2
  return Array.from({ length: 1 + rng.int(3) }, () => `${rng.hex(8)}:${rng.int(10)}`).join('|'); // V1
}

function xrayExtra(rng) {
  return rng.pick([
    () => `CalledFrom=${rng.pick(['app', 'edge', 'lb'])}`,
    () => `Self=1-${rng.hex(8)}-${rng.hex(24)}`,
    () => `K${rng.int(100)}=${rng.hex(1 + rng.int(8))}`,
    () => `x-${rng.hex(4)}=${rng.printable(rng.int(6)).replace(/[; \t]/g, '_')}`,
  ])();
}

/** A well-formed header: Root, Parent, Sampled (usually), maybe Lineage and extras. */
function xrayParts(rng, { traceHex = `${rng.hex(8)}${rng.nonZeroHex(24)}`, sampled } = {}) {
  const parts = [`Root=1-${traceHex.slice(0, 8)}-${traceHex.slice(8)}`, `Parent=${rng.nonZeroHex(16)}`];
  const decision = sampled ?? rng.pick(['0', '1', '1', '?', undefined]);
  if (decision !== undefined) parts.push(`Sampled=${decision}`);
  if (rng.next() < 0.3) parts.push(`Lineage=${xrayLineage(rng)}`);
  for (let i = rng.int(3); i > 0; i--) parts.push(xrayExtra(rng));
  return parts;
}

function xrayFixedCases(rng) {
  const cases = [];
  const add = (family, header) => cases.push({ family, header });
  const canonical = (sampled = rng.pick(['0', '1'])) =>
    `Root=1-${rng.hex(8)}-${rng.nonZeroHex(24)};Parent=${rng.nonZeroHex(16)};Sampled=${sampled}`;
  const withField = (field, value) =>
    canonical().replace(new RegExp(`${field}=[^;]*`), `${field}=${value}`);

  // Valid
  add('valid:aws-example', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
  add('valid:aws-example', 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5|c512fbe3:2');
  add('valid:aws-example', 'Root=1-46105bdf-04c13a9504458ebc539f5fba;Parent=240a548a42a88af4;Sampled=0;Lineage=12326a9d:0');
  for (let i = 0; i < 200; i++) add('valid:canonical', canonical());
  for (let i = 0; i < 40; i++) add('valid:field-order', rng.shuffle(xrayParts(rng, { sampled: rng.pick(['0', '1']) })).join(';'));
  for (let i = 0; i < 30; i++) add('valid:lineage', `${canonical()};Lineage=${xrayLineage(rng)}`);
  for (let i = 0; i < 30; i++) add('valid:carried-fields', [canonical(), xrayExtra(rng), xrayExtra(rng)].join(';'));
  add('valid:carried-fields', 'Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1;CalledFrom=app');
  for (const variant of ['root=x', 'ROOT=1-0-0', 'parent=0', 'SAMPLED=9', 'lineage=1:a87bd80c:0', 'self=1']) {
    add('valid:key-case-variant-dropped', `${canonical()};${variant}`);
  }
  for (const junk of ['novalue', '=v', 'a b=c', 'k=a b', 'k(1)=v', 'Lineage=BAD', 'k=é']) {
    add('valid:malformed-carried-dropped', `${canonical()};${junk}`);
  }
  for (let i = 0; i < 20; i++) {
    const extras = Array.from({ length: 9 + rng.int(4) }, (_, k) => `K${k}=${k}`);
    add('valid:many-carried-fields', [canonical(), ...extras].join(';'));
  }
  for (let i = 0; i < 20; i++) add('valid:empty-parts', `${rng.pick([';', ';;', ''])}${canonical().replace(/;/g, rng.pick([';;', '; ;', ';']))}${rng.pick([';', ';;', ''])}`);
  for (let i = 0; i < 40; i++) add('valid:ows-around-parts', canonical().split(';').map((p) => ows(rng) + p + ows(rng)).join(';'));
  for (let i = 0; i < 20; i++) add('valid:ows-before-equals', canonical().replace(/=/g, () => `${ows(rng)}=`));
  for (let i = 0; i < 30; i++) add('valid:ows-after-equals', canonical().replace(/=/g, () => `=${ows(rng)}`));
  for (let i = 0; i < 10; i++) add('valid:zero-epoch', `Root=1-00000000-${rng.nonZeroHex(24)};Parent=${rng.nonZeroHex(16)};Sampled=1`);
  for (let i = 0; i < 30; i++) add('valid:sampled-requested', canonical('?'));
  for (let i = 0; i < 30; i++) add('valid:sampled-absent', canonical('1').replace(/;Sampled=1/, ''));
  for (let i = 0; i < 10; i++) {
    let h = `${canonical()};Pad=`;
    h += 'p'.repeat(XRAY_MAX_HEADER_SIZE - h.length);
    add('valid:max-size', h);
  }
  for (const extra of ['RootX=1-00000000-0', 'Parents=zz', 'SampledBy=me', 'Roots=1']) {
    add('valid:key-prefix-carried', `${canonical()};${extra}`);
  }

  // A trace id without a parent: not a usable parent for anyone, but well-formed.
  for (const s of ['1', '0', '?', undefined]) {
    for (let i = 0; i < 5; i++) {
      add('root-only', `Root=1-${rng.hex(8)}-${rng.nonZeroHex(24)}${s === undefined ? '' : `;Sampled=${s}`}`);
    }
  }

  // Invalid
  for (let i = 0; i < 60; i++) {
    const traceHex = `${rng.hex(8)}${rng.nonZeroHex(24)}`;
    const parent = rng.nonZeroHex(16);
    const which = rng.int(3);
    const root = which === 0 ? upperOneLetter(rng, traceHex) : which === 2 ? traceHex.toUpperCase() : traceHex;
    const par = which === 1 ? upperOneLetter(rng, parent) : which === 2 ? parent.toUpperCase() : parent;
    add('invalid:uppercase-hex', `Root=1-${root.slice(0, 8)}-${root.slice(8)};Parent=${par};Sampled=1`);
  }
  for (let i = 0; i < 10; i++) add('invalid:zero-trace-id', withField('Root', '1-00000000-000000000000000000000000'));
  for (let i = 0; i < 10; i++) add('invalid:zero-parent', withField('Parent', '0000000000000000'));
  for (let i = 0; i < 40; i++) {
    const epoch = rng.hex(rng.pick([0, 6, 7, 9, 10]));
    const unique = rng.nonZeroHex(rng.pick([23, 25, 24, 24]));
    add('invalid:root-length', withField('Root', `1-${epoch}-${unique}`));
  }
  for (const version of ['0', '2', 'a', '11', '']) add('invalid:root-version', withField('Root', `${version}-${rng.hex(8)}-${rng.nonZeroHex(24)}`));
  for (let i = 0; i < 20; i++) {
    const root = `1-${rng.hex(8)}-${rng.nonZeroHex(24)}`;
    add('invalid:root-delimiter', withField('Root', mutateAt(root, rng.pick([1, 10]), rng.pick(['_', '.', '0', ' ', '+']))));
  }
  for (let i = 0; i < 60; i++) {
    const root = `1-${rng.hex(8)}-${rng.nonZeroHex(24)}`;
    const parent = rng.nonZeroHex(16);
    if (rng.next() < 0.5) {
      const pos = rng.pick([...Array(35).keys()].filter((k) => k !== 0 && k !== 1 && k !== 10));
      add('invalid:non-hex', withField('Root', mutateAt(root, pos, rng.pick(NON_HEX))));
    } else {
      add('invalid:non-hex', withField('Parent', mutateAt(parent, rng.int(16), rng.pick(NON_HEX))));
    }
  }
  for (const size of [0, 8, 15, 17, 32]) add('invalid:parent-length', withField('Parent', rng.nonZeroHex(Math.max(size, 1)).slice(0, size)));
  for (const s of ['', '2', '11', '01', 'true', 'yes', '-1', '??', 'S']) add('invalid:sampled-value', canonical().replace(/Sampled=./, `Sampled=${s}`));
  add('invalid:missing-root', `Parent=${rng.nonZeroHex(16)};Sampled=1`);
  add('invalid:missing-root', 'Sampled=1');
  add('invalid:missing-root', 'Sampled=?;Lineage=a87bd80c:1;CalledFrom=app');
  add('invalid:missing-root', `Self=1-${rng.hex(8)}-${rng.hex(24)}`);
  for (let i = 0; i < 10; i++) {
    const h = canonical();
    const part = h.split(';')[rng.int(3)];
    add('invalid:duplicate-context-field', rng.next() < 0.5 ? `${h};${part}` : `${part};${h}`);
  }
  for (let i = 0; i < 10; i++) add('invalid:duplicate-context-field', `${canonical()};Root=1-${rng.hex(8)}-${rng.nonZeroHex(24)}`);
  for (let i = 0; i < 10; i++) add('invalid:duplicate-context-field', `${canonical('1')};Sampled=0`);
  for (let i = 0; i < 20; i++) {
    let h = `${canonical()};Pad=`;
    h += 'p'.repeat(XRAY_MAX_HEADER_SIZE + 1 + rng.int(200) - h.length);
    add('invalid:too-long', h);
  }
  for (const ws of NON_OWS_WHITESPACE) {
    add('invalid:non-ows-whitespace', ws + canonical());
    add('invalid:non-ows-whitespace', canonical() + ws);
    add('invalid:non-ows-whitespace', canonical().replace(';Parent', `;${ws}Parent`));
  }
  for (const field of ['Root', 'Parent', 'Sampled']) add('invalid:context-field-without-value', canonical().replace(new RegExp(`${field}=[^;]*`), field));
  for (const variant of ['root', 'ROOT', 'rOOT']) add('invalid:key-case', canonical().replace('Root=', `${variant}=`));
  for (const prefixed of ['RootX', 'Roots', 'Root_1']) add('invalid:key-prefix-only', canonical().replace('Root=', `${prefixed}=`));
  for (const garbage of ['', ';', ' ', '=', 'garbage', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'Root=', 'Root=1']) {
    add('invalid:garbage', garbage);
  }
  for (let i = 0; i < 40; i++) add('invalid:garbage', rng.printable(rng.int(120)));
  return cases;
}

const XRAY_MUTATION_POOL = [...'0123456789abcdefABCDEF-;= \t?xgR1', '\n', '\u00a0'];

export function generateXRayCases(seed, n) {
  const rng = makeRng(seed);
  const cases = xrayFixedCases(rng);
  for (let i = 0; i < n; i++) {
    let parts = xrayParts(rng);
    if (rng.next() < 0.3) parts = rng.shuffle(parts);
    if (rng.next() < 0.2) parts = parts.map((p) => ows(rng) + p + ows(rng));
    const shaped = parts.join(';');
    const mutated = rng.next() < 0.6;
    cases.push({
      family: mutated ? 'random:mutated' : 'random:well-formed',
      header: mutated ? mutate(rng, shaped, XRAY_MUTATION_POOL) : shaped,
    });
  }
  return cases.map((c) => ({ ...c, spec: specXRay(c.header), otel: otelXRay(c.header) }));
}

// ---------------------------------------------------------------------------------------------
// B3

function b3SingleFixedCases(rng) {
  const cases = [];
  const add = (family, header) => cases.push({ family, kind: 'single', header });
  const trace = () => rng.nonZeroHex(rng.pick([16, 32]));
  const value = ({ t = trace(), s = rng.nonZeroHex(16), state, parent } = {}) =>
    `${t}-${s}${state ? `-${state}` : ''}${parent ? `-${parent}` : ''}`;

  add('single:spec-example', '80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1-e457b5a2e4d86bd1');
  add('single:spec-example', '80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-d');
  add('single:spec-example', '80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1');
  for (const state of [undefined, '0', '1', 'd']) {
    for (const withParent of [false, true]) {
      for (let i = 0; i < 25; i++) {
        add('single:valid', value({ state, parent: withParent ? rng.nonZeroHex(16) : undefined }));
      }
    }
  }
  for (let i = 0; i < 30; i++) add('single:64-bit-trace-id', value({ t: rng.nonZeroHex(16), state: rng.pick(['0', '1', 'd', undefined]) }));
  for (let i = 0; i < 10; i++) add('single:zero-parent', value({ state: '1', parent: '0000000000000000' }));
  for (const bare of ['0', '1', 'd']) add('single:sampling-only', bare);
  for (const bare of ['', '2', 'D', '-', 'x', '1-1', '0-1', 'true']) add('single:bad-bare-state', bare);
  for (let i = 0; i < 40; i++) {
    const v = value({ state: rng.pick(['0', '1', 'd']), parent: rng.nonZeroHex(16) });
    const ids = v.split('-');
    const field = rng.int(3) === 0 ? 0 : rng.pick([0, 1, 3]);
    ids[field] = upper(rng, ids[field]);
    add('single:uppercase-hex', ids.join('-'));
  }
  for (const t of ['0'.repeat(16), '0'.repeat(32)]) add('single:zero-trace-id', value({ t, state: '1' }));
  add('single:zero-span-id', value({ s: '0'.repeat(16), state: '1' }));
  for (const size of [1, 15, 17, 24, 31, 33, 48, 64]) add('single:trace-id-length', value({ t: rng.nonZeroHex(size), state: '1' }));
  for (const size of [15, 17, 32]) add('single:span-id-length', value({ s: rng.nonZeroHex(size), state: '1' }));
  for (const size of [8, 15, 17, 32]) add('single:parent-length', value({ state: '1', parent: rng.nonZeroHex(size) }));
  for (const state of ['2', 'D', 'x', 'true', '01', '1d', ' ']) add('single:bad-state', value({ state }));
  for (const tail of ['-', 'x', '-1-', '-1x', '--1', ` ${rng.printable(3)}`, '-1-0123456789abcdef-1', '-1-0123456789abcdefx', '-d-', ',00f067aa0ba902b7-1']) {
    add('single:trailing-data', value({ state: tail.startsWith('-1') ? undefined : '1' }) + tail);
  }
  for (const head of ['x', '-', 'b3=', '0', rng.hex(16)]) add('single:leading-data', head + value({ t: rng.nonZeroHex(32), state: '1' }));
  for (let i = 0; i < 20; i++) add('single:ows', ows(rng) + value({ state: rng.pick(['0', '1', 'd', undefined]) }) + ows(rng));
  for (const ws of NON_OWS_WHITESPACE) add('single:non-ows-whitespace', rng.next() < 0.5 ? ws + value({ state: '1' }) : value({ state: '1' }) + ws);
  for (let i = 0; i < 20; i++) {
    const v = value({ state: '1', parent: rng.nonZeroHex(16) });
    const dashes = [...v].map((c, k) => (c === '-' ? k : -1)).filter((k) => k >= 0);
    add('single:bad-delimiter', mutateAt(v, rng.pick(dashes), rng.pick(['_', '.', ' ', '0', '+'])));
  }
  for (let i = 0; i < 30; i++) add('single:garbage', rng.printable(rng.int(80)));
  return cases;
}

function b3MultiFixedCases(rng) {
  const cases = [];
  const add = (family, headers) => cases.push({ family, kind: 'multi', headers });
  const ids = (t = rng.nonZeroHex(rng.pick([16, 32]))) => ({ traceId: t, spanId: rng.nonZeroHex(16) });

  add('multi:spec-example', { traceId: '463ac35c9f6413ad48485a3953bb6124', spanId: 'a2fb4a1d1a96d312', parentSpanId: '0020000000000001', sampled: '1' });
  for (const sampled of [undefined, '1', '0', 'true', 'false', 'True', 'False']) {
    for (let i = 0; i < 15; i++) add('multi:valid', { ...ids(), sampled });
  }
  for (let i = 0; i < 20; i++) add('multi:64-bit-trace-id', { ...ids(rng.nonZeroHex(16)), sampled: rng.pick(['1', '0', undefined]) });
  for (const sampled of [undefined, '1', '0']) add('multi:debug', { ...ids(), sampled, flags: '1' });
  for (const flags of ['0', '2', 'true', 'd', '']) add('multi:other-flags-ignored', { ...ids(), sampled: '1', flags });
  for (const sampled of ['2', 'yes', 'TRUE', 'FALSE', 'd', '01', 'tru']) add('multi:bad-sampled', { ...ids(), sampled });
  for (const sampled of ['2', 'yes', 'x']) add('multi:debug-with-bad-sampled', { ...ids(), sampled, flags: '1' });
  for (let i = 0; i < 5; i++) add('multi:empty-sampled', { ...ids(), sampled: '' });
  for (let i = 0; i < 30; i++) {
    const h = ids();
    const field = rng.pick(['traceId', 'spanId']);
    h[field] = upper(rng, h[field]);
    add('multi:uppercase-hex', { ...h, sampled: '1' });
  }
  for (const size of [1, 8, 15, 17, 20, 31, 33]) add('multi:trace-id-length', { ...ids(rng.nonZeroHex(size)), sampled: '1' });
  for (const size of [1, 15, 17, 32]) add('multi:span-id-length', { traceId: rng.nonZeroHex(32), spanId: rng.nonZeroHex(size), sampled: '1' });
  add('multi:zero-ids', { traceId: '0'.repeat(16), spanId: rng.nonZeroHex(16), sampled: '1' });
  add('multi:zero-ids', { traceId: '0'.repeat(32), spanId: rng.nonZeroHex(16), sampled: '1' });
  add('multi:zero-ids', { traceId: rng.nonZeroHex(32), spanId: '0'.repeat(16), sampled: '1' });
  add('multi:missing-id', { traceId: rng.nonZeroHex(32), sampled: '1' });
  add('multi:missing-id', { spanId: rng.nonZeroHex(16), sampled: '1' });
  add('multi:missing-id', { traceId: '', spanId: rng.nonZeroHex(16) });
  for (const h of [{ sampled: '0' }, { sampled: '1' }, { flags: '1' }, {}, { sampled: 'x' }]) add('multi:sampling-only', h);
  for (let i = 0; i < 10; i++) add('multi:parent-span-id-ignored', { ...ids(), parentSpanId: rng.pick(['', 'zz', rng.nonZeroHex(16), '0'.repeat(16)]), sampled: '1' });
  for (let i = 0; i < 20; i++) {
    const h = { ...ids(), sampled: '1', flags: rng.pick([undefined, '1']) };
    const field = rng.pick(['traceId', 'spanId', 'sampled']);
    h[field] = ows(rng) + h[field] + (rng.next() < 0.5 ? ows(rng) : '');
    add('multi:ows', h);
  }
  for (const ws of ['\n', '\u00a0', '\r']) add('multi:non-ows-whitespace', { ...ids(), spanId: `${rng.nonZeroHex(16)}${ws}`, sampled: '1' });
  for (let i = 0; i < 20; i++) add('multi:garbage', { traceId: rng.printable(rng.int(40)), spanId: rng.printable(rng.int(20)), sampled: rng.pick([undefined, '1', rng.printable(2)]) });
  return cases;
}

const B3_MUTATION_POOL = [...'0123456789abcdefABCDEF-dx2 \t', '\n'];

export function generateB3Cases(seed, n) {
  const rng = makeRng(seed ^ 0xb3b3b3b3);
  const cases = [...b3SingleFixedCases(rng), ...b3MultiFixedCases(rng)];
  for (let i = 0; i < n; i++) {
    const mutated = rng.next() < 0.6;
    const family = mutated ? 'random:mutated' : 'random:well-formed';
    const t = rng.nonZeroHex(rng.pick([16, 32]));
    const s = rng.nonZeroHex(16);
    if (rng.next() < 0.5) {
      const state = rng.pick(['0', '1', 'd', undefined]);
      const parent = rng.next() < 0.4 ? rng.nonZeroHex(16) : undefined;
      const shaped = `${t}-${s}${state ? `-${state}` : ''}${parent ? `-${parent}` : ''}`;
      cases.push({ family, kind: 'single', header: mutated ? mutate(rng, shaped, B3_MUTATION_POOL) : shaped });
    } else {
      const headers = {
        traceId: t,
        spanId: s,
        sampled: rng.pick([undefined, '1', '0', 'true', 'False']),
        flags: rng.pick([undefined, undefined, undefined, '1', '0']),
      };
      if (mutated) {
        const field = rng.pick(['traceId', 'spanId', 'sampled', 'flags']);
        headers[field] = mutate(rng, headers[field] ?? '', B3_MUTATION_POOL);
      }
      cases.push({ family, kind: 'multi', headers });
    }
  }
  return cases.map((c) =>
    c.kind === 'single'
      ? { ...c, spec: specB3Single(c.header), otel: otelB3Single(c.header) }
      : { ...c, spec: specB3Multi(c.headers), otel: otelB3Multi(c.headers) },
  );
}

// ---------------------------------------------------------------------------------------------
// Injection

function injectFixedCases(rng) {
  const cases = [];
  const add = (family, context) => cases.push({ family, kind: 'inject', context });
  const ctx = (over = {}) => ({
    traceId: rng.nonZeroHex(32),
    spanId: rng.nonZeroHex(16),
    sampled: rng.next() < 0.5,
    lineage: '',
    ...over,
  });
  add('inject:aws-example', { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', sampled: true, lineage: '' });
  add('inject:b3-example', { traceId: '80f198ee56343ba864fe8b2a57d3eff7', spanId: '05e3ac9a4f6e3b90', sampled: false, lineage: '' });
  for (const sampled of [true, false]) for (let i = 0; i < 30; i++) add('inject:plain', ctx({ sampled }));
  for (let i = 0; i < 10; i++) add('inject:padded-64-bit-trace-id', ctx({ traceId: '0'.repeat(16) + rng.nonZeroHex(16) }));
  for (let i = 0; i < 10; i++) add('inject:zero-epoch', ctx({ traceId: '0'.repeat(8) + rng.nonZeroHex(24) }));
  for (let i = 0; i < 5; i++) add('inject:small-span-id', ctx({ spanId: '0'.repeat(15) + '1' }));
  add('inject:all-f', ctx({ traceId: 'f'.repeat(32), spanId: 'f'.repeat(16) }));
  for (let i = 0; i < 40; i++) add('inject:lineage', ctx({ lineage: xrayLineage(rng) }));
  add('inject:lineage', ctx({ lineage: `a87bd80c:1|68fd508a:5|c512fbe3:2|${'f'.repeat(31)}` })); // 64, the maximum
  for (const lineage of ['A87BD80C:1', ':1', '1:', 'a87bd80c:1\r\nX-Injected: 1', '12326a9d:0;Sampled=1', '12326a9d:0 ',
    'f'.repeat(65), '\u00e91:a', '\n', '1:a87bd80c:0\u0000']) {
    add('inject:invalid-lineage-dropped', ctx({ lineage }));
  }
  add('inject:invalid-ids', ctx({ traceId: '0'.repeat(32) }));
  add('inject:invalid-ids', ctx({ spanId: '0'.repeat(16) }));
  add('inject:invalid-ids', ctx({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) }));
  return cases;
}

export function generateInjectCases(seed, n) {
  const rng = makeRng(seed ^ 0x1a7ec7ed);
  const cases = injectFixedCases(rng);
  for (let i = 0; i < n; i++) {
    const lineage = rng.next() < 0.3 ? xrayLineage(rng) : rng.next() < 0.1 ? mutate(rng, xrayLineage(rng), XRAY_MUTATION_POOL) : '';
    cases.push({
      family: 'random:context',
      kind: 'inject',
      context: { traceId: rng.nonZeroHex(32), spanId: rng.nonZeroHex(16), sampled: rng.next() < 0.5, lineage },
    });
  }
  return cases.map((c) => ({ ...c, spec: specInject(c.context), otel: otelInject(c.context) }));
}

// ---------------------------------------------------------------------------------------------
// Probe encoding (tests/unit/support/propagation_probe.cc): UTF-8 bytes, backslash-escaped.

function escapeForProbe(text) {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte < 0x20 || byte === 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte); // latin1: one char per byte
  }
  return out;
}

/** One probe request line (without the newline), as latin1 text: write it with 'latin1'. */
export function toProbeLine(c) {
  if (c.header !== undefined && c.kind === undefined) return `xray ${escapeForProbe(c.header)}`;
  if (c.kind === 'inject') {
    const { traceId, spanId, sampled, lineage } = c.context;
    return `inject ${[traceId, spanId, sampled ? '1' : '0', lineage].map(escapeForProbe).join('\t')}`;
  }
  if (c.kind === 'single') return `b3 ${escapeForProbe(c.header)}`;
  const h = c.headers;
  return `b3multi ${[h.traceId, h.spanId, h.sampled, h.flags].map((v) => escapeForProbe(v ?? '')).join('\t')}`;
}

