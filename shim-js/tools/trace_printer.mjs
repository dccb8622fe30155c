// Prints decoded OTLP spans as trace trees: one block per trace, children indented under
// their parent, with duration, status and attributes.
const STATUS = { 0: 'UNSET', 1: 'OK', 2: 'ERROR' };
const KIND = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };

function attrValue(v) {
  if (v.stringValue !== undefined) return JSON.stringify(v.stringValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  return JSON.stringify(v);
}

/**
 * @param {Array<{resource: object, span: object}>} spans  decoded spans with their resource
 * @param {(line: string) => void} print
 */
export function printTrace(spans, print) {
  const byTrace = new Map();
  for (const s of spans) {
    if (!byTrace.has(s.span.traceId)) byTrace.set(s.span.traceId, []);
    byTrace.get(s.span.traceId).push(s);
  }
  for (const [traceId, list] of byTrace) {
    print(`trace ${traceId}`);
    const ids = new Set(list.map((s) => s.span.spanId));
    const children = (parent) => list.filter((s) => (parent === null ? !ids.has(s.span.parentSpanId) : s.span.parentSpanId === parent));
    const walk = (s, depth) => {
      const sp = s.span;
      const ms = (Number(BigInt(sp.endTimeUnixNano) - BigInt(sp.startTimeUnixNano)) / 1e6).toFixed(3);
      const pad = '  '.repeat(depth + 1);
      const remote = sp.parentSpanId ? ` (remote parent ${sp.parentSpanId})` : ' (root)';
      print(`${pad}${sp.name} [${KIND[sp.kind] ?? sp.kind}] span ${sp.spanId}${depth === 0 ? remote : ''} ${ms} ms status ${STATUS[sp.status?.code ?? 0]}`);
      const service = s.resource?.attributes?.find((a) => a.key === 'service.name');
      if (service) print(`${pad}  service.name = ${attrValue(service.value)}`);
      for (const a of sp.attributes ?? []) print(`${pad}  ${a.key} = ${attrValue(a.value)}`);
      for (const c of children(sp.spanId)) walk(c, depth + 1);
    };
    for (const root of children(null)) walk(root, 0);
  }
}
