// `edgetrace dev`'s local trace backend: an OTLP/HTTP JSON endpoint (POST /v1/traces, plain or
// gzip) that decodes every body strictly against the official opentelemetry-proto schema (the
// same decoder as the test receiver, otlp_receiver.mjs; only 64-bit integers may also come as
// JSON numbers, as the proto3 JSON mapping allows and the official JS SDK sends them), a
// persistent bounded trace store (trace_store.mjs), and a small offline trace view (trace_view/:
// list + waterfall) with its JSON API. Binds 127.0.0.1 only: it shows request data (paths, user
// agents, client addresses).
//
//   GET  /                     trace list            GET /api/traces       summaries, newest first
//   GET  /trace/<traceId>      waterfall             GET /api/traces/<id>  {traceId, spans}
//   POST /v1/traces            OTLP/HTTP JSON        GET /static/*         the view's JS/CSS
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { decodeTraceRequest, exportRequestType, loadSchema } from '../otlp_receiver.mjs';
import { flattenRequest, openTraceStore } from './trace_store.mjs';

const VIEW_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'trace_view');
const STATIC = {
  '/static/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/static/style.css': ['style.css', 'text/css; charset=utf-8'],
};
/** Bodies larger than this are refused before decoding (compressed and decompressed alike). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
const TRACE_ID_RE = /^[0-9a-f]{32}$/;
// The view loads only its own files; no inline script, nothing from the network.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * Rewrites 64-bit integer fields sent as exact JSON numbers into decimal strings, in place.
 * The proto3 JSON mapping (which OTLP/JSON follows) makes parsers accept both forms, and the
 * official OpenTelemetry JS SDK sends attribute intValue as a number; otlp_receiver.mjs insists on
 * strings because it checks edgetrace's own exporter. Everything else stays strict: a
 * non-integer or beyond 2^53 (already rounded) number is left alone and rejected by the decoder.
 */
export function int64NumbersToStrings(type, obj) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field || value === null) continue;
    const resolved = field.resolve().resolvedType;
    const values = field.repeated && Array.isArray(value) ? value : [value];
    if (resolved instanceof protobuf.Type) values.forEach((v) => int64NumbersToStrings(resolved, v));
    else if (INT64_TYPES.has(field.type) && !field.repeated && Number.isSafeInteger(value)) obj[key] = String(value);
  }
  return obj;
}

/** Decodes a body with otlp_receiver.mjs after int64NumbersToStrings; its errors are the answer. */
export function decodeBody(body) {
  let json;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return decodeTraceRequest(body); // not UTF-8 or not JSON: let the receiver say which
  }
  return decodeTraceRequest(JSON.stringify(int64NumbersToStrings(exportRequestType(), json)));
}

/** google.rpc.Status, what an OTLP/HTTP server answers on failure (code 3 = INVALID_ARGUMENT). */
function sendStatus(res, httpStatus, code, message) {
  sendJson(res, httpStatus, { code, message: message.slice(0, 4000) });
}

function sendJson(res, httpStatus, value) {
  const body = JSON.stringify(value);
  res.writeHead(httpStatus, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(body);
}

/** Reads the body, refusing more than `limit` bytes. @returns {Promise<Buffer|null>} null when too large */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        req.pause(); // read no more; the 413 closes the connection
        resolve(null);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** @param {import('./trace_store.mjs').TraceStore} store */
async function handleExport(req, res, store) {
  const ctype = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (ctype !== 'application/json') {
    // protobuf is valid OTLP but not what edgetrace sends; say so instead of misdecoding it.
    return sendStatus(res, 415, 3, `content-type '${req.headers['content-type'] ?? ''}' not supported: this endpoint takes OTLP/HTTP JSON (application/json)`);
  }
  let body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    res.setHeader('connection', 'close');
    res.on('finish', () => req.destroy());
    return sendStatus(res, 413, 3, `body larger than ${MAX_BODY_BYTES} bytes`);
  }
  const encoding = (req.headers['content-encoding'] || 'identity').toLowerCase();
  if (encoding === 'gzip') {
    try {
      body = zlib.gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES });
    } catch (e) {
      if (e.code === 'ERR_BUFFER_TOO_LARGE') return sendStatus(res, 413, 3, `decompressed body larger than ${MAX_BODY_BYTES} bytes`);
      return sendStatus(res, 400, 3, `gzip body does not decompress: ${e.message}`);
    }
  } else if (encoding !== 'identity') {
    return sendStatus(res, 415, 3, `unsupported content-encoding '${encoding}' (identity or gzip)`);
  }
  const result = decodeBody(body);
  if (!result.ok) return sendStatus(res, 400, 3, result.errors.join('; '));
  let spans;
  try {
    spans = flattenRequest(result.decoded);
  } catch (e) {
    return sendStatus(res, 400, 3, e.message); // e.g. a duplicate attribute key
  }
  const { rejected } = store.addSpans(spans);
  if (rejected) {
    return sendJson(res, 200, { partialSuccess: { rejectedSpans: String(rejected), errorMessage: 'trace has too many spans for the dev store' } });
  }
  sendJson(res, 200, {});
}

function sendView(res, file, type) {
  fs.readFile(path.join(VIEW_DIR, file), (err, data) => {
    if (err) return sendStatus(res, 500, 13, `trace view file missing: ${file}`);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
    res.end(data);
  });
}

/** @param {import('./trace_store.mjs').TraceStore} store */
function route(req, res, store) {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/v1/traces') {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendStatus(res, 405, 3, 'POST OTLP/HTTP JSON to /v1/traces');
    }
    return handleExport(req, res, store);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendStatus(res, 405, 3, `${req.method} not allowed on ${pathname}`);
  }
  if (pathname === '/' || pathname.startsWith('/trace/')) return sendView(res, 'index.html', 'text/html; charset=utf-8');
  if (STATIC[pathname]) return sendView(res, ...STATIC[pathname]);
  if (pathname === '/favicon.ico') return res.writeHead(204).end(); // no icon; spares a console 404
  if (pathname === '/api/traces') return sendJson(res, 200, { traces: store.summaries() });
  if (pathname.startsWith('/api/traces/')) {
    const id = pathname.slice('/api/traces/'.length).toLowerCase();
    if (!TRACE_ID_RE.test(id)) return sendStatus(res, 400, 3, 'trace id must be 32 hex digits');
    const trace = store.trace(id);
    return trace ? sendJson(res, 200, trace) : sendStatus(res, 404, 5, `trace ${id} not found`);
  }
  sendStatus(res, 404, 5, `no such page: ${pathname}`);
}

/**
 * Starts the trace server on 127.0.0.1.
 * @param {{port?: number, dataDir: string, maxTraces?: number, maxSpansPerTrace?: number, maxFileBytes?: number}} options
 * @returns {Promise<{url: string, uiUrl: string, store: import('./trace_store.mjs').TraceStore, close: () => Promise<void>}>}
 *   url: base URL (the OTLP endpoint is url + '/v1/traces'); uiUrl: the trace list page.
 */
export async function startTraceServer({ port = 0, dataDir, ...bounds }) {
  loadSchema(); // parse the .proto files now, not on the first export
  const store = openTraceStore({ dataDir, ...bounds });
  const server = http.createServer((req, res) => {
    Promise.resolve(route(req, res, store)).catch((e) => {
      if (!res.headersSent) sendStatus(res, 500, 13, `trace server: ${e.message}`);
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    uiUrl: `${url}/`,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
