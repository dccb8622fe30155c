// Host side of wasm-glue/ABI.md (version 2): the only JS that reads or writes module memory.
// One WasmTracer per sandbox; views over memory are re-created whenever memory.buffer
// changes, never kept across a growth.
import { fillRandom } from './host_random.mjs';
import { wasiImports } from './wasi_imports.mjs';

export const ABI_VERSION = 2;

const FIELD_COUNT = 32;
const SLOT_COUNT = 16;
/** Input field numbers (ABI.md "Input fields"). */
export const Field = Object.freeze({
  traceparent: 0,
  tracestate: 1,
  edgeContext: 2,
  host: 3,
  userAgent: 4,
  forwardedProto: 5,
  method: 6,
  uri: 7,
  querystring: 8,
  clientIp: 9,
  distributionId: 10,
  distributionDomain: 11,
  requestId: 12,
  responseStatus: 13,
  invocationId: 14,
  configJson: 15,
  cloudRegion: 16,
  functionName: 17,
  functionVersion: 18,
  xray: 19,
  b3: 20,
  b3TraceId: 21,
  b3SpanId: 22,
  b3Sampled: 23,
  b3Flags: 24,
  fillStamp: 25,
  capturedRequestHeaders: 26,
  capturedResponseHeaders: 27,
  exceptionType: 28,
  exceptionMessage: 29,
});
/** Output slot numbers (ABI.md "Output slots"). */
export const Slot = Object.freeze({
  traceparent: 0,
  tracestate: 1,
  edgeContext: 2,
  body: 3,
  error: 4,
  exporterSettings: 5,
  xray: 6,
  b3: 7,
  b3TraceId: 8,
  b3SpanId: 9,
  b3Sampled: 10,
  fillStamp: 11,
  traceResponse: 12,
  serverTiming: 13,
  spanCount: 14,
});
/** on_response flags besides the cold-start bit (ABI.md "Calls in"). */
export const CloseFlag = Object.freeze({ generatedResponse: 2, handlerThrew: 4 });
/** on_request / on_response flag: a synthetic call (warm-up), which takes no rate-limit token. */
export const WARM_UP = 8;
export const Action = Object.freeze({ keep: 0, set: 1, remove: 2 });
export const Trigger = Object.freeze({ 'viewer-request': 0, 'origin-request': 1, 'origin-response': 2, 'viewer-response': 3 });
export const Status = Object.freeze({ ok: 0, nothingToDo: 1, invalidInput: -1, outputFull: -2, badConfig: -3, notConfigured: -4 });

// IO block word offsets
const W_INPUT_PTR = 0;
const W_INPUT_CAP = 1;
const W_FIELD_OFF = 2;
const W_FIELD_LEN = W_FIELD_OFF + FIELD_COUNT;
const W_OUT_PTR = W_FIELD_LEN + FIELD_COUNT;
const W_OUT_LEN = W_OUT_PTR + SLOT_COUNT;
const W_OUT_ACTION = W_OUT_LEN + SLOT_COUNT;

const utf8 = new TextEncoder();
const INPUT_TOO_LARGE = 'event fields exceed the 64 KiB input arena';

/** Raised when an event's fields do not fit the module's input arena. */
export class InputTooLargeError extends Error {}

export class WasmTracer {
  /**
   * @param {WebAssembly.Module} module  compiled once per sandbox
   * @param {(line: string) => void} log
   */
  constructor(module, log) {
    this.module = module;
    this.log = log;
    this.instantiate();
  }

  instantiate() {
    let memory = null;
    const imports = {
      edgetrace: {
        edgetrace_fill_random: (ptr, len) => fillRandom(memory.buffer, ptr, len),
      },
      wasi_snapshot_preview1: wasiImports(() => memory, this.log),
      // Emscripten's standalone modules announce memory growth; views are re-created on
      // detachment anyway (checkViews), so there is nothing to do.
      env: { emscripten_notify_memory_growth() {} },
    };
    const instance = new WebAssembly.Instance(this.module, imports);
    const exp = instance.exports;
    memory = exp.memory;
    if (typeof exp.edgetrace_abi_version !== 'function' || exp.edgetrace_abi_version() !== ABI_VERSION) {
      throw new Error(`edgetrace.wasm speaks ABI ${exp.edgetrace_abi_version?.() ?? 'unknown'}, this shim needs ${ABI_VERSION}`);
    }
    if (typeof exp._initialize === 'function') exp._initialize();
    this.exports = exp;
    this.memory = memory;
    this.ioPtr = exp.edgetrace_get_io();
    this.refreshViews();
  }

  refreshViews() {
    this.buffer = this.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.bytes = Buffer.from(this.buffer);
    this.io = new Uint32Array(this.buffer, this.ioPtr, W_OUT_ACTION + SLOT_COUNT);
    this.inputPtr = this.io[W_INPUT_PTR];
    this.inputCap = this.io[W_INPUT_CAP];
    this.input = this.u8.subarray(this.inputPtr, this.inputPtr + this.inputCap);
  }

  // Growth detaches the old ArrayBuffer, and views over a detached buffer have length 0:
  // a cheaper test than reading memory.buffer on every call.
  checkViews() {
    if (this.io.length === 0) this.refreshViews();
  }

  /**
   * Writes the input fields of one call: fields[i] gets values[i] (UTF-8; non-strings and
   * empty strings are absent). All values are joined and encoded with one encodeInto: when
   * the text is ASCII (nearly always), byte offsets equal string offsets.
   * @param {readonly number[]} fields
   * @param {unknown[]} values
   */
  writeFields(fields, values) {
    this.checkViews();
    const io = this.io;
    io.fill(0, W_FIELD_OFF, W_FIELD_LEN + FIELD_COUNT);
    let joined = '';
    for (let i = 0; i < fields.length; i++) {
      const v = values[i];
      if (typeof v === 'string') joined += v;
    }
    if (joined.length > this.inputCap) throw new InputTooLargeError(INPUT_TOO_LARGE);
    const r = utf8.encodeInto(joined, this.input);
    if (r.read < joined.length) throw new InputTooLargeError(INPUT_TOO_LARGE);
    if (r.written === joined.length) {
      let pos = 0;
      for (let i = 0; i < fields.length; i++) {
        const v = values[i];
        if (typeof v !== 'string') continue;
        io[W_FIELD_OFF + fields[i]] = pos;
        io[W_FIELD_LEN + fields[i]] = v.length;
        pos += v.length;
      }
    } else {
      this.writeFieldsSlowly(fields, values);
    }
  }

  writeFieldsSlowly(fields, values) {
    let pos = 0;
    for (let i = 0; i < fields.length; i++) {
      const v = values[i];
      if (typeof v !== 'string' || v.length === 0) continue;
      const r = utf8.encodeInto(v, this.input.subarray(pos));
      this.io[W_FIELD_OFF + fields[i]] = pos;
      this.io[W_FIELD_LEN + fields[i]] = r.written;
      pos += r.written;
    }
  }

  configure() {
    const status = this.exports.edgetrace_on_configure();
    this.checkViews();
    return status;
  }

  onRequest(trigger, nowMs, flags) {
    const status = this.exports.edgetrace_on_request(trigger, nowMs, flags);
    this.checkViews();
    return status;
  }

  onResponse(trigger, nowMs, flags) {
    const status = this.exports.edgetrace_on_response(trigger, nowMs, flags);
    this.checkViews();
    return status;
  }

  /** Output slot action (Action.*). */
  action(slot) {
    return this.io[W_OUT_ACTION + slot];
  }

  /** Whether the last call wrote anything to output slot `slot`. */
  hasOutput(slot) {
    return this.io[W_OUT_LEN + slot] > 0;
  }

  /** Output slot as a string (module output is ASCII). */
  text(slot) {
    const ptr = this.io[W_OUT_PTR + slot];
    return this.bytes.toString('latin1', ptr, ptr + this.io[W_OUT_LEN + slot]);
  }

  /**
   * Reads the request-side header slots (traceparent, tracestate, x-edgetrace-ctx), which
   * the module writes back to back: one string read, then substrings. Results land in
   * this.traceparent / this.tracestate / this.edgeContext (undefined when not set), so the
   * per-request path allocates no array or closure.
   */
  readHeaders() {
    const io = this.io;
    const base = io[W_OUT_PTR + Slot.traceparent];
    const tpLen = io[W_OUT_LEN + Slot.traceparent];
    const tsSet = io[W_OUT_ACTION + Slot.tracestate] === Action.set;
    const ctxSet = io[W_OUT_ACTION + Slot.edgeContext] === Action.set;
    let end = base + tpLen;
    if (tsSet) end = Math.max(end, io[W_OUT_PTR + Slot.tracestate] + io[W_OUT_LEN + Slot.tracestate]);
    if (ctxSet) end = Math.max(end, io[W_OUT_PTR + Slot.edgeContext] + io[W_OUT_LEN + Slot.edgeContext]);
    const all = this.bytes.toString('latin1', base, end);
    this.traceparent = all.substring(0, tpLen);
    this.tracestate = tsSet ? this.slice(all, base, Slot.tracestate) : undefined;
    this.edgeContext = ctxSet ? this.slice(all, base, Slot.edgeContext) : undefined;
  }

  slice(all, base, slot) {
    const from = this.io[W_OUT_PTR + slot] - base;
    return all.substring(from, from + this.io[W_OUT_LEN + slot]);
  }

}
