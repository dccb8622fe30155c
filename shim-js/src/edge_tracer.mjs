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
  setHeader,
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
// Output slot, header name: the other propagation formats (propagation.inject).
const INJECTED = [
  Slot.xray, 'x-amzn-trace-id',
  Slot.b3, 'b3',
  Slot.b3TraceId, 'x-b3-traceid',
  Slot.b3SpanId, 'x-b3-spanid',
  Slot.b3Sampled, 'x-b3-sampled',
];
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
  let injecting = false;
  let keepErrors = false;
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
      injecting = (config?.propagation?.inject ?? []).some((format) => format !== 'tracecontext');
    keepErrors = config?.sampling?.keepErrors === true;
      warmUp(wasm, triggers);
    } catch (err) {
      wasm = null;
      log(`edgetrace: tracing disabled, all requests pass through untouched: ${err.message}`);
    }
  }

  function recover(trigger, err) {
    if (err instanceof InputTooLargeError) {
      log(`edgetrace: ${trigger} not traced: ${err.message}`);
      return;
    }
    const kind = err instanceof WebAssembly.RuntimeError ? 'wasm trap' : 'internal error';
    try {
      wasm.instantiate();
      configure();
      log(`edgetrace: ${trigger} not traced: ${kind}: ${err.message}; module re-instantiated`);
    } catch (again) {
      wasm = null;
      log(`edgetrace: ${trigger} not traced: ${kind}: ${err.message}; re-instantiation failed (${again.message}), tracing disabled`);
    }
  }

  // AWS does not document whether a response event's cf.request shows the headers the
  // request-side function added. The request side sets x-edgetrace-ctx on every request it
  // sees, so its presence answers the question; operators read it once per sandbox (the
  // canary in terraform/README.md).
  let visibilityReported = false;
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
    const cf = cloudFrontRecord(event);
    const request = cf?.request;
    if (wasm === null || !triggers.has(trigger)) return null;
    if (!isHeaderMap(request?.headers)) {
      log(`edgetrace: ${trigger} not traced: event has no request headers`);
      return null;
    }
    try {
      writeRequestFields(wasm, cf, otherFormats);
      const status = wasm.onRequest(Trigger[trigger], nowMs(), takeColdStart());
      if (status !== Status.ok) {
        if (status < 0) log(`edgetrace: ${trigger} not traced: ${wasm.text(Slot.error)}`);
        return null;
      }
      // Read every output before changing anything: the request changes all or nothing.
      wasm.readHeaders();
      const { traceparent, tracestate, edgeContext } = wasm;
      const traceparentAction = wasm.action(Slot.traceparent);
      const tracestateAction = wasm.action(Slot.tracestate);
      const contextAction = wasm.action(Slot.edgeContext);
      const injected = injecting ? injectedHeaders() : null;
      const headers = request.headers;
      if (traceparentAction === Action.set) setHeader(headers, 'traceparent', traceparent);
      if (tracestate !== undefined) setHeader(headers, 'tracestate', tracestate);
      else if (tracestateAction === Action.remove) delete headers.tracestate;
      // "keep" means the joined value is already canonical; several fields still become one,
      // for origins that read only the first.
      else if (headers.tracestate?.length > 1) setHeader(headers, 'tracestate', headerValue(headers, 'tracestate'));
      if (edgeContext !== undefined) setHeader(headers, EDGE_CONTEXT_HEADER, edgeContext);
      else if (contextAction === Action.remove) delete headers[EDGE_CONTEXT_HEADER];
      if (injected !== null) for (let i = 0; i < injected.length; i += 2) setHeader(headers, injected[i], injected[i + 1]);
      // For a close at this same trigger (wrap), whatever the user's code does to the headers.
      return { traceparent: traceparentAction === Action.set ? traceparent : headerValue(headers, 'traceparent'), tracestate: headerValue(headers, 'tracestate'), edgeContext };
    } catch (err) {
      recover(trigger, err);
      return null;
    }
  }

  /** Other propagation formats to set (propagation.inject), as [name, value, ...], or null. */
  function injectedHeaders() {
    let out = null;
    for (let i = 0; i < INJECTED.length; i += 2) {
      const slot = INJECTED[i];
      if (wasm.action(slot) !== Action.set) continue;
      (out ??= []).push(INJECTED[i + 1], wasm.text(slot));
    }
    return out;
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
    const cf = cloudFrontRecord(event);
    if (wasm === null || !exporter.enabled || !triggers.has(trigger)) return NOTHING;
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
    // Unsampled (and not kept for errors): nothing to close, for the cost of these lookups.
    // A traceparent that is not even the right length goes to the module, which reports it.
    if (contextSeen && !keepErrors && isUnsampled(written !== undefined ? written.traceparent : firstHeaderValue(headers, 'traceparent'))) return NOTHING;
    if (!contextSeen && written !== undefined) return NOTHING;
    const edgeContext = written !== undefined ? written.edgeContext : contextSeen ? headerValue(headers, EDGE_CONTEXT_HEADER) : undefined;
    if (contextSeen && edgeContext === undefined) {
      stats.recordSampled();
      stats.recordDropped('context_invalid', `${trigger}: x-edgetrace-ctx has no string value`);
      return NOTHING;
    }
    const response = inputs.response ?? cf.response;
    try {
      writeSpanFields(wasm, cf, context, { response, written, edgeContext, error: inputs.threw ? inputs.error : undefined, capture, otherFormats });
      const flags = takeColdStart() | (inputs.generated ? CloseFlag.generatedResponse : 0) | (inputs.threw ? CloseFlag.handlerThrew : 0);
      const status = wasm.onResponse(Trigger[trigger], nowMs(), flags);
      if (status === Status.ok) {
        const spanCount = Number(wasm.text(Slot.spanCount)) || 1;
        stats.recordSampled(spanCount);
        const body = wasm.text(Slot.body);
        addResponseHeaders(response);
        return { body, spanCount };
      }
      if (status === Status.outputFull || status === Status.invalidInput) {
        // The request side left a context, so it meant this span to be exported: count its loss.
        stats.recordSampled();
        const reason = status === Status.outputFull ? 'span_too_large' : 'context_invalid';
        stats.recordDropped(reason, `${trigger}: ${wasm.text(Slot.error)}`);
      } else if (status < 0) {
        log(`edgetrace: ${trigger} not traced: ${wasm.text(Slot.error)}`);
      }
    } catch (err) {
      recover(trigger, err);
    }
    return NOTHING;
  }

  function addResponseHeaders(response) {
    const fill = wasm.action(Slot.fillStamp) === Action.set;
    const traceResponse = wasm.action(Slot.traceResponse) === Action.set;
    const serverTiming = wasm.action(Slot.serverTiming) === Action.set;
    if (!fill && !traceResponse && !serverTiming) return;
    if (response === null || typeof response !== 'object') return;
    if (!isHeaderMap(response.headers)) response.headers = {};
    if (fill) setHeader(response.headers, FILL_STAMP_HEADER, wasm.text(Slot.fillStamp));
    if (traceResponse) setHeader(response.headers, 'traceresponse', wasm.text(Slot.traceResponse));
    if (serverTiming) appendHeader(response.headers, 'server-timing', wasm.text(Slot.serverTiming));
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

/** A traceparent of the right length whose flags (last hex digit) have the sampled bit clear. */
function isUnsampled(traceparent) {
  if (typeof traceparent !== 'string' || traceparent.length !== TRACEPARENT_LENGTH) return false;
  const c = traceparent.charCodeAt(TRACEPARENT_LENGTH - 1);
  // '0' '2' ... '8' (48..57) and 'a' 'c' 'e' (97..102): even hex digits
  if (c >= 48 && c <= 57) return (c & 1) === 0;
  return c >= 97 && c <= 102 && ((c - 87) & 1) === 0;
}
