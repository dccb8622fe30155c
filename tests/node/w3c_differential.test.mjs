// Differential test of edgetrace's W3C Trace Context handling (origin-request with
// propagation.trustIncoming = true) against the OpenTelemetry JS reference implementations and
// against the W3C specification itself:
//
//   traceparent  thousands of seeded valid/invalid headers vs @opentelemetry/core
//                W3CTraceContextPropagator.extract. Where OTel JS and the spec disagree the
//                SPEC wins: edgetrace is checked against a reference parser written from the spec
//                text (W3C Trace Context Level 2 + its test suite, w3c/trace-context test/test.py)
//                and every OTel deviation must be one of the documented ones below.
//   tracestate   valid / invalid / oversized lists vs @opentelemetry/core TraceState and the spec
//                (combine multiple fields, OWS, 32 members, unique keys, key/value grammar,
//                512-character propagation and truncation order).
//   sampler      ParentBased (trusted parent sampled/unsampled) vs sdk-trace-base
//                ParentBasedSampler; root probability decisions and `ot=th:` vs
//                @opentelemetry/sampler-composite ComposableProbabilitySampler (OTel consistent
//                probability sampling: sample iff low 56 bits of trace id >= threshold,
//                threshold = (1 - p) * 2^56, recorded as th:<hex without trailing zeros>).
//
// Seed: EDGETRACE_DIFF_SEED (default below); failures print the seed and concrete examples.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { createComposableProbabilitySampler, createCompositeSampler } from '@opentelemetry/sampler-composite';
import { startReceiver } from '../../shim-js/tools/otlp_receiver.mjs';
import {
  cfOf,
  clone,
  fakeContext,
  headerValues,
  originRequestEvent,
  originResponseEvent,
} from './support/events.mjs';
import { makeHandler, otlpConfig, requirePackage } from './support/package.mjs';
import { assertOriginRequestPassThrough } from './support/assertions.mjs';
import { makeRng } from './support/seeded_rng.mjs';

const SEED = Number(process.env.EDGETRACE_DIFF_SEED ?? 0x5eed2025);

// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------
// Reference parser written from the spec (W3C Trace Context Level 2, §traceparent + versioning)

const OWS_RE = /^[ \t]+|[ \t]+$/g; // RFC 9110 OWS = *( SP / HTAB )
const HEXLC2 = /^[0-9a-f]{2}$/;

/**
 * @param {string[]} values  the traceparent field values as CloudFront lists them
 * @returns {{traceId: string, parentId: string, flags: number} | null}
 */
function specTraceparent(values) {
  // W3C test suite test_traceparent_duplicated: "harness sends a request with two traceparent
  // headers, expects a valid traceparent from the output header, with a newly generated
  // trace_id".
  if (values.length !== 1 || typeof values[0] !== 'string') return null;
  // Leading/trailing SP and HTAB are OWS of the HTTP field, not part of the value. RFC 9110
  // §5.5: "a field parsing implementation MUST exclude such whitespace prior to evaluating the
  // field value"; W3C test suite test_traceparent_ows_handling: ' 00-…', '\t00-…', '…-01 \t'
  // and '\t 00-…-01 \t' keep the trace id. (Whether CloudFront already trims OWS before the
  // event reaches the function is unverified; edgetrace must not depend on it.)
  const v = values[0].replace(OWS_RE, '');
  // "If the size of the header is shorter than 55 characters, the vendor should not parse the
  // header and should restart the trace."
  if (v.length < 55) return null;
  const version = v.slice(0, 2);
  // "version = 2HEXDIGLC ... Version ff is forbidden"; "When the version prefix cannot be parsed
  // (it's not 2 hex characters followed by a dash (-)), the implementation should restart".
  if (!HEXLC2.test(version) || version === 'ff' || v[2] !== '-') return null;
  // Version 00: exactly "version-format = trace-id "-" parent-id "-" trace-flags" (55 chars).
  if (version === '00' && v.length !== 55) return null;
  const traceId = v.slice(3, 35);
  const parentId = v.slice(36, 52);
  const flags = v.slice(53, 55);
  // "trace-id = 32HEXDIGLC ; ... All zeroes forbidden", "parent-id = 16HEXDIGLC ; ... All
  // zeroes forbidden", "trace-flags = 2HEXDIGLC"; higher versions: "Vendors MUST check that the
  // 32 characters are hex, and that they are followed by a dash (-)" (same for parent-id),
  // "the 2 characters are either at the end of the string or followed by a dash".
  if (!/^[0-9a-f]{32}$/.test(traceId) || /^0+$/.test(traceId) || v[35] !== '-') return null;
  if (!/^[0-9a-f]{16}$/.test(parentId) || /^0+$/.test(parentId) || v[52] !== '-') return null;
  if (!HEXLC2.test(flags)) return null;
  if (v.length > 55 && v[55] !== '-') return null;
  return { traceId, parentId, flags: parseInt(flags, 16) };
}

// ---------------------------------------------------------------------------------------------
// OpenTelemetry JS reference

const propagator = new W3CTraceContextPropagator();
/** TextMapGetter over CloudFront's {name: [{key, value}]} headers (multi-valued -> array). */
const cloudFrontGetter = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const list = carrier[key.toLowerCase()];
    if (!Array.isArray(list) || list.length === 0) return undefined;
    const values = list.map((e) => e.value);
    return values.length === 1 ? values[0] : values;
  },
};
function otelExtract(headers) {
  const ctx = propagator.extract(ROOT_CONTEXT, headers, cloudFrontGetter);
  return trace.getSpanContext(ctx) ?? null;
}

// Every way OTel JS (@opentelemetry/core 2.12.1) parses traceparent differently from the spec,
// as observed by this test. A disagreement outside this table fails the test (so an OTel
// upgrade that changes behaviour is noticed and re-examined).
const DOCUMENTED_TRACEPARENT_DEVIATIONS = {
  'whitespace:non-OWS': {
    otel: 'accepts',
    why:
      "OTel's regex /^\\s?…\\s?$/ accepts ONE leading/trailing JavaScript whitespace character (\\n, \\r, \\v, \\f, " +
      'NBSP, U+2028, U+FEFF, U+3000, …). Spec: `value = version "-" version-format` with HEXDIGLC fields; the only ' +
      'whitespace an HTTP field carries around a value is OWS = *( SP / HTAB ) (RFC 9110). Spec wins: new trace.',
  },
  'whitespace:OWS-multi': {
    otel: 'rejects',
    why:
      "OTel's /^\\s?/ allows at most ONE whitespace character per side. W3C test suite test_traceparent_ows_handling " +
      "sends '\\t 00-12345678901234567890123456789012-1234567890123456-01 \\t' and expects the trace id kept " +
      '("harness sends an valid traceparent with heading and trailing OWS, expects a valid traceparent"). Spec wins: continue.',
  },
  duplicate: {
    otel: 'accepts',
    why:
      'With several traceparent fields OTel uses the first. W3C test suite test_traceparent_duplicated: "harness sends a ' +
      'request with two traceparent headers, expects a valid traceparent from the output header, with a newly generated ' +
      'trace_id". Spec wins: new trace.',
  },
};

// ---------------------------------------------------------------------------------------------
// Case generation

function traceparentCases(rng) {
  const cases = [];
  const add = (family, values, extra = {}) => cases.push({ family, values, ...extra });
  const v00 = (flags = rng.hex(2)) => `00-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${flags}`;
  const higherVersion = () => {
    let v;
    do v = rng.hex(2);
    while (v === '00' || v === 'ff');
    return v;
  };
  const mutateAt = (s, i, c) => s.slice(0, i) + c + s.slice(i + 1);
  const FIELD_POSITIONS = [...Array(55).keys()].filter((i) => ![2, 35, 52].includes(i));

  for (let i = 0; i < 800; i++) add('valid:v00', [v00()]);
  for (const f of ['00', '01', '02', '03', '09', '80', 'ff', 'fe']) for (let i = 0; i < 8; i++) add(`valid:v00-flags-${f}`, [v00(f)]);
  for (let i = 0; i < 100; i++) add('valid:higher-version-55', [`${higherVersion()}-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${rng.hex(2)}`]);
  for (let i = 0; i < 120; i++) {
    add('valid:higher-version-trailing', [`${higherVersion()}-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${rng.hex(2)}-${rng.printable(rng.int(40))}`]);
  }
  add('valid:test-suite-0xcc', ['cc-12345678901234567890123456789012-1234567890123456-01']);
  add('valid:test-suite-0xcc', ['cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like']);
  add('invalid:higher-version-bad-separator', ['cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like']);
  for (let i = 0; i < 60; i++) {
    add('invalid:higher-version-bad-separator', [`${higherVersion()}-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${rng.hex(2)}${rng.printable(1 + rng.int(20), '-')}`]);
  }
  for (let i = 0; i < 80; i++) {
    const ows = () => Array.from({ length: 1 + rng.int(3) }, () => rng.pick([' ', '\t'])).join('');
    const mode = rng.int(3);
    const core = v00();
    const value = (mode !== 1 ? ows() : '') + core + (mode !== 0 ? ows() : '');
    const family = value.length - core.length > 2 || /^[ \t]{2}|[ \t]{2}$/.test(value) ? 'whitespace:OWS-multi' : 'whitespace:OWS';
    add(family, [value]);
  }
  add('whitespace:OWS-multi', ['\t 00-12345678901234567890123456789012-1234567890123456-01 \t']);
  for (const ws of ['\n', '\r', '\v', '\f', '\u00a0', '\u2028', '\ufeff', '\u3000', '\r\n']) {
    for (let i = 0; i < 6; i++) {
      const core = v00();
      add(ws === '\r\n' ? 'whitespace:non-OWS-2' : 'whitespace:non-OWS', [rng.int(2) ? ws + core : core + ws]);
    }
  }
  for (let i = 0; i < 40; i++) {
    const s = v00();
    const pos = rng.pick(FIELD_POSITIONS.slice(2));
    add('invalid:inner-whitespace', [mutateAt(s, pos, rng.pick([' ', '\t']))]);
  }
  for (let i = 0; i < 150; i++) {
    let s = v00();
    const letters = [...s].map((c, j) => (/[a-f]/.test(c) ? j : -1)).filter((j) => j >= 0);
    if (!letters.length) s = mutateAt(s, 5, 'a');
    const pos = letters.length ? rng.pick(letters) : 5;
    add('invalid:uppercase', [mutateAt(s, pos, s[pos].toUpperCase())]);
  }
  for (let i = 0; i < 30; i++) add('invalid:version-ff', [`ff-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${rng.hex(2)}`]);
  for (let i = 0; i < 30; i++) add('invalid:version-ff-trailing', [`ff-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${rng.hex(2)}-${rng.printable(5)}`]);
  for (let i = 0; i < 100; i++) {
    const tail = rng.pick(['-', `-${rng.printable(1 + rng.int(20))}`, '.', rng.hex(1), rng.printable(1, '-\t ')]);
    add('invalid:v00-trailing-data', [v00() + tail]);
  }
  add('invalid:v00-trailing-data', ['00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like']);
  for (let i = 0; i < 60; i++) add('invalid:length-54', [v00().slice(0, 54)]);
  for (let i = 0; i < 40; i++) add('invalid:length-short', [v00().slice(0, rng.int(54))]);
  for (let i = 0; i < 40; i++) add('invalid:length-56-v00', [v00() + rng.hex(1)]);
  for (let i = 0; i < 40; i++) add('invalid:higher-version-54', [`${higherVersion()}-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${rng.hex(1)}`]);
  for (let i = 0; i < 30; i++) add('invalid:zero-trace-id', [`00-${'0'.repeat(32)}-${rng.nonZeroHex(16)}-${rng.hex(2)}`]);
  for (let i = 0; i < 30; i++) add('invalid:zero-parent-id', [`00-${rng.nonZeroHex(32)}-${'0'.repeat(16)}-${rng.hex(2)}`]);
  for (let i = 0; i < 10; i++) add('invalid:zero-ids-higher-version', [`${higherVersion()}-${'0'.repeat(32)}-${rng.nonZeroHex(16)}-01`]);
  const NON_HEX = ['g', 'z', 'G', 'Z', 'x', '.', '+', '_', '/', ':', 'é', '０', '٣', '\u0000', '-'];
  for (let i = 0; i < 500; i++) {
    const s = v00();
    const pos = rng.pick(FIELD_POSITIONS);
    add('invalid:non-hex', [mutateAt(s, pos, rng.pick(NON_HEX))]);
  }
  for (let i = 0; i < 60; i++) {
    const s = v00();
    add('invalid:separator', [mutateAt(s, rng.pick([2, 35, 52]), rng.pick(['_', '.', ' ', '=', '+', '0', 'a']))]);
  }
  for (const bad of ['0', '000', '0x', 'v0', '.0', '0.']) {
    for (let i = 0; i < 5; i++) add('invalid:version-format', [`${bad}-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-01`]);
  }
  for (let i = 0; i < 100; i++) add('invalid:garbage', [rng.printable(rng.int(80))]);
  add('invalid:garbage', ['']);
  for (let i = 0; i < 30; i++) add('duplicate', [v00('01'), v00('01')]);
  for (let i = 0; i < 10; i++) {
    const same = v00('01');
    add('duplicate', [same, same]);
  }
  for (const key of ['TraceParent', 'TRACEPARENT', 'tRaCePaReNt']) for (let i = 0; i < 5; i++) add('valid:key-case', [v00()], { key });
  return cases;
}

function classifyOtel(spec, otel) {
  if (!!spec === !!otel) return 'agree';
  return otel ? 'otel-accepts-spec-rejects' : 'otel-rejects-spec-accepts';
}

/** Failure list for an assertion message: counts per [family], then one example of each. */
function summarize(failures, limit = 25) {
  const byFamily = new Map();
  for (const f of failures) {
    const family = /^\[([^\]]+)\]/.exec(f)?.[1] ?? 'other';
    const kind = f.split(': ').at(-1).replace(/, got .*$/, '').slice(0, 80);
    const key = `${family}: ${kind}`;
    const e = byFamily.get(key) ?? { n: 0, example: f };
    e.n += 1;
    byFamily.set(key, e);
  }
  return [...byFamily.values()]
    .slice(0, limit)
    .map(({ n, example }) => `  - (${n}x) ${example}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------

describe(`W3C differential (seed ${SEED})`, () => {
  let rx;
  before(async () => {
    await requirePackage();
    rx = await startReceiver();
  });
  after(async () => {
    await rx?.close();
  });

  test('traceparent: edgetrace follows the spec; OTel JS deviations are only the documented ones', async (t) => {
    const rng = makeRng(SEED);
    const cases = traceparentCases(rng);
    assert.ok(cases.length >= 2500, `only ${cases.length} cases generated`);
    const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: true }, sampling: { ratio: 1 }, exporter: { timeoutMs: 1000 } }));
    const failures = [];
    const deviations = new Map(); // family -> {direction, count, example}
    let validCount = 0;
    let exportedChecked = 0;

    for (const c of cases) {
      const ev = originRequestEvent({
        extraHeaders: {
          traceparent: c.values.map((value) => ({ key: c.key ?? 'traceparent', value })),
          tracestate: [{ key: 'tracestate', value: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' }],
        },
      });
      const spec = specTraceparent(c.values);
      const otel = otelExtract(cfOf(ev).request.headers);
      const agreement = classifyOtel(spec, otel);
      if (agreement !== 'agree') {
        const key = `${c.family}|${agreement}`;
        const d = deviations.get(key) ?? { family: c.family, agreement, count: 0, example: c.values };
        d.count += 1;
        deviations.set(key, d);
      } else if (spec && (otel.traceId !== spec.traceId || otel.spanId !== spec.parentId || otel.traceFlags !== spec.flags)) {
        failures.push(`OTel and spec disagree on the fields of ${JSON.stringify(c.values)}`);
      }

      const before = clone(cfOf(ev).request);
      let out;
      try {
        out = await h.handler(ev, fakeContext());
      } catch (e) {
        failures.push(`[${c.family}] ${JSON.stringify(c.values)}: handler rejected: ${e.message}`);
        continue;
      }
      let injected;
      try {
        injected = assertOriginRequestPassThrough(before, out, c.family);
      } catch (e) {
        failures.push(`[${c.family}] ${JSON.stringify(c.values)}: ${e.message.split('\n')[0]}`);
        continue;
      }
      const tsOut = headerValues(out.headers, 'tracestate').join(',');
      const label = `[${c.family}] ${JSON.stringify(c.values)} -> ${headerValues(out.headers, 'traceparent')[0]}`;
      if (spec) {
        validCount += 1;
        if (injected.traceId !== spec.traceId) {
          failures.push(`${label}: valid per spec, but edgetrace started a new trace`);
          continue;
        }
        if (injected.spanId === spec.parentId) failures.push(`${label}: parent-id must be replaced by the edge span id`);
        if ((injected.flags & 1) !== (spec.flags & 1)) failures.push(`${label}: sampled flag must follow the trusted parent`);
        // Level 2 random-trace-id flag describes the trace id, which is kept: propagate it as
        // received (the Level 2 response-header section states it for continued traces: "MUST
        // set the random-trace-id flag ... to the same value that was found in the incoming
        // traceparent header"); never claim randomness for an id edgetrace did not generate.
        if ((injected.flags & 2) !== (spec.flags & 2)) failures.push(`${label}: random flag must be propagated unchanged when continuing`);
        if (tsOut !== 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7') failures.push(`${label}: tracestate must be passed on when continuing, got '${tsOut}'`);
        if (otel && agreement === 'agree') {
          const decision = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(1) }).shouldSample(
            trace.setSpanContext(ROOT_CONTEXT, otel), otel.traceId, 'GET', SpanKind.SERVER, {}, []).decision;
          if ((decision === SamplingDecision.RECORD_AND_SAMPLED) !== ((injected.flags & 1) === 1)) {
            failures.push(`${label}: sampled decision differs from OTel ParentBasedSampler`);
          }
        }
        if (injected.flags & 1) {
          // The parent is only visible in the exported span: complete the pair.
          const respEv = originResponseEvent(ev, out);
          const n = rx.spans().length;
          await h.handler(respEv, fakeContext());
          const spans = rx.spans().slice(n);
          exportedChecked += 1;
          if (spans.length !== 1) failures.push(`${label}: expected one exported span, got ${spans.length}`);
          else {
            const { span } = spans[0];
            if (span.traceId !== spec.traceId) failures.push(`${label}: exported traceId ${span.traceId}`);
            if (span.parentSpanId !== spec.parentId) failures.push(`${label}: exported parentSpanId ${span.parentSpanId}, expected ${spec.parentId}`);
            if (span.spanId !== injected.spanId) failures.push(`${label}: exported spanId ${span.spanId} != injected ${injected.spanId}`);
            if (((span.flags ?? 0) & 0x300) !== 0x300) failures.push(`${label}: span flags must mark the parent remote (0x300), got 0x${(span.flags ?? 0).toString(16)}`);
          }
        }
      } else {
        const naive = c.values.map((v) => v.trim().slice(3, 35));
        if (naive.includes(injected.traceId) || (otel && otel.traceId === injected.traceId)) {
          failures.push(`${label}: invalid per spec, but edgetrace continued the trace`);
          continue;
        }
        if ((injected.flags & 2) !== 2) failures.push(`${label}: a new trace id must carry the random flag (02)`);
        if ((injected.flags & 1) !== 1) failures.push(`${label}: sampling.ratio 1 root must be sampled`);
        // "Vendors SHOULD clean up tracestate collection on traceparent restart"; contract: a
        // root sampled by edgetrace carries only its ot=th entry.
        if (tsOut !== 'ot=th:0') failures.push(`${label}: new trace must drop the incoming tracestate and record ot=th:0, got '${tsOut}'`);
      }
    }

    t.diagnostic(`${cases.length} traceparent cases, ${validCount} valid per spec, ${exportedChecked} exported spans checked`);
    const undocumented = [];
    for (const d of deviations.values()) {
      const family = d.family.startsWith('whitespace:non-OWS') ? 'whitespace:non-OWS' : d.family;
      const doc = DOCUMENTED_TRACEPARENT_DEVIATIONS[family];
      const direction = d.agreement === 'otel-accepts-spec-rejects' ? 'accepts' : 'rejects';
      t.diagnostic(`OTel JS deviation [${d.family}] OTel ${direction}, spec ${direction === 'accepts' ? 'rejects' : 'accepts'}: ${d.count} case(s), e.g. ${JSON.stringify(d.example)}`);
      if (!doc || doc.otel !== direction) undocumented.push(`${d.family}: OTel ${direction} (${d.count}), e.g. ${JSON.stringify(d.example)}`);
    }
    for (const [family, doc] of Object.entries(DOCUMENTED_TRACEPARENT_DEVIATIONS)) t.diagnostic(`documented: ${family}: ${doc.why}`);
    assert.deepEqual(undocumented, [], 'undocumented OTel/spec disagreements: examine and document them');
    assert.ok(failures.length === 0, `${failures.length} edgetrace traceparent failure(s) (seed ${SEED}):\n${summarize(failures)}`);
  });

  test('OTel JS deviations outside parsing (documented, demonstrated)', async (t) => {
    const getter = { keys: Object.keys, get: (c, k) => c[k] };
    const setter = { set: (c, k, v) => { c[k] = v; } };
    // 1. inject() writes `0${flags.toString(16)}`: an extracted context with flags ff is
    //    re-emitted with THREE flag digits, an invalid header ("trace-flags = 2HEXDIGLC"), and the
    //    reserved bits are passed on ("Other Flags ... Vendors MUST set those to zero").
    const ctx = propagator.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff' }, getter);
    const carrier = {};
    propagator.inject(ctx, carrier, setter);
    assert.equal(carrier.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0ff');
    t.diagnostic(`OTel inject of flags ff -> '${carrier.traceparent}' (3 flag digits, reserved bits kept); edgetrace emits 2 digits, reserved bits 0 (checked above)`);

    // 2. Level 2 random flag: the OTel JS SDK neither sets 0x02 on new trace ids nor keeps it
    //    when continuing (child of 03 gets 01). edgetrace sets it on new traces (03/02) and must
    //    keep the incoming value when continuing (checked above).
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    const provider = new BasicTracerProvider();
    const parent = propagator.extract(ROOT_CONTEXT, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03' }, getter);
    const child = provider.getTracer('x').startSpan('GET', { kind: SpanKind.SERVER }, parent);
    assert.equal(child.spanContext().traceFlags, 0x01);
    const root = provider.getTracer('x').startSpan('GET', { kind: SpanKind.SERVER });
    assert.equal(root.spanContext().traceFlags & 0x02, 0);
    t.diagnostic('OTel JS SDK: random-trace-id flag (Level 2) not set on new traces and dropped on continuation');
  });

  // -------------------------------------------------------------------------------------------
  // tracestate

  // Key grammar as enforced by the W3C test suite (STRICT_LEVEL 2): simple-key =
  // lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/"); multi-tenant-key = tenant-id "@"
  // system-id, tenant-id = (lcalpha / DIGIT) 0*240(...), system-id = lcalpha 0*13(...).
  const KEY_RE = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
  // A newer draft (key = (lcalpha / DIGIT) 0*255 keychar, '@' a keychar) also admits a simple
  // key starting with a digit; such keys are treated as grammar-dependent below.
  const KEY_DRAFT_RE = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
  // value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr
  const VALUE_RE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

  /** Spec reading of a combined tracestate: members, validity, grammar-dependence. */
  function specTracestate(values) {
    // "When receiving multiple tracestate header fields, they MUST be combined into a single
    // header according to RFC7230."
    const combined = values.join(',');
    const members = [];
    let valid = true;
    let ambiguous = false;
    for (const raw of combined.split(',')) {
      // "Spaces and horizontal tabs surrounding list-members are ignored"; "Empty and
      // whitespace-only list members are allowed".
      const m = raw.replace(OWS_RE, '');
      if (m === '') continue;
      const eq = m.indexOf('=');
      const key = eq < 0 ? m : m.slice(0, eq);
      const value = eq < 0 ? '' : m.slice(eq + 1);
      if (eq < 0 || !VALUE_RE.test(value)) valid = false;
      else if (!KEY_RE.test(key)) {
        if (KEY_DRAFT_RE.test(key) && !key.includes('@')) ambiguous = true;
        else valid = false;
      }
      members.push(`${key}=${value}`);
    }
    const keys = members.map((m) => m.slice(0, m.indexOf('=')));
    // "There can be a maximum of 32 list-members"; "Only one entry per key is allowed".
    if (members.length > 32 || new Set(keys).size !== keys.length) valid = false;
    return { combined, members, valid, ambiguous };
  }

  function parseOut(value) {
    return value === '' ? [] : value.split(',').map((m) => m.replace(OWS_RE, '')).filter(Boolean);
  }
  const joinedLength = (members) => members.join(',').length;

  /** The spec's truncation to `limit` characters (both readings of ">128 removed first"). */
  function truncations(members, limit) {
    const out = [];
    for (const bigFromRight of [true, false]) {
      const list = [...members];
      while (joinedLength(list) > limit) {
        const big = list.map((m, i) => (m.length > 128 ? i : -1)).filter((i) => i >= 0);
        if (big.length) list.splice(bigFromRight ? big.at(-1) : big[0], 1);
        else list.pop();
      }
      out.push(list);
    }
    return out;
  }

  function isSubsequence(sub, seq) {
    let i = 0;
    for (const x of seq) if (i < sub.length && sub[i] === x) i += 1;
    return i === sub.length;
  }

  function tracestateCases(rng) {
    const keyChars = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    const lc = 'abcdefghijklmnopqrstuvwxyz';
    const simpleKey = (max = 12) => lc[rng.int(26)] + Array.from({ length: rng.int(max) }, () => keyChars[rng.int(keyChars.length)]).join('');
    const tenantKey = () =>
      (lc + '0123456789')[rng.int(36)] + Array.from({ length: rng.int(8) }, () => keyChars[rng.int(keyChars.length)]).join('') +
      '@' + lc[rng.int(26)] + Array.from({ length: rng.int(13) }, () => keyChars[rng.int(keyChars.length)]).join('');
    const value = (max = 16) => {
      const v = rng.printable(rng.int(max), ',=');
      return v + rng.printable(1, ',= ');
    };
    const uniqueMembers = (n, valueMax = 16, keyMax = 12) => {
      const seen = new Set();
      const out = [];
      while (out.length < n) {
        const k = rng.int(4) ? simpleKey(keyMax) : tenantKey();
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(`${k}=${value(valueMax)}`);
      }
      return out;
    };
    const cases = [];
    const add = (family, values) => cases.push({ family, values });
    for (let i = 0; i < 200; i++) add('valid', [uniqueMembers(1 + rng.int(8)).join(',')]);
    for (let i = 0; i < 60; i++) {
      const ms = uniqueMembers(1 + rng.int(6));
      const sep = () => rng.pick([',', ' ,', ', ', '\t,\t', ' , ', ',,', ', ,']);
      add('valid:ows-empty-members', [rng.pick(['', ' ', '\t']) + ms.join(sep()) + rng.pick(['', ' ', '\t', ','])]);
    }
    for (let i = 0; i < 40; i++) {
      const ms = uniqueMembers(2 + rng.int(6));
      const cut = 1 + rng.int(ms.length - 1);
      add('valid:multiple-fields', [ms.slice(0, cut).join(','), ms.slice(cut).join(',')]);
    }
    add('valid:test-suite-multiple-fields', ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3']);
    add('valid:test-suite-empty-field', ['foo=1', '']);
    add('valid:test-suite-empty-field', ['', 'foo=1']);
    add('valid:test-suite-ows', ['foo=1 \t , \t bar=2, \t baz=3']);
    add('valid:32-members', [Array.from({ length: 32 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${String(i + 1).padStart(2, '0')}`).join(',')]);
    add('valid:key-256', ['foo=1', `${'z'.repeat(256)}=1`]);
    add('valid:tenant-241-system-14', ['foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`]);
    add('valid:value-leading-space', ['foo= 1,bar=2']);
    add('valid:all-value-chars', [`k=${Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== ',' && c !== '=').join('').slice(0, 255)}~`]);
    for (let i = 0; i < 30; i++) add('invalid:33-members', [uniqueMembers(33, 4, 6).join(',')]);
    add('invalid:test-suite-33-members', [Array.from({ length: 33 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`).join(',')]);
    for (let i = 0; i < 40; i++) {
      const ms = uniqueMembers(1 + rng.int(4));
      const dup = rng.pick(ms);
      add('invalid:duplicate-key', [[...ms, `${dup.slice(0, dup.indexOf('='))}=${value()}`].join(',')]);
    }
    add('invalid:duplicate-key', ['foo=1,foo=1']);
    add('invalid:duplicate-key', ['foo=1', 'foo=2']);
    const badKeys = ['FOO', 'foo bar', 'foo.bar', '_foo', '*foo', 'foo@', '@foo', 'foo@@bar', 'foo@bar@baz', `${'z'.repeat(257)}`, `${'t'.repeat(242)}@v`, `t@${'v'.repeat(15)}`, 'foo@1bar', 'ключ', ''];
    for (const k of badKeys) {
      for (let i = 0; i < 3; i++) {
        const ms = uniqueMembers(rng.int(3));
        ms.splice(rng.int(ms.length + 1), 0, `${k}=1`);
        add('invalid:key', [ms.join(',')]);
      }
    }
    const badValues = ['', 'a=b', 'bar=baz', 'é', 'a\tb', `${'v'.repeat(257)}`, 'x\u0001'];
    for (const v of badValues) {
      for (let i = 0; i < 3; i++) {
        const ms = uniqueMembers(rng.int(3));
        ms.splice(rng.int(ms.length + 1), 0, `bad=${v}`);
        add('invalid:value', [ms.join(',')]);
      }
    }
    add('invalid:test-suite-value', ['foo=,bar=3']);
    add('invalid:no-equals', ['foo,bar=1']);
    for (let i = 0; i < 10; i++) add('ambiguous:digit-key', [`${rng.int(10)}${simpleKey(6)}=${value()},b=1`]);
    for (let i = 0; i < 40; i++) {
      // > 512 characters, all valid: 8-20 members, some longer than 128 characters.
      const n = 8 + rng.int(12);
      const ms = uniqueMembers(n, 60).map((m) => (rng.int(4) === 0 ? `${m.slice(0, m.indexOf('=') + 1)}${value(200)}` : m));
      if (joinedLength(ms) > 512 && ms.length <= 32) add('valid:over-512', [ms.join(',')]);
    }
    add('empty', ['']);
    add('empty', [' ', '\t']);
    return cases;
  }

  test('tracestate: combined, OWS, limits, grammar, truncation (trusted valid traceparent)', async (t) => {
    const rng = makeRng(SEED ^ 0x7ace);
    const cases = tracestateCases(rng);
    const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: true }, sampling: { ratio: 1 } }));
    const failures = [];
    const otelDiffs = new Map();
    const policy = { discardWhole: 0, keepValidMembers: 0, passVerbatim: 0 };

    for (const c of cases) {
      const traceId = rng.nonZeroHex(32);
      const parentId = rng.nonZeroHex(16);
      const flags = rng.pick(['00', '01', '03']);
      const ev = originRequestEvent({
        extraHeaders: {
          traceparent: [{ key: 'traceparent', value: `00-${traceId}-${parentId}-${flags}` }],
          tracestate: c.values.map((value) => ({ key: 'tracestate', value })),
        },
      });
      const before = clone(cfOf(ev).request);
      const otelState = otelExtract(cfOf(ev).request.headers)?.traceState?.serialize() ?? '';
      const spec = specTracestate(c.values);
      const label = `[${c.family}] ${JSON.stringify(c.values).slice(0, 160)}`;
      let out;
      let injected;
      try {
        out = await h.handler(ev, fakeContext());
        injected = assertOriginRequestPassThrough(before, out, c.family);
      } catch (e) {
        failures.push(`${label}: ${e.message.split('\n')[0]}`);
        continue;
      }
      // "failure to parse tracestate MUST NOT affect the parsing of traceparent"
      if (injected.traceId !== traceId) {
        failures.push(`${label}: the tracestate made edgetrace drop a valid traceparent`);
        continue;
      }
      const outValues = headerValues(out.headers, 'tracestate');
      if (outValues.length > 1) failures.push(`${label}: tracestate SHOULD be sent as a single field`);
      if (outValues.some((v) => v === '')) failures.push(`${label}: empty tracestate sent ("SHOULD avoid sending them")`);
      const outMembers = parseOut(outValues.join(','));
      const outSpec = specTracestate([outMembers.join(',')]);
      if (outMembers.length && !(outSpec.valid || outSpec.ambiguous)) failures.push(`${label}: emitted an invalid tracestate '${outValues.join(',')}'`);
      if (!isSubsequence(outMembers, spec.members)) {
        failures.push(`${label}: emitted members that are not whole incoming entries in order: '${outValues.join(',')}'`);
        continue;
      }
      const otelMembers = parseOut(otelState);

      if (spec.valid && !spec.ambiguous && joinedLength(spec.members) <= 512) {
        if (JSON.stringify(outMembers) !== JSON.stringify(spec.members)) {
          failures.push(`${label}: valid tracestate must be propagated unchanged, got '${outValues.join(',')}'`);
        }
        if (JSON.stringify(otelMembers) !== JSON.stringify(spec.members)) {
          otelDiffs.set(c.family, (otelDiffs.get(c.family) ?? 0) + 1);
        }
      } else if (spec.valid && !spec.ambiguous) {
        // > 512: "Vendors SHOULD propagate at least 512 characters"; "the vendor MUST truncate
        // whole entries. Entries larger than 128 characters long SHOULD be removed first. Then
        // entries SHOULD be removed starting from the end of tracestate."
        const total = joinedLength(spec.members);
        let matched = false;
        for (let limit = 512; limit <= total && !matched; limit++) {
          matched = truncations(spec.members, limit).some((cand) => JSON.stringify(cand) === JSON.stringify(outMembers));
        }
        if (!matched) failures.push(`${label}: truncation to >= 512 chars must drop >128-char entries first, then from the right; got ${joinedLength(outMembers)} chars '${outMembers.map((m) => m.slice(0, 12)).join(',')}'`);
        if (JSON.stringify(otelMembers) !== JSON.stringify(truncations(spec.members, 512)[0])) {
          otelDiffs.set(c.family, (otelDiffs.get(c.family) ?? 0) + 1);
        }
      } else if (!spec.valid) {
        // Invalid list. W3C test suite (STRICT_LEVEL 2): "expects the tracestate to be
        // discarded"; a lenient reading keeps only valid members. Both are accepted; what must
        // not happen is forwarding invalid content (checked above).
        if (outMembers.length === 0) policy.discardWhole += 1;
        else if (JSON.stringify(outMembers) === JSON.stringify(spec.members)) policy.passVerbatim += 1;
        else policy.keepValidMembers += 1;
        const keys = outMembers.map((m) => m.slice(0, m.indexOf('=')));
        if (new Set(keys).size !== keys.length) failures.push(`${label}: emitted duplicate keys`);
        if (outMembers.length > 32) failures.push(`${label}: emitted more than 32 members`);
        if (otelMembers.length) otelDiffs.set(`${c.family} (OTel keeps members of an invalid list)`, (otelDiffs.get(`${c.family} (OTel keeps members of an invalid list)`) ?? 0) + 1);
      }
    }
    t.diagnostic(`${cases.length} tracestate cases; edgetrace policy for invalid lists: ${JSON.stringify(policy)}`);
    for (const [family, n] of otelDiffs) t.diagnostic(`OTel JS TraceState differs from the spec reading: ${family}: ${n} case(s)`);
    t.diagnostic(
      'documented OTel TraceState deviations: keeps the valid members of an invalid list (duplicate keys, bad keys/values, ' +
        '>32 members) where the W3C test suite at STRICT_LEVEL 2 "expects the tracestate to be discarded"; and truncates to ' +
        '512 chars by skipping members that do not fit from the left, instead of "Entries larger than 128 characters long ' +
        'SHOULD be removed first. Then entries SHOULD be removed starting from the end".',
    );
    assert.equal(policy.passVerbatim, 0, 'invalid tracestate lists must not be forwarded verbatim');
    assert.ok(failures.length === 0, `${failures.length} tracestate failure(s) (seed ${SEED}):\n${summarize(failures)}`);
  });

  test('untrusted incoming context (trustIncoming=false): always a new trace, incoming tracestate dropped', async () => {
    const rng = makeRng(SEED ^ 0xdead);
    const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: false }, sampling: { ratio: 1 } }));
    for (let i = 0; i < 200; i++) {
      const traceId = rng.nonZeroHex(32);
      const ev = originRequestEvent({
        extraHeaders: {
          traceparent: [{ key: 'traceparent', value: `00-${traceId}-${rng.nonZeroHex(16)}-${rng.pick(['00', '01', '03'])}` }],
          tracestate: [{ key: 'tracestate', value: 'congo=t61rcWkgMzE' }],
        },
      });
      const before = clone(cfOf(ev).request);
      const out = await h.handler(ev, fakeContext());
      const injected = assertOriginRequestPassThrough(before, out);
      assert.notEqual(injected.traceId, traceId);
      assert.equal(injected.flags, 0x03);
      assert.deepEqual(headerValues(out.headers, 'tracestate'), ['ot=th:0']);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Sampling

  test('ParentBased with a trusted parent matches sdk-trace-base ParentBasedSampler for every ratio', async () => {
    const rng = makeRng(SEED ^ 0x9a5e);
    for (const ratio of [0, 0.5, 1]) {
      const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: true }, sampling: { ratio } }));
      const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
      const mismatches = [];
      for (let i = 0; i < 200; i++) {
        const flags = rng.hex(2);
        const tp = `00-${rng.nonZeroHex(32)}-${rng.nonZeroHex(16)}-${flags}`;
        const ev = originRequestEvent({ extraHeaders: { traceparent: [{ key: 'traceparent', value: tp }] } });
        const parent = otelExtract(cfOf(ev).request.headers);
        const expected = sampler.shouldSample(trace.setSpanContext(ROOT_CONTEXT, parent), parent.traceId, 'GET', SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED;
        const out = await h.handler(ev, fakeContext());
        const sampled = (parseInt(headerValues(out.headers, 'traceparent')[0].slice(53), 16) & 1) === 1;
        if (sampled !== expected) mismatches.push(`${tp}: edgetrace sampled=${sampled}, OTel ${expected}`);
      }
      assert.deepEqual(mismatches.slice(0, 10), [], `ratio ${ratio}: ${mismatches.length} mismatch(es)`);
    }
  });

  /** Threshold from a th value: hex digits, trailing zeros dropped, padded to 14 digits. */
  function thresholdOf(th) {
    assert.match(th, /^[0-9a-f]{1,14}$/, `th value '${th}'`);
    return BigInt(`0x${th.padEnd(14, '0')}`);
  }

  test('root probability sampling matches the OTel consistent probability sampler (threshold, ot=th)', async (t) => {
    const N = 300;
    const TWO56 = 1n << 56n;
    const ids = [];
    for (const p of [1, 0.75, 0.5, 0.25, 0.125, 0.1, 1 / 3, 0.01, 0]) {
      const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: false }, sampling: { ratio: p } }));
      const reference = createCompositeSampler(createComposableProbabilitySampler(p));
      const refThreshold = p === 0 ? TWO56 : TWO56 - BigInt(Math.round(p * 2 ** 56));
      let sampledCount = 0;
      let band = 0;
      const problems = [];
      const ths = new Set();
      for (let i = 0; i < N; i++) {
        const ev = originRequestEvent();
        const before = clone(cfOf(ev).request);
        const out = await h.handler(ev, fakeContext());
        const { traceId, flags } = assertOriginRequestPassThrough(before, out, 'root');
        ids.push(traceId);
        const sampled = (flags & 1) === 1;
        if ((flags & 2) !== 2) problems.push(`${traceId}: new trace without the random flag`);
        const R = BigInt(`0x${traceId.slice(-14)}`);
        const ref = reference.shouldSample(ROOT_CONTEXT, traceId, 'GET', SpanKind.SERVER, {}, []);
        const refSampled = ref.decision === SamplingDecision.RECORD_AND_SAMPLED;
        const ts = headerValues(out.headers, 'tracestate')[0] ?? '';
        if (sampled) {
          sampledCount += 1;
          // "for root decisions sampled by edgetrace, an ot=th:<hex> entry at the left"
          const first = ts.split(',')[0];
          const m = /^ot=(?:.*;)?th:([0-9a-f]+)(?:;.*)?$/.exec(first);
          if (!m) {
            problems.push(`${traceId}: sampled root without a leftmost ot=th entry (tracestate '${ts}')`);
            continue;
          }
          ths.add(m[1]);
          const T = thresholdOf(m[1]);
          // The recorded threshold must explain the decision: sampled iff R >= T.
          if (R < T) problems.push(`${traceId}: sampled although R=${R.toString(16)} < th ${m[1]}`);
          if (ref.traceState && ref.traceState.get('ot') === `th:${m[1]}` && !refSampled) problems.push(`${traceId}: OTel does not sample with the same th`);
        } else if (ts.includes('ot=') && /th:/.test(ts)) {
          problems.push(`${traceId}: unsampled root must not record a threshold (tracestate '${ts}')`);
        }
        if (sampled !== refSampled) {
          // Only acceptable when R lies between edgetrace's (reduced-precision) threshold and
          // the full-precision reference.
          const edgeT = ths.size ? thresholdOf([...ths][0]) : refThreshold;
          const lo = edgeT < refThreshold ? edgeT : refThreshold;
          const hi = edgeT < refThreshold ? refThreshold : edgeT;
          if (R >= lo && R < hi) band += 1;
          else problems.push(`${traceId}: p=${p} edgetrace sampled=${sampled}, OTel ${refSampled} (R=${R.toString(16)})`);
        }
      }
      for (const th of ths) {
        const T = thresholdOf(th);
        const diff = T > refThreshold ? T - refThreshold : refThreshold - T;
        // At least 4 significant hex digits of precision (the OTel spec's recommended default).
        if (diff >= 1n << 40n) problems.push(`p=${p}: th:${th} too far from (1-p)*2^56 = ${refThreshold.toString(16)}`);
      }
      if (ths.size > 1) problems.push(`p=${p}: several th values ${[...ths].join(', ')}`);
      if (p === 1) assert.deepEqual([...ths], ['0'], 'p = 1 -> th:0');
      if (p === 0) assert.equal(sampledCount, 0, 'p = 0 never samples');
      const expectedTh = reference.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', 'GET', SpanKind.SERVER, {}, []).traceState?.get('ot');
      t.diagnostic(`p=${p}: sampled ${sampledCount}/${N}, edgetrace th ${[...ths].join(',') || '-'}, OTel ${expectedTh ?? '-'}, decisions in the precision band: ${band}`);
      const sd = Math.sqrt((p * (1 - p)) / N);
      assert.ok(Math.abs(sampledCount / N - p) <= 5 * sd + 1 / N, `p=${p}: sampled fraction ${sampledCount / N}`);
      assert.deepEqual(problems.slice(0, 10), [], `p=${p}: ${problems.length} problem(s)`);
    }

    // New trace ids: unique, and the right-most 7 bytes uniformly random (Level 2 random flag).
    assert.equal(new Set(ids).size, ids.length, 'trace ids must be unique');
    const high = ids.filter((id) => BigInt(`0x${id.slice(-14)}`) >= 1n << 55n).length;
    assert.ok(Math.abs(high / ids.length - 0.5) < 0.05, `low 56 bits not uniform: ${high}/${ids.length} above 2^55`);
    for (let bit = 0; bit < 56; bit += 7) {
      const set = ids.filter((id) => (BigInt(`0x${id.slice(-14)}`) >> BigInt(bit)) & 1n).length;
      assert.ok(Math.abs(set / ids.length - 0.5) < 0.06, `bit ${bit} of the random part set in ${set}/${ids.length}`);
    }
  });

  test('ids.xrayCompatible: epoch seconds in the first 4 bytes, random flag kept, X-Ray mapping valid', async () => {
    const h = await makeHandler(otlpConfig(rx.url, { propagation: { trustIncoming: false }, ids: { xrayCompatible: true } }));
    const ids = [];
    for (let i = 0; i < 200; i++) {
      const t0 = Math.floor(Date.now() / 1000);
      const out = await h.handler(originRequestEvent(), fakeContext());
      const t1 = Math.floor(Date.now() / 1000);
      const [, traceId, , flags] = headerValues(out.headers, 'traceparent')[0].split('-');
      const epoch = parseInt(traceId.slice(0, 8), 16);
      assert.ok(epoch >= t0 - 1 && epoch <= t1 + 1, `first 4 bytes ${traceId.slice(0, 8)} = ${epoch}, now ${t0}`);
      assert.equal(parseInt(flags, 16) & 2, 2, 'X-Ray ids keep 12 random bytes: random flag still set');
      ids.push(traceId);
    }
    assert.equal(new Set(ids).size, ids.length);
    const high = ids.filter((id) => BigInt(`0x${id.slice(-14)}`) >= 1n << 55n).length;
    assert.ok(Math.abs(high / ids.length - 0.5) < 0.15, `low 56 bits not uniform: ${high}/${ids.length}`);
  });
});
