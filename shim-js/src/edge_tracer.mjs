// The synchronous tracing work of each trigger, around the Wasm module. Never throws: any
// failure leaves the user's request/response exactly as CloudFront sent it, logs one line
// and, for a Wasm trap, replaces the instance with a fresh one.
import { readFileSync } from 'node:fs';
import {
  appendHeader,
  cloudFrontRecord,
  EDGE_CONTEXT_HEADER,
  FILL_STAMP_HEADER,
  firstHeaderValue,
  headerValue,
  isHeaderMap,
  removeHeader,
  setHeader,
  statusField,
  writeRequestFields,
  writeSpanFields,
} from './cloudfront_event.mjs';
import { createExporter } from './exporters.mjs';
import { SpanStats } from './span_stats.mjs';
import { Action, CloseFlag, Field, InputTooLargeError, Slot, Status, Trigger, WARM_UP, WasmTracer } from './wasm_tracer.mjs';

const COLD_START = 1;
const CONFIGURE_FIELDS = [Field.configJson, Field.cloudRegion, Field.functionName, Field.functionVersion];
let compiledModule = null; // one compile per sandbox, shared by every tracer in it

function wasmModule() {
  compiledModule ??= new WebAssembly.Module(readFileSync(new URL('./edgetrace.wasm', import.meta.url)));
  return compiledModule;
}

// Unix ms with sub-ms precision. timeOrigin is fixed for the process: read it once.
const TIME_ORIGIN = performance.timeOrigin;
const nowMs = () => TIME_ORIGIN + performance.now();

/** A configuration that turns tracing off without a log line (the reason was logged already). */
export const TRACING_DISABLED = Symbol('edgetrace: tracing disabled');

export function defaultLog(line) {
  process.stdout.write(line + '\n');
}

/**
 * A thrown value as text for a log line. What a wrapped user's objects throw can be anything
 * (a Proxy whose traps throw again, an object without toString), so this never throws.
 */
export function describeThrown(value) {
  try {
    if (value instanceof Error) return String(value.message);
    return String(value);
  } catch {
    return 'an unprintable value';
  }
}

// V8 compiles Wasm functions lazily: the first call of each costs milliseconds. One
// synthetic request/response pass through the deployed triggers during init moves that cost
// out of the first real request.
function warmUp(wasm, triggers) {
  const first = triggers.has('viewer-request') ? 'viewer-request' : 'origin-request';
  const last = triggers.has('viewer-response') ? 'viewer-response' : 'origin-response';
  const cf = {
    config: { distributionId: 'EWARMUP', distributionDomainName: 'warmup.cloudfront.net', requestId: 'warmup', eventType: first },
    request: { clientIp: '192.0.2.1', method: 'GET', uri: '/', querystring: '', headers: { host: [{ key: 'Host', value: 'warmup.invalid' }] } },
    response: { status: '200', headers: {} },
  };
  writeRequestFields(wasm, cf);
  if (wasm.onRequest(Trigger[first], nowMs(), WARM_UP) !== Status.ok) return;
  wasm.readHeaders();
  const written = { traceparent: wasm.traceparent, tracestate: wasm.tracestate, edgeContext: wasm.edgeContext };
  writeSpanFields(wasm, cf, undefined, { written });
  wasm.onResponse(Trigger[last], nowMs(), WARM_UP);
}

const DEFAULT_TRIGGERS = ['origin-request', 'origin-response'];
// Output slot, header name: the other propagation formats. The module sets those in
// propagation.inject and removes the client's own headers of the others (left next to
// edgetrace's traceparent, they would let a client pick the parent and force sampling).
const OTHER_FORMATS = [
  Slot.xray, 'x-amzn-trace-id',
  Slot.b3, 'b3',
  Slot.b3TraceId, 'x-b3-traceid',
  Slot.b3SpanId, 'x-b3-spanid',
  Slot.b3Sampled, 'x-b3-sampled',
];
const OTHER_FORMAT_COUNT = OTHER_FORMATS.length / 2;
/** Index in OTHER_FORMATS (pairs) of the first B3 multi header. */
const FIRST_B3_MULTI = 2;
// Where edgetrace's stage of a step failed, for the log line; only a failure inside the module
// (a trap, or an import that threw while it ran) leaves its state unknown.
const READING_EVENT = 'cannot read the event';
const IN_MODULE = 'in the module';
const CHANGING_REQUEST = 'cannot change the request';
const NOTHING = Object.freeze({ body: null, spanCount: 0 });
const TRACEPARENT_LENGTH = 55;

/**
 * The trace headers a request-side trigger set, for a close at the same trigger.
 * @typedef {{traceparent: string, tracestate: string | undefined, edgeContext: string | undefined}} Written
 */

/**
 * @typedef {object} Hooks
 * @property {(line: string) => void} [log]  receives every log line (default: stdout)
 */

/**
 * Builds the per-sandbox tracer. Synchronous and side-effect free apart from compiling the
 * module and one warm-up call.
 * @param {object} config  edgetrace configuration (see README "Configuration")
 * @param {Hooks} [hooks]
 */
export function createTracer(config, hooks = {}) {
  const log = hooks.log ?? defaultLog;
  const stats = new SpanStats(log);
  let wasm = null;
  let exporter = createExporter({ mode: 'none', headers: {}, timeoutMs: 0 }, stats, log);
  let configJson;
  /** The module's own message when it rejected the configuration. */
  let configError = null;
  let coldStart = COLD_START;

  function configure() {
    const env = process.env;
    wasm.writeFields(CONFIGURE_FIELDS, [configJson, env.AWS_REGION, env.AWS_LAMBDA_FUNCTION_NAME, env.AWS_LAMBDA_FUNCTION_VERSION]);
    const status = wasm.configure();
    if (status !== Status.ok) {
      configError = wasm.text(Slot.error);
      throw new Error(`invalid configuration: ${configError}`);
    }
    return JSON.parse(wasm.text(Slot.exporterSettings));
  }

  let triggers = new Set(DEFAULT_TRIGGERS);
  let capture;
  let otherFormats = false;
  let keepErrors = false;
  let correlating = false; // propagation.responseHeader asks for a header on viewer responses
  // The all-four deployment has two open spans at the origin triggers (the origin fetch and
  // the root); the other deployments one.
  let twoSpans = false;
  // Slots 6-10 of the last on_request, read before the request is changed (reused: the
  // per-request path allocates nothing for them).
  const otherActions = new Uint8Array(OTHER_FORMAT_COUNT);
  const otherValues = new Array(OTHER_FORMAT_COUNT);
  // TRACING_DISABLED leaves the tracer disabled, silently.
  if (config !== TRACING_DISABLED) {
    try {
      // No config means defaults; anything else (null included) is validated by the module.
      configJson = JSON.stringify(config === undefined ? {} : config);
      wasm = new WasmTracer(wasmModule(), log);
      exporter = createExporter(configure(), stats, log);
      // The module accepted the configuration, so these have the shapes it checked.
      triggers = new Set(config?.triggers ?? DEFAULT_TRIGGERS);
      capture = headerAllowlist(config?.capture);
      otherFormats = (config?.propagation?.extract ?? []).some((format) => format !== 'tracecontext');
      keepErrors = config?.sampling?.keepErrors === true;
      correlating = (config?.propagation?.responseHeader ?? 'none') !== 'none';
      twoSpans = triggers.has('viewer-request') && triggers.has('origin-request');
      warmUp(wasm, triggers);
    } catch (err) {
      wasm = null;
      log(`edgetrace: tracing disabled, all requests pass through untouched: ${err.message}`);
    }
  }

  /**
   * Handles a failure of edgetrace's own work and says what happened, for the one log line.
   * A failure inside the module replaces the instance, whose state is then unknown; one in
   * plain JS (an event object whose getters throw, fields over the input arena) leaves the
   * module as it was.
   * @param {unknown} err
   * @param {string} stage  READING_EVENT, IN_MODULE or CHANGING_REQUEST
   * @returns {string}
   */
  function recover(err, stage) {
    if (err instanceof InputTooLargeError) return err.message;
    if (stage !== IN_MODULE) return `${stage}: ${describeThrown(err)}`;
    const kind = err instanceof WebAssembly.RuntimeError ? 'wasm trap' : 'internal error';
    try {
      wasm.instantiate();
      configure();
      return `${kind}: ${describeThrown(err)}; module re-instantiated`;
    } catch (again) {
      wasm = null;
      return `${kind}: ${describeThrown(err)}; re-instantiation failed (${describeThrown(again)}), tracing disabled`;
    }
  }

  /** The stable drop reason of a close that failed after the request side sampled it. */
  function failedCloseReason(err, stage) {
    if (err instanceof InputTooLargeError) return 'input_too_large';
    if (stage !== IN_MODULE) return 'event_unreadable';
    return err instanceof WebAssembly.RuntimeError ? 'wasm_trap' : 'internal_error';
  }

  // AWS does not document whether a response event's cf.request shows the headers the
  // request-side function added. The request side sets x-edgetrace-ctx on every request it
  // sees, so its presence answers the question; operators read it once per sandbox (the
  // canary in terraform/README.md).
  let visibilityReported = false;
  let noticeReported = false;
  function reportHeaderVisibility(contextSeen) {
    visibilityReported = true;
    const seen = contextSeen ? 'yes' : 'no';
    log(`edgetrace: response events carry request-side headers: ${seen} (AWS_REGION=${process.env.AWS_REGION ?? 'unset'})`);
  }

  function takeColdStart() {
    const flag = coldStart;
    coldStart = 0;
    return flag;
  }

  /**
   * viewer-request / origin-request: adds this request's trace headers to cf.request.
   * @param {'viewer-request' | 'origin-request'} trigger
   * @returns {Written | null}  the headers set, or null when the request is not traced
   */
  function onRequest(trigger, event, context) {
    if (wasm === null || !triggers.has(trigger)) return null;
    let stage = READING_EVENT;
    try {
      const cf = cloudFrontRecord(event);
      const headers = cf?.request?.headers;
      if (!isHeaderMap(headers)) {
        log(`edgetrace: ${trigger} not traced: event has no request headers`);
        return null;
      }
      writeRequestFields(wasm, cf, otherFormats);
      stage = IN_MODULE;
      const status = wasm.onRequest(Trigger[trigger], nowMs(), takeColdStart());
      if (status !== Status.ok) {
        if (status < 0) log(`edgetrace: ${trigger} not traced: ${wasm.text(Slot.error)}`);
        return null;
      }
      // Traced, with something the operator should fix (ABI.md slot 4): once per sandbox.
      if (!noticeReported && wasm.hasOutput(Slot.error)) {
        noticeReported = true;
        log(`edgetrace: ${wasm.text(Slot.error)} (logged once per sandbox)`);
      }
      // Read every output before changing anything: the request changes all or nothing.
      wasm.readHeaders();
      const { traceparent, tracestate, edgeContext } = wasm;
      const traceparentAction = wasm.action(Slot.traceparent);
      const tracestateAction = wasm.action(Slot.tracestate);
      const contextAction = wasm.action(Slot.edgeContext);
      const otherFormatChanges = readOtherFormats();
      stage = CHANGING_REQUEST;
      if (traceparentAction === Action.set) setHeader(headers, 'traceparent', traceparent);
      if (tracestate !== undefined) setHeader(headers, 'tracestate', tracestate);
      else if (tracestateAction === Action.remove) removeHeader(headers, 'tracestate');
      // "keep" means the joined value is already canonical; several fields still become one,
      // for origins that read only the first.
      else if (headers.tracestate?.length > 1) setHeader(headers, 'tracestate', headerValue(headers, 'tracestate'));
      if (edgeContext !== undefined) setHeader(headers, EDGE_CONTEXT_HEADER, edgeContext);
      else if (contextAction === Action.remove) removeHeader(headers, EDGE_CONTEXT_HEADER);
      if (otherFormatChanges) applyOtherFormats(headers);
      // For a close at this same trigger (wrap), whatever the user's code does to the headers.
      return { traceparent: traceparentAction === Action.set ? traceparent : headerValue(headers, 'traceparent'), tracestate: headerValue(headers, 'tracestate'), edgeContext };
    } catch (err) {
      log(`edgetrace: ${trigger} not traced: ${recover(err, stage)}`);
      return null;
    }
  }

  /**
   * Reads the actions of slots 6-10 (and the values set) into otherActions / otherValues.
   * Every request pays these five reads: the module may remove a client's headers of those
   * formats even when it injects none.
   * @returns {boolean}  whether any slot asks for a change
   */
  function readOtherFormats() {
    let changes = false;
    for (let i = 0; i < OTHER_FORMAT_COUNT; i++) {
      const slot = OTHER_FORMATS[2 * i];
      const action = wasm.action(slot);
      otherActions[i] = action;
      otherValues[i] = action === Action.set ? wasm.text(slot) : undefined;
      if (action === Action.set || action === Action.remove) changes = true;
    }
    return changes;
  }

  /** Applies what readOtherFormats read to the request headers. */
  function applyOtherFormats(headers) {
    let b3Multi = false;
    for (let i = 0; i < OTHER_FORMAT_COUNT; i++) {
      const action = otherActions[i];
      const name = OTHER_FORMATS[2 * i + 1];
      if (action === Action.set) setHeader(headers, name, otherValues[i]);
      else if (action === Action.remove) removeHeader(headers, name);
      else continue;
      if (i >= FIRST_B3_MULTI) b3Multi = true;
    }
    // The B3 multi headers edgetrace never writes must not outlive the ones it decided: a
    // client's x-b3-flags: 1 (debug) forces sampling, x-b3-parentspanid names its own span.
    if (b3Multi) {
      removeHeader(headers, 'x-b3-flags');
      removeHeader(headers, 'x-b3-parentspanid');
    }
  }

  /**
   * Closes the spans `trigger` closes: origin-response and viewer-response, or a request-side
   * trigger whose wrapped handler answered (`generated`) or threw (`threw`). Adds the
   * response headers the module asks for and returns the OTLP body to export.
   * @param {string} trigger
   * @param {{response?: object, written?: Written | null, generated?: boolean, threw?: boolean, error?: unknown}} [inputs]
   * @returns {{body: string | null, spanCount: number}}
   */
  function onResponse(trigger, event, context, inputs = {}) {
    // exporter.mode "none" exports nothing, but still owes the viewer its correlation header.
    const exporting = exporter.enabled;
    if (wasm === null || !triggers.has(trigger) || (!exporting && !correlating)) return NOTHING;
    let stage = READING_EVENT;
    // The spans this close exports when the request side sampled them: counted as dropped if
    // the close fails, so that exported + dropped === sampled holds.
    let meant = 0;
    try {
      const cf = cloudFrontRecord(event);
      const headers = cf?.request?.headers;
      if (!isHeaderMap(headers)) {
        log(`edgetrace: ${trigger} not traced: event has no request headers`);
        return NOTHING;
      }
      const written = inputs.written ?? undefined;
      // The request side sets x-edgetrace-ctx on every request it sees; without it the event
      // does not show the request side's headers, and the module recovers the spans from the
      // request id.
      const contextSeen = written !== undefined ? written.edgeContext !== undefined : headers[EDGE_CONTEXT_HEADER] !== undefined;
      if (written === undefined && !visibilityReported) reportHeaderVisibility(contextSeen);
      if (!contextSeen && written !== undefined) return NOTHING;
      const traceparent = contextSeen ? (written !== undefined ? written.traceparent : firstHeaderValue(headers, 'traceparent')) : undefined;
      // Unsampled (and not kept for errors): nothing to close, for the cost of these lookups.
      // A traceparent that is not even the right length goes to the module, which reports it.
      if (contextSeen && !keepErrors && isUnsampled(traceparent)) return NOTHING;
      const response = inputs.response ?? cf.response;
      if (exporting && isSampled(traceparent)) meant = spansClosing(trigger, inputs, response);
      const edgeContext = written !== undefined ? written.edgeContext : contextSeen ? headerValue(headers, EDGE_CONTEXT_HEADER) : undefined;
      if (contextSeen && edgeContext === undefined) {
        if (exporting) recordLost(Math.max(meant, 1), 'context_invalid', `${trigger}: x-edgetrace-ctx has no string value`);
        return NOTHING;
      }
      writeSpanFields(wasm, cf, context, { response, written, edgeContext, error: inputs.threw ? inputs.error : undefined, capture, otherFormats });
      const flags = takeColdStart() | (inputs.generated ? CloseFlag.generatedResponse : 0) | (inputs.threw ? CloseFlag.handlerThrew : 0);
      stage = IN_MODULE;
      const status = wasm.onResponse(Trigger[trigger], nowMs(), flags);
      if (status === Status.ok && !exporting) {
        addResponseHeaders(trigger, response);
        return NOTHING;
      }
      if (status === Status.ok) {
        const spanCount = Number(wasm.text(Slot.spanCount)) || 1;
        const body = wasm.text(Slot.body);
        // From here on nothing may lose the body: it is counted, and returned for export.
        stats.recordSampled(spanCount);
        addResponseHeaders(trigger, response);
        return { body, spanCount };
      }
      if (exporting && (status === Status.outputFull || status === Status.invalidInput)) {
        // The request side left a context, so it meant this span to be exported: count its loss.
        const reason = status === Status.outputFull ? 'span_too_large' : 'context_invalid';
        recordLost(Math.max(meant, 1), reason, `${trigger}: ${wasm.text(Slot.error)}`);
      } else if (status < 0) {
        log(`edgetrace: ${trigger} not traced: ${wasm.text(Slot.error)}`);
      }
    } catch (err) {
      const what = recover(err, stage);
      if (meant > 0) recordLost(meant, failedCloseReason(err, stage), `${trigger}: ${what}`);
      else log(`edgetrace: ${trigger} not traced: ${what}`);
    }
    return NOTHING;
  }

  /** Spans that were meant to be exported and are not: sampled and dropped, in one log line. */
  function recordLost(count, reason, detail) {
    stats.recordSampled(count);
    stats.recordDropped(reason, detail, count);
  }

  /**
   * How many spans a close at `trigger` exports (docs/trace-model.md): two where the all-four
   * deployment ends the origin fetch and the root together (origin-request after a throw,
   * origin-response after a throw or for status >= 400), otherwise one.
   */
  function spansClosing(trigger, inputs, response) {
    if (!twoSpans) return 1;
    if (trigger === 'origin-request') return inputs.threw ? 2 : 1;
    if (trigger !== 'origin-response') return 1;
    return inputs.threw || Number(statusField(response?.status)) >= 400 ? 2 : 1;
  }

  /**
   * Adds the response headers the module asked for. The response may be the wrapped user's
   * own object (frozen, a class instance, a Proxy): a failure here costs the headers, never
   * the span, whose body is already counted.
   */
  function addResponseHeaders(trigger, response) {
    const fill = wasm.action(Slot.fillStamp) === Action.set;
    const traceResponse = wasm.action(Slot.traceResponse) === Action.set;
    const serverTiming = wasm.action(Slot.serverTiming) === Action.set;
    if (!fill && !traceResponse && !serverTiming) return;
    if (response === null || typeof response !== 'object') return;
    try {
      if (!isHeaderMap(response.headers)) response.headers = {};
      const headers = response.headers;
      if (fill) setHeader(headers, FILL_STAMP_HEADER, wasm.text(Slot.fillStamp));
      if (traceResponse) setHeader(headers, 'traceresponse', wasm.text(Slot.traceResponse));
      if (serverTiming) appendHeader(headers, 'server-timing', wasm.text(Slot.serverTiming));
    } catch (err) {
      log(`edgetrace: ${trigger}: response headers not added (the span is exported): ${describeThrown(err)}`);
    }
  }

  return {
    get enabled() {
      return wasm !== null;
    },
    get configError() {
      return configError;
    },
    exporter,
    stats,
    triggers,
    log,
    onRequest,
    onResponse,
    /** origin-request (kept for embedders of the core issue's API): returns the request. */
    originRequest(event, context) {
      onRequest('origin-request', event, context);
      return cloudFrontRecord(event)?.request;
    },
    /** origin-response: returns the response untouched and the span body to export (or null). */
    originResponse(event, context) {
      const { body } = onResponse('origin-response', event, context);
      return { response: cloudFrontRecord(event)?.response, body };
    },
  };
}

/** capture.requestHeaders / responseHeaders, lowercase, or undefined when nothing is captured. */
function headerAllowlist(capture) {
  const request = (capture?.requestHeaders ?? []).map((name) => name.toLowerCase());
  const response = (capture?.responseHeaders ?? []).map((name) => name.toLowerCase());
  return request.length === 0 && response.length === 0 ? undefined : { request, response };
}

/** A traceparent of the right length whose flags (last hex digit) have the sampled bit set. */
function isSampled(traceparent) {
  if (typeof traceparent !== 'string' || traceparent.length !== TRACEPARENT_LENGTH) return false;
  return !isUnsampled(traceparent) && isHexDigit(traceparent.charCodeAt(TRACEPARENT_LENGTH - 1));
}

function isHexDigit(c) {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** A traceparent of the right length whose flags (last hex digit) have the sampled bit clear. */
function isUnsampled(traceparent) {
  if (typeof traceparent !== 'string' || traceparent.length !== TRACEPARENT_LENGTH) return false;
  const c = traceparent.charCodeAt(TRACEPARENT_LENGTH - 1);
  // '0' '2' ... '8' (48..57) and 'a' 'c' 'e' (97..102): even hex digits
  if (c >= 48 && c <= 57) return (c & 1) === 0;
  return c >= 97 && c <= 102 && ((c - 87) & 1) === 0;
}
