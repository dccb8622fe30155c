// A real OTLP/HTTP JSON receiver (used by make demo and the Node harness): binds 127.0.0.1 on an ephemeral port,
// accepts POST {base}/v1/traces, and decodes every body against the OFFICIAL opentelemetry-proto
// schema (.proto files v1.4.0 shipped inside the exact-pinned devDependency
// @elastic/mockotlpserver, loaded with protobufjs). No OpenTelemetry Collector binary can be
// installed here, so this stands in for one, but stricter than a Collector on purpose:
//
//   * unknown JSON keys are rejected (a Collector ignores them, which would hide a typo such as
//     "traceID" or "parent_span_id" in the exporter: OTLP/JSON senders MUST use lowerCamelCase);
//   * traceId/spanId/parentSpanId must be lowercase hex (OTLP/JSON exception to the proto3 JSON
//     mapping) of exactly 16/8 bytes; converted hex -> bytes before protobufjs fromObject;
//   * 64-bit integers (fixed64 timestamps, int64 intValue) must be decimal strings, 32-bit ones
//     JSON numbers, enums integers (never names), no nulls, at most one member of a oneof;
//   * the message must survive fromObject -> verify -> encode -> decode (i.e. it is representable
//     in the binary protocol a Collector would forward).
//
// Decoded requests are returned as plain objects (toObject with longs as decimal strings, enums
// as numbers) with ids converted back to lowercase hex.
//
// Fault behaviours (for collector_faults.test.mjs):
//   'ok'           200 application/json '{}'
//   'partial'      200 with partialSuccess {rejectedSpans: "1"}
//   'status:NNN'   NNN with a google.rpc.Status JSON body; 429/503 carry `Retry-After: 2`
//   'slow:MS'      200 '{}' after MS milliseconds
//   'hang'         reads the request, never answers (socket kept open until close())
//   'reset'        writes status line + headers and part of the body, then resets the socket
//   'refused'      the receiver keeps running, but `url` points at a port nobody listens on
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** Where the official .proto tree lives (…/opentelemetry/proto/… under this directory). */
export const PROTO_ROOT = path.dirname(require.resolve('@elastic/mockotlpserver/package.json'));
export const PROTO_SOURCE =
  '@elastic/mockotlpserver (opentelemetry-proto v1.4.0 .proto files, official schema)';

let cachedRoot;
/** Loads (once) the protobufjs Root with the trace service schema. */
export function loadSchema() {
  if (cachedRoot) return cachedRoot;
  const root = new protobuf.Root();
  // Imports in the official files are written relative to the repository root
  // ("opentelemetry/proto/common/v1/common.proto").
  root.resolvePath = (_origin, target) =>
    path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  root.resolveAll();
  cachedRoot = root;
  return root;
}

export function exportRequestType() {
  return loadSchema().lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
}

// Byte fields that OTLP/JSON encodes as hex instead of base64, with their required byte length
// (0 allowed = "empty", only where the proto says the field may be empty).
const HEX_ID_FIELDS = {
  'opentelemetry.proto.trace.v1.Span': { traceId: [16], spanId: [8], parentSpanId: [0, 8] },
  'opentelemetry.proto.trace.v1.Span.Link': { traceId: [16], spanId: [8] },
};

const INT64_RE = /^-?(0|[1-9][0-9]*)$/;
const UINT64_RE = /^(0|[1-9][0-9]*)$/;
const LOWER_HEX_RE = /^[0-9a-f]*$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function fullName(type) {
  return type.fullName.replace(/^\./, '');
}

/**
 * Strictly checks a parsed OTLP/JSON value against a protobufjs message type.
 * @returns {string[]} human-readable errors with JSON paths; empty when valid.
 */
export function strictCheck(type, obj, where = '$', errors = []) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    errors.push(`${where}: expected a JSON object for ${fullName(type)}`);
    return errors;
  }
  const oneofSeen = new Map();
  for (const [key, value] of Object.entries(obj)) {
    const p = `${where}.${key}`;
    const field = type.fields[key];
    if (!field) {
      errors.push(`${p}: unknown field for ${fullName(type)} (OTLP/JSON uses lowerCamelCase names)`);
      continue;
    }
    if (value === null) {
      errors.push(`${p}: null is not allowed (omit the field instead)`);
      continue;
    }
    if (field.partOf) {
      const name = field.partOf.name;
      if (oneofSeen.has(name)) {
        errors.push(`${p}: oneof '${name}' already set by '${oneofSeen.get(name)}'`);
      }
      oneofSeen.set(name, key);
    }
    if (field.map) {
      errors.push(`${p}: map fields are not expected in OTLP trace messages`);
      continue;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        errors.push(`${p}: repeated field must be a JSON array`);
        continue;
      }
      value.forEach((v, i) => checkValue(type, field, v, `${p}[${i}]`, errors));
    } else {
      checkValue(type, field, value, p, errors);
    }
  }
  return errors;
}

function checkValue(parentType, field, value, where, errors) {
  if (value === null) {
    errors.push(`${where}: null is not allowed`);
    return;
  }
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (!Number.isInteger(value)) {
      errors.push(`${where}: enum ${resolved.name} must be an integer (got ${JSON.stringify(value)})`);
    } else if (!(value in resolved.valuesById)) {
      errors.push(`${where}: ${value} is not a value of enum ${resolved.name}`);
    }
    return;
  }
  if (resolved instanceof protobuf.Type) {
    strictCheck(resolved, value, where, errors);
    return;
  }
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') errors.push(`${where}: expected a string`);
      else if (!value.isWellFormed()) errors.push(`${where}: string is not valid UTF-16/UTF-8 (lone surrogate)`);
      return;
    case 'bool':
      if (typeof value !== 'boolean') errors.push(`${where}: expected true/false`);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(value)) {
        errors.push(`${where}: expected a JSON number`);
      }
      return;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      if (!Number.isInteger(value) || value < -(2 ** 31) || value > 2 ** 31 - 1) {
        errors.push(`${where}: expected a 32-bit signed integer JSON number (got ${JSON.stringify(value)})`);
      }
      return;
    case 'uint32':
    case 'fixed32':
      if (!Number.isInteger(value) || value < 0 || value > 2 ** 32 - 1) {
        errors.push(`${where}: expected a 32-bit unsigned integer JSON number (got ${JSON.stringify(value)})`);
      }
      return;
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      if (typeof value !== 'string' || !INT64_RE.test(value)) {
        errors.push(`${where}: 64-bit integer must be a decimal string (got ${JSON.stringify(value)})`);
      } else if (BigInt(value) < -(2n ** 63n) || BigInt(value) > 2n ** 63n - 1n) {
        errors.push(`${where}: out of int64 range`);
      }
      return;
    case 'uint64':
    case 'fixed64':
      if (typeof value !== 'string' || !UINT64_RE.test(value)) {
        errors.push(`${where}: 64-bit unsigned integer must be a decimal string (got ${JSON.stringify(value)})`);
      } else if (BigInt(value) > 2n ** 64n - 1n) {
        errors.push(`${where}: out of uint64 range`);
      }
      return;
    case 'bytes': {
      const ids = HEX_ID_FIELDS[fullName(parentType)];
      if (ids && ids[field.name]) {
        if (typeof value !== 'string' || !LOWER_HEX_RE.test(value) || value.length % 2) {
          errors.push(`${where}: id must be a lowercase hex string (got ${JSON.stringify(value)})`);
        } else if (!ids[field.name].includes(value.length / 2)) {
          errors.push(`${where}: id must be ${ids[field.name].filter(Boolean).join('/')} bytes, got ${value.length / 2}`);
        } else if (value.length && /^0+$/.test(value)) {
          errors.push(`${where}: all-zero id is invalid`);
        }
      } else if (typeof value !== 'string' || !BASE64_RE.test(value)) {
        errors.push(`${where}: bytes must be base64`);
      }
      return;
    }
    default:
      errors.push(`${where}: unhandled scalar type ${field.type}`);
  }
}

/** Deep copy with hex id strings converted to Buffers (what fromObject expects for bytes). */
function hexIdsToBytes(type, obj) {
  const out = {};
  const ids = HEX_ID_FIELDS[fullName(type)] || {};
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    const resolved = field.resolve().resolvedType;
    if (ids[key]) out[key] = Buffer.from(value, 'hex');
    else if (resolved instanceof protobuf.Type) {
      out[key] = field.repeated ? value.map((v) => hexIdsToBytes(resolved, v)) : hexIdsToBytes(resolved, value);
    } else out[key] = value;
  }
  return out;
}

/** Converts the id byte fields of a toObject() result back to lowercase hex, in place. */
function bytesIdsToHex(type, obj) {
  const ids = HEX_ID_FIELDS[fullName(type)] || {};
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) continue;
    const resolved = field.resolve().resolvedType;
    if (ids[key]) obj[key] = Buffer.from(value).toString('hex');
    else if (resolved instanceof protobuf.Type) {
      if (field.repeated) value.forEach((v) => bytesIdsToHex(resolved, v));
      else bytesIdsToHex(resolved, value);
    }
  }
  return obj;
}

/**
 * Decodes one OTLP/JSON ExportTraceServiceRequest body strictly.
 * @param {string|Buffer} body
 * @returns {{ok: true, decoded: object} | {ok: false, errors: string[]}}
 */
export function decodeTraceRequest(body) {
  const type = exportRequestType();
  let text;
  if (Buffer.isBuffer(body)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return { ok: false, errors: ['$: body is not valid UTF-8'] };
    }
  } else text = body;
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`$: body is not JSON: ${e.message}`] };
  }
  const errors = strictCheck(type, json);
  if (errors.length) return { ok: false, errors };
  let message;
  try {
    message = type.fromObject(hexIdsToBytes(type, json));
  } catch (e) {
    return { ok: false, errors: [`$: protobufjs fromObject failed: ${e.message}`] };
  }
  const verifyError = type.verify(message);
  if (verifyError) return { ok: false, errors: [`$: protobufjs verify: ${verifyError}`] };
  const wire = type.encode(message).finish();
  const roundTrip = type.decode(wire);
  const decoded = type.toObject(roundTrip, {
    longs: String,
    enums: Number,
    bytes: Array,
    defaults: false,
    arrays: true,
    oneofs: false,
  });
  bytesIdsToHex(type, decoded);
  return { ok: true, decoded, wireBytes: wire.length };
}

/** [{key, value: AnyValue}] -> {key: AnyValue} (throws on duplicate keys: OTLP forbids them). */
export function attributesToObject(list = []) {
  const out = {};
  for (const { key, value } of list) {
    if (Object.hasOwn(out, key)) throw new Error(`duplicate attribute key ${key}`);
    out[key] = value;
  }
  return out;
}

function closedPortUrl() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}

const WARM_UP_BODY = JSON.stringify({
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-warm-up' } }] },
    scopeSpans: [{
      scope: { name: 'warm-up' },
      spans: [{
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        name: 'warm-up',
        kind: 2,
        startTimeUnixNano: '1',
        endTimeUnixNano: '2',
        attributes: [{ key: 'n', value: { intValue: '1' } }],
      }],
    }],
  }],
});

function rpcStatus(code, message) {
  return JSON.stringify({ code, message });
}

/**
 * Starts a receiver.
 * @param {{behavior?: string, basePath?: string}} [options]
 */
export async function startReceiver({ behavior = 'ok', basePath = '' } = {}) {
  // Parse the .proto files now: doing it on the first request would block this process's event
  // loop for tens of milliseconds and be billed to the exporter's time budget.
  loadSchema();
  let current = behavior;
  const requests = [];
  const sockets = new Set();
  const timers = new Set();
  const waiters = [];

  const notify = () => {
    for (const w of [...waiters]) {
      if (w.check()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      const record = {
        method: req.method,
        url: req.url,
        headers: { ...req.headers },
        receivedAt: Date.now(),
        behavior: current,
        body: Buffer.concat(chunks),
        errors: [],
        decoded: undefined,
      };
      let body = record.body;
      if (req.method !== 'POST') record.errors.push(`method ${req.method}, expected POST`);
      if (req.url !== `${basePath}/v1/traces`) record.errors.push(`path ${req.url}, expected ${basePath}/v1/traces`);
      const ctype = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
      if (ctype !== 'application/json') record.errors.push(`content-type '${req.headers['content-type']}', expected application/json`);
      const enc = (req.headers['content-encoding'] || 'identity').toLowerCase();
      if (enc === 'gzip') {
        try {
          body = zlib.gunzipSync(body);
        } catch (e) {
          record.errors.push(`gzip body does not decompress: ${e.message}`);
        }
      } else if (enc !== 'identity') record.errors.push(`unsupported content-encoding ${enc}`);
      if (!record.errors.length) {
        const result = decodeTraceRequest(body);
        if (result.ok) record.decoded = result.decoded;
        else record.errors.push(...result.errors);
      }
      record.text = body.toString('utf8');
      requests.push(record);
      respond(record, req, res);
      notify();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function respond(record, req, res) {
    const b = record.behavior;
    if (record.errors.length && (b === 'ok' || b === 'partial' || b.startsWith('slow:'))) {
      // What a Collector does with an undecodable body: 400, do not retry.
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(rpcStatus(3, record.errors.join('; ').slice(0, 2000)));
      return;
    }
    if (b === 'ok') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    } else if (b === 'partial') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ partialSuccess: { rejectedSpans: '1', errorMessage: 'rejected by test receiver' } }));
    } else if (b.startsWith('status:')) {
      const code = Number(b.slice('status:'.length));
      const headers = { 'content-type': 'application/json' };
      if (code === 429 || code === 503) headers['retry-after'] = '2';
      res.writeHead(code, headers);
      res.end(rpcStatus(code === 400 ? 3 : code === 429 ? 8 : 14, `test receiver answered ${code}`));
    } else if (b.startsWith('slow:')) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        }
      }, Number(b.slice('slow:'.length)));
      timers.add(t);
    } else if (b === 'hang') {
      // Never answer; close() destroys the socket.
    } else if (b === 'reset') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
      res.write('{"partialSuc');
      const t = setTimeout(() => {
        timers.delete(t);
        const s = req.socket;
        if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
        else s.destroy();
      }, 5);
      timers.add(t);
    } else {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`unknown test behavior ${b}`);
    }
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const liveUrl = `http://127.0.0.1:${port}${basePath}`;
  const refusedUrl = `${await closedPortUrl()}${basePath}`;
  // Warm this process's HTTP client and server paths (JIT, lazy internals) with one valid
  // POST, so that the receiver's own first-request cost, paid on the same event loop, is not
  // billed to the exporter under test. The warm-up request is not recorded.
  const saved = current;
  current = 'ok';
  await new Promise((resolve) => {
    const req = http.request(`${liveUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', resolve);
    req.end(WARM_UP_BODY);
  });
  current = saved;
  requests.length = 0;

  const receiver = {
    /** Base URL to put in exporter.endpoint (a closed port when behavior is 'refused'). */
    get url() {
      return current === 'refused' ? refusedUrl : liveUrl;
    },
    liveUrl,
    refusedUrl,
    requests,
    get behavior() {
      return current;
    },
    setBehavior(b) {
      current = b;
    },
    /** Every decoded span, flattened: [{span, resource, scope, request}]. */
    spans() {
      const out = [];
      for (const request of requests) {
        if (!request.decoded) continue;
        for (const rs of request.decoded.resourceSpans || []) {
          for (const ss of rs.scopeSpans || []) {
            for (const span of ss.spans || []) out.push({ span, resource: rs.resource, scope: ss.scope, request });
          }
        }
      }
      return out;
    },
    /** Errors of every request that did not decode, flattened (should stay empty). */
    errors() {
      return requests.flatMap((r, i) => r.errors.map((e) => `request #${i}: ${e}`));
    },
    reset() {
      requests.length = 0;
    },
    /** Resolves when at least n requests arrived (rejects after timeoutMs). */
    waitForRequests(n, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const w = { check: () => requests.length >= n, resolve };
        if (w.check()) return resolve();
        waiters.push(w);
        const t = setTimeout(() => {
          timers.delete(t);
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`receiver: expected ${n} request(s), got ${requests.length} within ${timeoutMs} ms`));
          }
        }, timeoutMs);
        timers.add(t);
        t.unref?.();
      });
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
