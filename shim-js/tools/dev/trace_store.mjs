// The trace store behind `edgetrace dev`'s trace view: decoded OTLP spans grouped by trace, kept
// in memory and in one append-only JSON-lines file (one span per line) so that the traces of a
// session survive a restart of the dev server.
//
// Bounded on both sides: at most `maxTraces` traces (the least recently updated are evicted) of
// at most `maxSpansPerTrace` spans each in memory, and the file is rewritten with only what is
// kept ("compacted") once it grows past `maxFileBytes`. A torn last line (the process died
// mid-write) or any other unreadable line is skipped on load, never fatal.
import fs from 'node:fs';
import path from 'node:path';
import { attributesToObject } from '../otlp_receiver.mjs';

export const SPANS_FILE = 'spans.jsonl';

/**
 * One stored span: the decoded OTLP span (hex ids, decimal-string timestamps, OTLP attribute
 * list) plus where it came from.
 * @typedef {{
 *   traceId: string, spanId: string, parentSpanId?: string, name: string, kind?: number,
 *   startTimeUnixNano: string, endTimeUnixNano: string, attributes?: object[],
 *   status?: {code?: number, message?: string}, flags?: number, traceState?: string,
 *   events?: object[], links?: object[],
 *   service: string, resource: Record<string, unknown>, scope?: {name?: string, version?: string},
 *   receivedAt: number,
 * }} StoredSpan
 */

/** @typedef {{traceId: string, spans: StoredSpan[]}} StoredTrace */

/**
 * @typedef {{
 *   traceId: string, rootName: string, rootSpanId: string, service: string, services: string[],
 *   startTimeUnixNano: string, durationMs: number, spanCount: number, error: boolean,
 *   method?: string, path?: string, statusCode?: number, cacheStatus?: string,
 * }} TraceSummary
 */

/** An OTLP AnyValue as a plain JS value (ints stay decimal strings only past 2^53). */
export function plainValue(v) {
  if (!v || typeof v !== 'object') return v;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('intValue' in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(plainValue);
  if ('kvlistValue' in v) return plainAttributes(v.kvlistValue.values);
  if ('bytesValue' in v) return String(v.bytesValue);
  return null;
}

/** [{key, value: AnyValue}] -> {key: plain value}. */
export function plainAttributes(list = []) {
  return Object.fromEntries(Object.entries(attributesToObject(list)).map(([k, v]) => [k, plainValue(v)]));
}

/**
 * Flattens one decoded ExportTraceServiceRequest into stored spans (throws on a duplicate
 * attribute key, which the schema cannot express but OTLP forbids).
 * @param {{resourceSpans?: object[]}} decoded  decodeTraceRequest(...).decoded
 * @returns {StoredSpan[]}
 */
export function flattenRequest(decoded, receivedAt = Date.now()) {
  const out = [];
  for (const rs of decoded.resourceSpans ?? []) {
    const resource = plainAttributes(rs.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    for (const ss of rs.scopeSpans ?? []) {
      const scope = ss.scope?.version ? { name: ss.scope.name ?? '', version: ss.scope.version } : { name: ss.scope?.name ?? '' };
      for (const span of ss.spans ?? []) {
        attributesToObject(span.attributes); // throws on a duplicate key: OTLP forbids them
        out.push({ ...span, service, resource, scope, receivedAt });
      }
    }
  }
  return out;
}

const nanos = (s) => BigInt(s || '0');

/** @param {StoredSpan[]} spans @returns {StoredSpan[]} roots (no parent, or parent not received), earliest first */
export function rootSpans(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans
    .filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId))
    .sort((a, b) => (nanos(a.startTimeUnixNano) < nanos(b.startTimeUnixNano) ? -1 : 1));
}

/** @param {StoredTrace} trace @returns {TraceSummary} */
export function summarize(trace) {
  const { spans } = trace;
  let start = nanos(spans[0].startTimeUnixNano);
  let end = nanos(spans[0].endTimeUnixNano);
  for (const s of spans) {
    if (nanos(s.startTimeUnixNano) < start) start = nanos(s.startTimeUnixNano);
    if (nanos(s.endTimeUnixNano) > end) end = nanos(s.endTimeUnixNano);
  }
  const root = rootSpans(spans)[0];
  const attrs = plainAttributes(root.attributes);
  const summary = {
    traceId: trace.traceId,
    rootName: root.name,
    rootSpanId: root.spanId,
    service: root.service,
    services: [...new Set(spans.map((s) => s.service))],
    startTimeUnixNano: String(start),
    durationMs: Number(end - start) / 1e6,
    spanCount: spans.length,
    error: spans.some((s) => s.status?.code === 2),
  };
  if (typeof attrs['http.request.method'] === 'string') summary.method = attrs['http.request.method'];
  if (typeof attrs['url.path'] === 'string') summary.path = attrs['url.path'];
  if (typeof attrs['http.response.status_code'] === 'number') summary.statusCode = attrs['http.response.status_code'];
  // edgetrace's root (docs/trace-model.md "Cache status"): hit | miss | error | unknown.
  if (typeof attrs['aws.cloudfront.cache_status'] === 'string') summary.cacheStatus = attrs['aws.cloudfront.cache_status'];
  return summary;
}

/**
 * Opens (creating if needed) the store in dataDir and reloads what the file holds.
 * @param {{dataDir: string, maxTraces?: number, maxSpansPerTrace?: number, maxFileBytes?: number}} options
 */
export function openTraceStore({ dataDir, maxTraces = 500, maxSpansPerTrace = 1000, maxFileBytes = 16 * 1024 * 1024 }) {
  if (!dataDir) throw new Error('trace store: dataDir is required');
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SPANS_FILE);
  /** Map order = recency of the last span received (oldest first). @type {Map<string, Map<string, StoredSpan>>} */
  const traces = new Map();
  let fileBytes = 0;
  let compactAt = maxFileBytes;
  let skippedLines = 0;
  let evictedTraces = 0;

  /** Adds in memory only; returns false if the span was refused by the per-trace bound. */
  function remember(span) {
    let spans = traces.get(span.traceId);
    if (spans) traces.delete(span.traceId); // re-inserted below: most recently updated last
    else spans = new Map();
    traces.set(span.traceId, spans);
    if (!spans.has(span.spanId) && spans.size >= maxSpansPerTrace) return false;
    spans.set(span.spanId, span); // a re-sent span replaces its earlier copy
    return true;
  }

  function evict() {
    let evicted = 0;
    for (const traceId of traces.keys()) {
      if (traces.size <= maxTraces) break;
      traces.delete(traceId);
      evicted += 1;
    }
    evictedTraces += evicted;
    return evicted;
  }

  /** Rewrites the file with exactly the spans kept in memory (temp file + rename: atomic). */
  function compact() {
    const lines = [];
    for (const spans of traces.values()) for (const s of spans.values()) lines.push(JSON.stringify(s));
    const text = lines.length ? `${lines.join('\n')}\n` : '';
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    fileBytes = Buffer.byteLength(text);
    // When the kept traces alone are near the limit, don't rewrite on every append.
    compactAt = Math.max(maxFileBytes, fileBytes * 2);
  }

  function load() {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      let span;
      try {
        span = JSON.parse(line);
      } catch {
        skippedLines += 1;
        continue;
      }
      if (!span || typeof span.traceId !== 'string' || typeof span.spanId !== 'string') {
        skippedLines += 1;
        continue;
      }
      remember(span);
    }
    fileBytes = Buffer.byteLength(text);
    // Rewrite when the file holds anything we would not keep (evicted traces, torn lines).
    if (evict() > 0 || skippedLines > 0 || fileBytes > maxFileBytes) compact();
  }

  load();

  return {
    file,
    /**
     * Stores the spans of one decoded ExportTraceServiceRequest.
     * @returns {{accepted: number, rejected: number}}
     */
    addRequest(decoded) {
      return this.addSpans(flattenRequest(decoded));
    },
    /** @param {StoredSpan[]} spans */
    addSpans(spans) {
      const lines = [];
      let rejected = 0;
      for (const span of spans) {
        if (remember(span)) lines.push(JSON.stringify(span));
        else rejected += 1;
      }
      if (lines.length) {
        const text = `${lines.join('\n')}\n`;
        fs.appendFileSync(file, text);
        fileBytes += Buffer.byteLength(text);
      }
      evict();
      if (fileBytes > compactAt) compact();
      return { accepted: lines.length, rejected };
    },
    /** @returns {StoredTrace[]} most recently updated first */
    traces() {
      return [...traces.entries()].reverse().map(([traceId, spans]) => ({ traceId, spans: sortSpans([...spans.values()]) }));
    },
    /** @returns {StoredTrace | undefined} */
    trace(traceId) {
      const spans = traces.get(String(traceId).toLowerCase());
      return spans ? { traceId: String(traceId).toLowerCase(), spans: sortSpans([...spans.values()]) } : undefined;
    },
    /** @returns {TraceSummary[]} newest start first */
    summaries() {
      return this.traces()
        .map(summarize)
        .sort((a, b) => (BigInt(a.startTimeUnixNano) > BigInt(b.startTimeUnixNano) ? -1 : 1));
    },
    stats() {
      let spans = 0;
      for (const t of traces.values()) spans += t.size;
      return { traces: traces.size, spans, fileBytes, skippedLines, evictedTraces };
    },
    compact,
    clear() {
      traces.clear();
      compact();
    },
  };
}

/** @param {StoredSpan[]} spans */
function sortSpans(spans) {
  return spans.sort((a, b) => {
    const d = nanos(a.startTimeUnixNano) - nanos(b.startTimeUnixNano);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}

/** @typedef {ReturnType<typeof openTraceStore>} TraceStore */
