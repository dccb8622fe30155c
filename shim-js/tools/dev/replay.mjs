// `edgetrace replay <event.json...>`: runs Lambda@Edge events through the real package, one
// handler per trigger as in the emulator, and reports for each event what the function returned,
// whether CloudFront would accept it (else the 502 the viewer would get), the span(s) it
// exported and its log lines. Spans come from exporter.mode "log" captured through hooks.log,
// or go to a collector (`--collector`), in which case the handler stats say what happened.
//
// An origin-response event that follows an origin-request event with the same requestId gets
// the request that origin-request returned, as CloudFront hands it over: that is how a
// request/response fixture pair becomes one span.
import fs from 'node:fs';
import { interpretResult } from './function_result.mjs';
import { TRIGGERS } from './header_rules.mjs';
import { TRIGGER_TIMEOUT_MS, invoke } from './lambda_runner.mjs';
import { createEdgeFunctions } from './edge_functions.mjs';

/**
 * @typedef {{
 *   file: string, eventType: string, requestId?: string, pairedWith?: string,
 *   ok: boolean, result?: unknown, cloudfront: string, spans: object[], logs: string[],
 * }} ReplayRecord
 */

/** A log line that is an OTLP/JSON export body (exporter.mode "log"), parsed; else null. */
export function parseSpanLine(line) {
  if (!line.startsWith('{"resourceSpans"')) return null;
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/**
 * @param {{createHandler: Function}} pkg
 * @param {{files: string[], config: object}} options  config: the full edgetrace configuration
 * @returns {Promise<{records: ReplayRecord[], stats: import('./edge_functions.mjs').SpanStats}>}
 */
export async function replayEvents(pkg, { files, config }) {
  /** @type {string[]} */
  let lines = [];
  const edge = createEdgeFunctions(pkg, config, [...TRIGGERS], (_trigger, line) => lines.push(line));
  /** requestId -> {file, request}: what each origin-request returned */
  const forwarded = new Map();
  /** @type {ReplayRecord[]} */
  const records = [];
  for (const file of files) {
    const event = JSON.parse(fs.readFileSync(file, 'utf8'));
    const cf = event?.Records?.[0]?.cf;
    const eventType = cf?.config?.eventType;
    const requestId = cf?.config?.requestId;
    /** @type {ReplayRecord} */
    const record = { file, eventType: String(eventType), requestId, ok: false, cloudfront: '', spans: [], logs: [] };
    const paired = eventType === 'origin-response' ? forwarded.get(requestId) : undefined;
    if (paired) {
      cf.request = structuredClone(paired.request);
      record.pairedWith = paired.file;
    }
    lines = [];
    const handler = TRIGGERS.includes(eventType) ? edge.functions[eventType] : edge.functions['origin-request'];
    const invocation = await invoke(handler, event, TRIGGER_TIMEOUT_MS[eventType] ?? 30_000);
    if (invocation.ok) {
      record.ok = true;
      record.result = invocation.value;
      record.cloudfront = cloudFrontVerdict(eventType, cf, invocation.value);
      if (eventType === 'origin-request' && invocation.value && !('status' in invocation.value)) {
        forwarded.set(requestId, { file, request: invocation.value });
      }
    } else record.cloudfront = `CloudFront would answer 503 (LambdaExecutionError): ${invocation.message}`;
    for (const line of lines) {
      const spans = parseSpanLine(line);
      if (spans) record.spans.push(spans);
      else record.logs.push(line);
    }
    records.push(record);
  }
  return { records, stats: edge.stats() };
}

function cloudFrontVerdict(eventType, cf, value) {
  if (!TRIGGERS.includes(eventType)) return 'not a Lambda@Edge event type: CloudFront never sends it';
  if (!cf?.request?.headers || (eventType.endsWith('-response') && !cf.response?.headers)) return 'malformed event: not checked';
  const result = interpretResult(eventType, { request: cf.request, response: cf.response }, value);
  if (result.kind === 'invalid') return `CloudFront would answer 502 (LambdaValidationError): ${result.reason}`;
  if (result.kind === 'response' && result.generated) return `accepted: generated response ${result.response.status}`;
  return 'accepted';
}

/** Human-readable report of one record. */
export function formatRecord(record) {
  const out = [`== ${record.file}`, `   ${record.eventType}${record.requestId ? `  requestId ${record.requestId}` : ''}`];
  if (record.pairedWith) out.push(`   request: as returned by origin-request for ${record.pairedWith}`);
  if (record.ok) {
    const what = record.eventType.endsWith('-response') ? 'response' : 'returned';
    out.push(`-> ${what}:`, indent(JSON.stringify(record.result, null, 2)));
  }
  out.push(`   CloudFront: ${record.cloudfront}`);
  for (const body of record.spans) out.push('-> span (OTLP JSON):', indent(JSON.stringify(body, null, 2)));
  for (const line of record.logs) out.push(`   log: ${line}`);
  return out.join('\n');
}

const indent = (text) => text.replace(/^/gm, '     ');
