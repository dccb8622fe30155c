// Native-vs-JS differential test of edgetrace's C++ AWS X-Ray and B3 parsers and of its header
// injection (InjectHeaders), before they are wired into the Lambda package. Builds nothing: it runs the native probe
// (tests/unit/support/propagation_probe.cc, target `propagation_probe` of the native presets)
// named by EDGETRACE_PROPAGATION_PROBE, and skips when that variable is unset:
//
//   cmake --preset native && cmake --build --preset native -j2 --target propagation_probe
//   EDGETRACE_PROPAGATION_PROBE=build/native/tests/unit/propagation_probe \
//     node --test tests/node/propagation_native_differential.test.mjs
//
// For thousands of seeded valid and invalid headers (tests/node/support/propagation_vectors.mjs):
//   1. the C++ parsers agree 100% with the specification reference (ids, decision, Lineage,
//      carried fields), and everything they accept re-formats and re-parses to itself;
//   2. they agree with the OFFICIAL OpenTelemetry JS propagators (@opentelemetry/propagator-
//      aws-xray, @opentelemetry/propagator-b3) on every case, except where OTel JS deviates from
//      the written specification: there the spec wins, and each such case must be explained by
//      one of the documented deviations below (an OTel upgrade that changes behaviour fails the
//      test and gets re-examined). Every documented deviation must still be observed;
//   3. for seeded span contexts, C++ InjectHeaders writes exactly the X-Ray / B3 single / B3
//      multi headers the spec reference gives, byte for byte what OTel JS injects (but for the
//      documented deviations), all of which OTel JS and the C++ ExtractContext read back to the
//      same ids and decision.
//
// Seed: EDGETRACE_DIFF_SEED (default below); EDGETRACE_DIFF_CASES random cases per format.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import {
  generateB3Cases,
  generateInjectCases,
  generateXRayCases,
  otelB3Multi,
  otelB3Single,
  otelXRay,
  toProbeLine,
} from './support/propagation_vectors.mjs';

const PROBE = process.env.EDGETRACE_PROPAGATION_PROBE;
const SEED = Number(process.env.EDGETRACE_DIFF_SEED ?? 0x5eed2025);
const RANDOM_CASES = Number(process.env.EDGETRACE_DIFF_CASES ?? 4000);
const SKIP = PROBE
  ? false
  : 'EDGETRACE_PROPAGATION_PROBE is not set: build the native preset and point it at ' +
    'build/native/tests/unit/propagation_probe to compare the C++ X-Ray/B3 parsers with OTel JS';

// ---------------------------------------------------------------------------------------------
// Documented deviations of OpenTelemetry JS from the written specifications.
//   otel     how OTel's decision differs from the spec: 'accepts' (OTel valid, spec invalid),
//            'rejects' (OTel invalid, spec valid), 'differs' (both valid, other ids/decision)
//   applies  whether the case has the feature the deviation is about
//   spec     the sentence that decides (or, where no spec text exists, edgetrace's policy)

const JS_WHITESPACE_NOT_OWS = /[\n\r\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const startsWithOws = (s) => /^[ \t]/.test(s);
const hasOws = (s) => typeof s === 'string' && /^[ \t]|[ \t]$/.test(s);
/** X-Ray parts as OTel JS reads them: split on ';', String.prototype.trim(). */
const otelParts = (h) => h.split(';').map((p) => p.trim());
/** Exact context keys as edgetrace reads them (OWS-trimmed key before the first '='). */
const exactKeys = (h) =>
  h.split(';').map((p) => p.split('=')[0].replace(/^[ \t]+|[ \t]+$/g, ''));

const XRAY_DEVIATIONS = {
  'sampled-requested-or-absent': {
    otel: ['rejects'],
    applies: (c) => c.spec.valid && c.spec.sampling === 'unknown',
    spec:
      'OTel JS drops the context unless Sampled is 0 or 1 (its README: "Defined in the AWS X-Ray specification as a ' +
      'tri-state field, with "0", "1" and "?" as valid values. Only "0" and "1" are used in this propagator. If "?", a ' +
      'new trace will be started."). The AWS X-Ray SDK for Go: "Requested indicates sampling decision will be made by ' +
      'the downstream service"; an absent Sampled is the SDKs\' UNKNOWN. Spec wins: keep the ids, defer the decision.',
  },
  'uppercase-hex': {
    otel: ['accepts'],
    applies: (c) => otelParts(c.header).some((p) => /^(Root|Parent)/.test(p) && /[A-F]/.test(p.split('=').slice(1).join('='))),
    spec:
      'OTel JS (api isValidTraceId accepts A-F) passes an upper-case id through unchanged (traceId "5759E988…"), ' +
      'which it would then inject into traceparent although W3C Trace Context says "trace-id = 32HEXDIGLC" and ' +
      '"parent-id = 16HEXDIGLC". Spec wins: upper case is invalid.',
  },
  'duplicate-context-field': {
    otel: ['accepts', 'differs'],
    applies: (c) => {
      const keys = exactKeys(c.header).filter((k) => ['Root', 'Parent', 'Sampled'].includes(k));
      return new Set(keys).size !== keys.length;
    },
    spec:
      'OTel JS lets the last Root/Parent/Sampled win. No AWS text covers repeated fields; edgetrace policy: an ' +
      'ambiguous context is not trusted (as for duplicate tracestate keys), so the header is invalid.',
  },
  'key-prefix': {
    otel: ['accepts', 'rejects', 'differs'],
    applies: (c) =>
      otelParts(c.header).some((p) => {
        const known = /^(Root|Parent|Sampled)/.exec(p);
        return known && p.split('=')[0].replace(/[ \t]+$/, '') !== known[1];
      }),
    spec:
      'OTel JS matches keys with startsWith, so "RootX=…" is read as Root and "Parents=…" as Parent. The AWS SDKs ' +
      'match the whole key: aws-xray-sdk-java TraceHeader ROOT_PREFIX = "Root=", PARENT_PREFIX = "Parent=", ' +
      'SAMPLED_PREFIX = "Sampled=". Spec wins: other keys are carried fields.',
  },
  'ows-after-equals': {
    otel: ['rejects'],
    applies: (c) =>
      c.header.split(';').some((p) => {
        const eq = p.indexOf('=');
        const key = p.slice(0, Math.max(eq, 0)).replace(/^[ \t]+|[ \t]+$/g, '');
        return eq >= 0 && ['Root', 'Parent', 'Sampled'].includes(key) && startsWithOws(p.slice(eq + 1));
      }),
    spec:
      'OTel JS keeps whitespace after "=" in the value ("Sampled= 1" is invalid) while it tolerates it before "=" ' +
      'and around ";". edgetrace policy: OWS (SP / HTAB) around "=" is ignored like OWS around ";".',
  },
  'non-ows-whitespace': {
    otel: ['accepts', 'rejects', 'differs'],
    applies: (c) => JS_WHITESPACE_NOT_OWS.test(c.header),
    spec:
      'OTel JS trims parts with String.prototype.trim (CR, LF, VT, FF, NBSP, U+2028, U+FEFF, …), so it reads e.g. ' +
      '"\\u00a0Sampled=0" as Sampled where edgetrace sees a malformed carried field. RFC 9110: "OWS = *( SP / HTAB )" ' +
      'and "Field values containing CR, LF, or NUL characters are invalid and dangerous". Spec wins.',
  },
  'too-long': {
    otel: ['accepts'],
    applies: (c) => Buffer.byteLength(c.header, 'utf8') > 256,
    spec:
      'OTel JS has no size limit. The header is capped at 256 characters by AWS ("XRay Tracing has a 256 character ' +
      'limit", opentelemetry-java-contrib #1671; OTel Java truncates what it injects to 256). edgetrace policy: ' +
      'longer headers are invalid.',
  },
};

const OTEL_B3_SINGLE_REGEX = /((?:[0-9a-f]{16}){1,2})-([0-9a-f]{16})(?:-([01d](?![0-9a-f])))?(?:-([0-9a-f]{16}))?/;
const B3_VALID_SAMPLED = ['1', '0', 'true', 'false', 'True', 'False'];

const B3_DEVIATIONS = {
  'single-unanchored': {
    otel: ['accepts'],
    applies: (c) => c.kind === 'single' && OTEL_B3_SINGLE_REGEX.test(c.header),
    spec:
      'OTel JS searches the b3 value with an unanchored regex, so leading/trailing data, a 48-hex trace id (read as ' +
      'its last 32 digits) or junk after the state still yield a context. B3: "b3={TraceId}-{SpanId}-{SamplingState}-' +
      '{ParentSpanId}, where the last two fields are optional" and "The first position of the b3 value is the 32 or ' +
      '16 lower-hex character TraceId". Spec wins.',
  },
  'multi-uppercase-hex': {
    otel: ['accepts'],
    applies: (c) => c.kind === 'multi' && /[A-F]/.test(`${c.headers.traceId ?? ''}${c.headers.spanId ?? ''}`),
    spec:
      'OTel JS accepts (and passes through) upper-case x-b3-* ids. B3: "The X-B3-TraceId header is required and is ' +
      'encoded as 32 or 16 lower-hex characters", "The X-B3-SpanId header … is encoded as 16 lower-hex characters". ' +
      'Spec wins.',
  },
  'multi-trace-id-length': {
    otel: ['accepts'],
    applies: (c) =>
      c.kind === 'multi' && /^[0-9a-fA-F]{1,31}$/.test(c.headers.traceId ?? '') && c.headers.traceId.length !== 16,
    spec:
      'OTel JS left-pads any x-b3-traceid shorter than 32 chars ("1" becomes a valid id). B3: "encoded as 32 or 16 ' +
      'lower-hex characters". Spec wins.',
  },
  'multi-debug-with-malformed-sampled': {
    otel: ['accepts'],
    applies: (c) =>
      c.kind === 'multi' && c.headers.flags === '1' && c.headers.sampled !== undefined &&
      !B3_VALID_SAMPLED.includes(c.headers.sampled),
    spec:
      'With X-B3-Flags: 1, OTel JS ignores a malformed X-B3-Sampled. B3: "An accept sampling decision is encoded as ' +
      'X-B3-Sampled: 1 and a deny as X-B3-Sampled: 0" (true/false: "a lenient implementation may accept them"). ' +
      'edgetrace policy: a present field must be well-formed, debug or not.',
  },
  'multi-empty-sampled': {
    otel: ['rejects'],
    applies: (c) => c.kind === 'multi' && c.headers.sampled === '',
    spec:
      'OTel JS rejects an empty X-B3-Sampled. B3: "Absent means defer the decision to the receiver of this header"; ' +
      'edgetrace reads an empty field value (allowed by RFC 9110) as absent: it carries no decision.',
  },
  'multi-ows': {
    otel: ['rejects', 'differs'],
    applies: (c) => c.kind === 'multi' && Object.values(c.headers).some(hasOws),
    spec:
      'OTel JS keeps surrounding whitespace in x-b3-* values. RFC 9110 section 5.5: "a field parsing implementation ' +
      'MUST exclude such whitespace prior to evaluating the field value". Spec wins (edgetrace trims OWS at the ' +
      'HTTP boundary, as for traceparent).',
  },
};

// Injection: where edgetrace's headers differ from what OTel JS injects for the same context.
//   fields   the injected fields the deviation may change
//   explains whether it accounts for the native value of such a field

const INJECT_DEVIATIONS = {
  'xray-lineage-carried': {
    fields: ['xray'],
    explains: (c, native) =>
      c.context.lineage !== '' && native.xray === `${c.otel.xray};Lineage=${c.context.lineage}`,
    spec:
      'OTel JS AWSXRayPropagator injects only Root, Parent and Sampled ("TODO: Add OT trace state to the X-Ray trace ' +
      'header"); OTel Java\'s AwsXrayPropagator carries the Lineage. AWS: Lambda adds "Lineage" to the tracing header ' +
      'to detect recursive invocation loops, which works only if every hop forwards it. edgetrace forwards a ' +
      'well-formed Lineage it received (IsValidXRayLineage) and drops any other.',
  },
};

// ---------------------------------------------------------------------------------------------

function runProbe(cases) {
  const input = Buffer.from(`${cases.map(toProbeLine).join('\n')}\n`, 'latin1');
  const run = spawnSync(PROBE, [], { input, maxBuffer: 1 << 28 });
  assert.equal(run.error, undefined, `probe failed to start: ${run.error}`);
  assert.equal(run.status, 0, `probe exited with ${run.status}: ${run.stderr}`);
  const lines = run.stdout.toString('utf8').trimEnd().split('\n');
  assert.equal(lines.length, cases.length, 'one probe result per case');
  return lines.map((line) => {
    const out = JSON.parse(line);
    assert.equal(out.error, undefined, `probe rejected a request: ${line}`);
    return out;
  });
}

/** "[family] value", non-ASCII escaped so that NBSP and friends are visible. */
const describeCase = (c) =>
  `[${c.family}] ${JSON.stringify(c.header ?? c.headers).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;

/** Native vs the spec reference, on every field the reference decides. */
function specMismatches(cases, natives) {
  const out = [];
  cases.forEach((c, i) => {
    const native = natives[i];
    for (const [key, expected] of Object.entries(c.spec)) {
      if (JSON.stringify(native[key]) !== JSON.stringify(expected)) {
        out.push(`${describeCase(c)}: ${key} native ${JSON.stringify(native[key])}, spec ${JSON.stringify(expected)}`);
      }
    }
    if (native.valid && !native.roundTrip) out.push(`${describeCase(c)}: format -> parse does not give the same context`);
  });
  return out;
}

function otelOutcome(native, otel, nativeSampled) {
  if (native.valid !== otel.valid) return otel.valid ? 'accepts' : 'rejects';
  if (!native.valid) return 'agree';
  const same = native.traceId === otel.traceId && native.spanId === otel.spanId && nativeSampled === otel.sampled;
  return same ? 'agree' : 'differs';
}

/** Native vs OTel JS: every disagreement must be a documented deviation. */
function compareWithOtel(t, name, cases, natives, deviations, nativeSampled) {
  const observed = Object.fromEntries(Object.keys(deviations).map((id) => [id, 0]));
  const tally = { otelValid: [0, 0], otelInvalid: [0, 0], undocumentedFree: [0, 0] };
  const undocumented = [];
  cases.forEach((c, i) => {
    const outcome = otelOutcome(natives[i], c.otel, nativeSampled(natives[i]));
    const agree = outcome === 'agree';
    const bucket = c.otel.valid ? tally.otelValid : tally.otelInvalid;
    bucket[0] += agree ? 1 : 0;
    bucket[1] += 1;
    const applicable = Object.entries(deviations).filter(([, d]) => d.applies(c));
    if (applicable.length === 0) {
      tally.undocumentedFree[0] += agree ? 1 : 0;
      tally.undocumentedFree[1] += 1;
    }
    if (agree) return;
    const explained = applicable.filter(([, d]) => d.otel.includes(outcome));
    if (explained.length === 0) {
      undocumented.push(`${describeCase(c)}: OTel ${outcome} (otel ${JSON.stringify(c.otel)}, native valid=${natives[i].valid})`);
      return;
    }
    for (const [id] of explained) observed[id] += 1;
  });
  const pct = ([a, n]) => `${a}/${n} (${n ? ((100 * a) / n).toFixed(2) : '100.00'}%)`;
  t.diagnostic(`${name}: ${cases.length} cases, seed ${SEED}`);
  t.diagnostic(`${name}: agreement where OTel JS accepts: ${pct(tally.otelValid)}`);
  t.diagnostic(`${name}: same decision where OTel JS rejects: ${pct(tally.otelInvalid)}`);
  t.diagnostic(`${name}: agreement on cases no documented deviation applies to: ${pct(tally.undocumentedFree)}`);
  for (const [id, n] of Object.entries(observed)) t.diagnostic(`${name}: deviation ${id}: ${n} case(s)`);
  assert.deepEqual(undocumented.slice(0, 20), [], `${undocumented.length} undocumented disagreement(s) with OTel JS`);
  assert.equal(tally.undocumentedFree[0], tally.undocumentedFree[1], 'agreement must be 100% outside documented deviations');
  const stale = Object.entries(observed).filter(([, n]) => n === 0).map(([id]) => id);
  assert.deepEqual(stale, [], 'every documented deviation must still be observed (else re-examine the table)');
}

describe(`X-Ray / B3 native differential (seed ${SEED})`, { skip: SKIP }, () => {
  before(() => {
    assert.ok(fs.existsSync(PROBE), `EDGETRACE_PROPAGATION_PROBE=${PROBE} does not exist: build target propagation_probe`);
  });

  test('X-Ray: C++ parser follows the spec; OTel JS deviations are only the documented ones', (t) => {
    const cases = generateXRayCases(SEED, RANDOM_CASES);
    const natives = runProbe(cases);
    const mismatches = specMismatches(cases, natives);
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} case(s) where C++ and the spec differ`);
    compareWithOtel(t, 'xray', cases, natives, XRAY_DEVIATIONS, (n) => n.sampling === 'sampled');
  });

  test('B3: C++ parsers follow the spec; OTel JS deviations are only the documented ones', (t) => {
    const cases = generateB3Cases(SEED, RANDOM_CASES);
    const natives = runProbe(cases);
    for (const [i, c] of cases.entries()) {
      assert.equal(natives[i].kind, c.kind === 'single' ? 'b3' : 'b3multi', 'probe answers in order');
    }
    const mismatches = specMismatches(cases, natives);
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} case(s) where C++ and the spec differ`);
    compareWithOtel(t, 'b3', cases, natives, B3_DEVIATIONS, (n) => n.sampling === 'accept' || n.sampling === 'debug');
  });
  test('Inject: C++ headers follow the spec, read back everywhere; OTel JS differs only as documented', (t) => {
    const cases = generateInjectCases(SEED, RANDOM_CASES);
    const natives = runProbe(cases);
    const fields = ['xray', 'b3', 'b3TraceId', 'b3SpanId', 'b3Sampled'];
    const describeContext = (c) => `[${c.family}] ${JSON.stringify(c.context)}`;
    const mismatches = [];
    const undocumented = [];
    const observed = Object.fromEntries(Object.keys(INJECT_DEVIATIONS).map((id) => [id, 0]));
    let agree = 0;
    cases.forEach((c, i) => {
      const native = natives[i];
      assert.equal(native.kind, 'inject', 'probe answers in order');
      for (const f of fields) {
        if (native[f] !== c.spec[f]) mismatches.push(`${describeContext(c)}: ${f} native ${JSON.stringify(native[f])}, spec ${JSON.stringify(c.spec[f])}`);
        if (!/^[\x20-\x7e]*$/.test(native[f])) mismatches.push(`${describeContext(c)}: ${f} is not printable ASCII`);
      }
      if (!native.roundTrip) mismatches.push(`${describeContext(c)}: ExtractContext does not read the injected headers back`);

      // OTel JS reads what edgetrace injects as the context it was injected for.
      if (c.spec.xray !== '') {
        const expected = { valid: true, traceId: c.context.traceId, spanId: c.context.spanId, sampled: c.context.sampled };
        const read = {
          xray: otelXRay(native.xray),
          b3: otelB3Single(native.b3),
          b3multi: otelB3Multi({ traceId: native.b3TraceId, spanId: native.b3SpanId, sampled: native.b3Sampled }),
        };
        for (const [format, got] of Object.entries(read)) {
          if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push(`${describeContext(c)}: OTel JS reads the ${format} headers as ${JSON.stringify(got)}`);
        }
      }

      if (c.otel.other.length) undocumented.push(`${describeContext(c)}: OTel JS also injects ${c.otel.other}`);
      const differing = fields.filter((f) => native[f] !== c.otel[f]);
      if (differing.length === 0) {
        agree += 1;
        return;
      }
      const explained = Object.entries(INJECT_DEVIATIONS).filter(
        ([, d]) => differing.every((f) => d.fields.includes(f)) && d.explains(c, native),
      );
      if (explained.length === 0) {
        undocumented.push(`${describeContext(c)}: ${differing.map((f) => `${f} native ${JSON.stringify(native[f])} otel ${JSON.stringify(c.otel[f])}`).join(', ')}`);
        return;
      }
      for (const [id] of explained) observed[id] += 1;
    });
    t.diagnostic(`inject: ${cases.length} contexts, seed ${SEED}`);
    t.diagnostic(`inject: byte-identical to OTel JS: ${agree}/${cases.length}`);
    for (const [id, n] of Object.entries(observed)) t.diagnostic(`inject: deviation ${id}: ${n} case(s)`);
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} injection mismatch(es)`);
    assert.deepEqual(undocumented.slice(0, 20), [], `${undocumented.length} undocumented difference(s) from OTel JS`);
    const stale = Object.entries(observed).filter(([, n]) => n === 0).map(([id]) => id);
    assert.deepEqual(stale, [], 'every documented deviation must still be observed (else re-examine the table)');
  });
});

test('OTel JS still behaves as the documented deviations say (no probe needed)', () => {
  // Pin the exact OTel JS behaviour each table entry describes, so an upgrade that fixes one
  // is noticed even if the generators stopped producing it.
  const xray = generateXRayCases(SEED, 0);
  const b3 = generateB3Cases(SEED, 0);
  const first = (cases, family) => cases.find((c) => c.family === family);
  assert.equal(first(xray, 'valid:sampled-requested').otel.valid, false);
  assert.equal(first(xray, 'valid:sampled-absent').otel.valid, false);
  assert.equal(first(xray, 'invalid:uppercase-hex').otel.valid, true);
  assert.equal(first(xray, 'invalid:too-long').otel.valid, true);
  assert.equal(first(xray, 'invalid:key-prefix-only').otel.valid, true);
  assert.equal(first(xray, 'valid:ows-after-equals').otel.valid, false);
  assert.equal(first(b3, 'single:trailing-data').otel.valid, true);
  assert.equal(first(b3, 'multi:trace-id-length').otel.valid, true);
  assert.equal(first(b3, 'multi:empty-sampled').otel.valid, false);
  // Injection: OTel JS writes no Lineage, no B3 parent span id and no other header.
  const inject = generateInjectCases(SEED, 0);
  const lineage = first(inject, 'inject:lineage');
  assert.equal(lineage.otel.xray.includes('Lineage'), false);
  assert.equal(lineage.spec.xray.endsWith(`;Lineage=${lineage.context.lineage}`), true);
  assert.equal(first(inject, 'inject:plain').otel.b3.split('-').length, 3);
  assert.deepEqual(first(inject, 'inject:plain').otel.other, []);
});
