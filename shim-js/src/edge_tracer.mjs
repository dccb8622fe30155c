// The synchronous tracing work of each trigger, around the Wasm module. Never throws: any
// failure leaves the user's request/response exactly as CloudFront sent it, logs one line
// and, for a Wasm trap, replaces the instance with a fresh one.
import { readFileSync } from 'node:fs';
import {
  cloudFrontRecord,
  EDGE_CONTEXT_HEADER,
  headerValue,
  isHeaderMap,
  passThroughResult,
  setHeader,
  writePropagationFields,
  writeSpanFields,
} from './cloudfront_event.mjs';
import { createExporter } from './exporters.mjs';
import { SpanStats } from './span_stats.mjs';
import { Action, Field, InputTooLargeError, Slot, Status, Trigger, WasmTracer } from './wasm_tracer.mjs';

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

export function defaultLog(line) {
  process.stdout.write(line + '\n');
}

// V8 compiles Wasm functions lazily: the first call of each costs milliseconds. One
// synthetic request/response pass during init moves that cost out of the first real request.
const WARM_UP_RECORD = {
  config: { distributionId: 'EWARMUP', distributionDomainName: 'warmup.cloudfront.net', requestId: 'warmup', eventType: 'origin-request' },
  request: { clientIp: '192.0.2.1', method: 'GET', uri: '/', querystring: '', headers: { host: [{ key: 'Host', value: 'warmup.invalid' }] } },
};

function warmUp(wasm) {
  writePropagationFields(wasm, WARM_UP_RECORD.request.headers);
  if (wasm.onRequest(Trigger['origin-request'], nowMs(), 0) !== Status.ok) return;
  wasm.readHeaders();
  const { traceparent, edgeContext } = wasm;
  const headers = {
    ...WARM_UP_RECORD.request.headers,
    traceparent: [{ key: 'traceparent', value: traceparent }],
    [EDGE_CONTEXT_HEADER]: [{ key: EDGE_CONTEXT_HEADER, value: edgeContext }],
  };
  const response = { status: '200', headers: {} };
  writeSpanFields(wasm, { ...WARM_UP_RECORD, request: { ...WARM_UP_RECORD.request, headers }, response }, undefined);
  wasm.onResponse(Trigger['origin-response'], nowMs(), 0);
}

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

  try {
    // No config means defaults; anything else (null included) is validated by the module.
    configJson = JSON.stringify(config === undefined ? {} : config);
    wasm = new WasmTracer(wasmModule(), log);
    exporter = createExporter(configure(), stats, log);
    warmUp(wasm);
  } catch (err) {
    wasm = null;
    log(`edgetrace: tracing disabled, all requests pass through untouched: ${err.message}`);
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
  // request-side function added. origin-request always sets traceparent on a traced request,
  // so its presence answers the question; operators read it once per sandbox (the canary in
  // terraform/README.md).
  let visibilityReported = false;
  function reportHeaderVisibility(headers) {
    visibilityReported = true;
    const seen = headers.traceparent !== undefined ? 'yes' : 'no';
    log(`edgetrace: response events carry request-side headers: ${seen} (AWS_REGION=${process.env.AWS_REGION ?? 'unset'})`);
  }

  function takeColdStart() {
    const flag = coldStart;
    coldStart = 0;
    return flag;
  }

  /** origin-request: returns the request, with trace headers when traced. */
  function originRequest(event, context) {
    const cf = cloudFrontRecord(event);
    const request = cf?.request;
    if (wasm === null || !isHeaderMap(request?.headers)) {
      if (wasm !== null) log('edgetrace: origin-request not traced: event has no request headers');
      return passThroughResult(event);
    }
    try {
      writePropagationFields(wasm, request.headers);
      const status = wasm.onRequest(Trigger['origin-request'], nowMs(), takeColdStart());
      if (status !== Status.ok) {
        if (status < 0) log(`edgetrace: origin-request not traced: ${wasm.text(Slot.error)}`);
        return request;
      }
      // Read every output before changing anything: the request changes all or nothing.
      wasm.readHeaders();
      const { traceparent, tracestate, edgeContext } = wasm;
      const tracestateAction = wasm.action(Slot.tracestate);
      const contextAction = wasm.action(Slot.edgeContext);
      const headers = request.headers;
      setHeader(headers, 'traceparent', traceparent);
      if (tracestate !== undefined) setHeader(headers, 'tracestate', tracestate);
      else if (tracestateAction === Action.remove) delete headers.tracestate;
      // "keep" means the joined value is already canonical; several fields still become one,
      // for origins that read only the first.
      else if (headers.tracestate?.length > 1) setHeader(headers, 'tracestate', headerValue(headers, 'tracestate'));
      if (edgeContext !== undefined) setHeader(headers, EDGE_CONTEXT_HEADER, edgeContext);
      else if (contextAction === Action.remove) delete headers[EDGE_CONTEXT_HEADER];
    } catch (err) {
      recover('origin-request', err);
    }
    return request;
  }

  /**
   * origin-response: returns the response untouched and the span body to export (or null).
   * @returns {{response: unknown, body: string | null}}
   */
  function originResponse(event, context) {
    const cf = cloudFrontRecord(event);
    const response = passThroughResult(event);
    if (wasm === null || !exporter.enabled) return { response, body: null };
    const headers = cf?.request?.headers;
    if (!isHeaderMap(headers)) {
      log('edgetrace: origin-response not traced: event has no request headers');
      return { response, body: null };
    }
    if (!visibilityReported) reportHeaderVisibility(headers);
    // origin-request sets x-edgetrace-ctx only on sampled spans: without it there is nothing
    // to close, and an unsampled response costs no more than this lookup.
    if (headers[EDGE_CONTEXT_HEADER] === undefined) return { response, body: null };
    const edgeContext = headerValue(headers, EDGE_CONTEXT_HEADER);
    if (edgeContext === undefined) {
      stats.recordSampled();
      stats.recordDropped('context_invalid', 'origin-response: x-edgetrace-ctx has no string value');
      return { response, body: null };
    }
    try {
      writeSpanFields(wasm, cf, context, edgeContext);
      const status = wasm.onResponse(Trigger['origin-response'], nowMs(), takeColdStart());
      if (status === Status.ok) {
        stats.recordSampled();
        return { response, body: wasm.text(Slot.body) };
      }
      if (status === Status.outputFull || status === Status.invalidInput) {
        // x-edgetrace-ctx was there, so origin-request sampled this span: count its loss.
        stats.recordSampled();
        const reason = status === Status.outputFull ? 'span_too_large' : 'context_invalid';
        stats.recordDropped(reason, `origin-response: ${wasm.text(Slot.error)}`);
      } else if (status < 0) {
        log(`edgetrace: origin-response not traced: ${wasm.text(Slot.error)}`);
      }
    } catch (err) {
      recover('origin-response', err);
    }
    return { response, body: null };
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
    originRequest,
    originResponse,
  };
}
