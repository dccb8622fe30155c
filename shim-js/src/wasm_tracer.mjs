// Host side of wasm-glue/ABI.md (version 1): the only JS that reads or writes module memory.
// One WasmTracer per sandbox; views over memory are re-created whenever memory.buffer
// changes, never kept across a growth.
import { randomFillSync } from 'node:crypto';
import { wasiImports } from './wasi_imports.mjs';

export const ABI_VERSION = 1;

const FIELD_COUNT = 24;
const SLOT_COUNT = 8;
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
});
/** Output slot numbers (ABI.md "Output slots"). */
export const Slot = Object.freeze({ traceparent: 0, tracestate: 1, edgeContext: 2, body: 3, error: 4, exporterSettings: 5 });
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
        edgetrace_fill_random: (ptr, len) => randomFillSync(new Uint8Array(memory.buffer), ptr, len),
      },
      wasi_snapshot_preview1: wasiImports(() => memory, this.log),
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
    this.buffer = null;
    this.refreshViews();
  }

  refreshViews() {
    if (this.buffer === this.memory.buffer) return;
    this.buffer = this.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.bytes = Buffer.from(this.buffer);
    this.io = new Uint32Array(this.buffer, this.ioPtr, W_OUT_ACTION + SLOT_COUNT);
    this.inputPtr = this.io[W_INPUT_PTR];
    this.inputCap = this.io[W_INPUT_CAP];
  }

  /** Starts a new set of input fields; every field not written reads as absent. */
  beginInput() {
    this.refreshViews();
    this.io.fill(0, W_FIELD_LEN, W_FIELD_LEN + FIELD_COUNT);
    this.pos = 0;
  }

  /**
   * Writes one field as UTF-8. Non-strings and empty strings are absent.
   * @param {number} field
   * @param {unknown} value
   */
  writeField(field, value) {
    if (typeof value !== 'string' || value.length === 0) return;
    const u8 = this.u8;
    const start = this.inputPtr + this.pos;
    const n = value.length;
    const room = this.inputCap - this.pos;
    let written;
    if (n <= room) {
      // Headers are almost always ASCII: copy char codes directly, fall back to the encoder
      // at the first non-ASCII char.
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        u8[start + i] = c;
      }
      written = i;
      if (i < n) {
        const r = utf8.encodeInto(value.slice(i), u8.subarray(start + i, this.inputPtr + this.inputCap));
        if (r.read < n - i) throw new InputTooLargeError('event fields exceed the 64 KiB input arena');
        written += r.written;
      }
    } else {
      throw new InputTooLargeError('event fields exceed the 64 KiB input arena');
    }
    this.io[W_FIELD_OFF + field] = this.pos;
    this.io[W_FIELD_LEN + field] = written;
    this.pos += written;
  }

  configure() {
    const status = this.exports.edgetrace_on_configure();
    this.refreshViews();
    return status;
  }

  onRequest(trigger, nowMs, flags) {
    const status = this.exports.edgetrace_on_request(trigger, nowMs, flags);
    this.refreshViews();
    return status;
  }

  onResponse(trigger, nowMs, flags) {
    const status = this.exports.edgetrace_on_response(trigger, nowMs, flags);
    this.refreshViews();
    return status;
  }

  /** Output slot action (Action.*). */
  action(slot) {
    return this.io[W_OUT_ACTION + slot];
  }

  /** Output slot as a string (module output is ASCII). */
  text(slot) {
    const ptr = this.io[W_OUT_PTR + slot];
    return this.bytes.toString('latin1', ptr, ptr + this.io[W_OUT_LEN + slot]);
  }

  /** Output slot copied out of module memory. */
  copy(slot) {
    const ptr = this.io[W_OUT_PTR + slot];
    return Buffer.from(this.u8.slice(ptr, ptr + this.io[W_OUT_LEN + slot]));
  }
}
