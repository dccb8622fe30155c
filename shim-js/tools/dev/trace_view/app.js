// The trace view: a list of recent traces (/) and one trace as a waterfall (/trace/<id>), both
// drawn from the JSON API. No framework, no network beyond this server; every value from a span
// (paths, user agents: attacker-controlled at the edge) goes into the page as text, never HTML.
//
// edgetrace's four-trigger traces (docs/trace-model.md): the edge root shows its
// aws.cloudfront.cache_status as a badge (cache hit / miss / error / unknown), the origin fetch
// CLIENT span is labelled as such, and a span's links (a hit links to the origin fetch that filled
// the cache) and events (an `exception` from a wrapped handler that threw) are in its details;
// a link opens /trace/<id>#span-<span id>, which expands and highlights that span.

const KIND = { 1: 'INTERNAL', 2: 'SERVER', 3: 'CLIENT', 4: 'PRODUCER', 5: 'CONSUMER' };
const STATUS = { 0: 'UNSET', 1: 'OK', 2: 'ERROR' };
const LIST_REFRESH_MS = 2000;
const main = document.getElementById('main');

/** Creates an element; strings and numbers become text nodes. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') for (const [prop, value] of Object.entries(v)) el.style.setProperty(prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** An OTLP AnyValue as a plain value. */
function plain(v) {
  if (!v || typeof v !== 'object') return v;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('arrayValue' in v) return (v.arrayValue.values || []).map(plain);
  if ('kvlistValue' in v) return Object.fromEntries((v.kvlistValue.values || []).map((kv) => [kv.key, plain(kv.value)]));
  return null;
}
const attrs = (list) => Object.fromEntries((list || []).map((kv) => [kv.key, plain(kv.value)]));
const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

function fmtMs(ms) {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
function fmtTime(ns) {
  const d = new Date(Number(BigInt(ns) / 1000000n));
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
function serviceColor(name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 62% 46%)`;
}
const serviceChip = (name) => h('span', { class: 'service', style: { '--svc': serviceColor(name) } }, name);

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

// ---- list ---------------------------------------------------------------------------------

function statusBadge(code) {
  if (code === undefined) return null;
  return h('span', { class: `code code-${String(code)[0]}xx` }, code);
}

/** edgetrace's aws.cloudfront.cache_status (hit | miss | error | unknown) as a badge. */
const CACHE_CLASSES = new Set(['hit', 'miss', 'error', 'unknown']);
function cacheBadge(value) {
  if (value === undefined || value === null) return null;
  const text = show(value);
  const cls = CACHE_CLASSES.has(String(text).toLowerCase()) ? String(text).toLowerCase() : 'other';
  return h('span', { class: `cache cache-${cls}`, title: 'aws.cloudfront.cache_status' }, `cache ${text}`);
}

function listRow(t) {
  const href = `/trace/${t.traceId}`;
  return h('tr', { class: t.error ? 'error' : '', 'data-trace-id': t.traceId },
    h('td', { class: 'when' }, fmtTime(t.startTimeUnixNano)),
    h('td', {},
      h('a', { href, class: 'root' }, t.rootName),
      t.path ? h('span', { class: 'path' }, ` ${t.path}`) : null, ' ', statusBadge(t.statusCode), ' ', cacheBadge(t.cacheStatus),
      t.error ? h('span', { class: 'err', title: 'a span has status ERROR' }, 'error') : null),
    h('td', {}, t.services.map(serviceChip)),
    h('td', { class: 'num' }, fmtMs(t.durationMs)),
    h('td', { class: 'num' }, t.spanCount),
    h('td', { class: 'id' }, h('a', { href }, t.traceId.slice(0, 12), '…')));
}

async function renderList() {
  document.title = 'edgetrace dev: traces';
  const table = h('table', { class: 'traces' },
    h('thead', {}, h('tr', {}, ['Started', 'Root span', 'Services', 'Duration', 'Spans', 'Trace'].map((c) => h('th', { class: /Duration|Spans/.test(c) ? 'num' : null }, c)))),
    h('tbody'));
  const empty = h('p', { class: 'empty', hidden: true },
    'No traces yet. Exporters send OTLP/HTTP JSON to ', h('code', {}, `${location.origin}/v1/traces`), '.');
  const error = h('p', { class: 'failure', hidden: true });
  main.replaceChildren(table, empty, error);
  async function refresh() {
    try {
      const { traces } = await getJson('/api/traces');
      table.tBodies[0].replaceChildren(...traces.map(listRow));
      table.hidden = traces.length === 0;
      empty.hidden = traces.length > 0;
      error.hidden = true;
    } catch (e) {
      error.hidden = false;
      error.textContent = `Could not load traces: ${e.message}`;
    }
  }
  await refresh();
  setInterval(() => document.visibilityState === 'visible' && refresh(), LIST_REFRESH_MS);
}

// ---- one trace ------------------------------------------------------------------------------

/** Orders spans depth-first (children by start time) and records each span's depth. */
function layout(spans) {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && byId.has(s.parentSpanId)) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else roots.push(s);
  }
  const out = [];
  const walk = (s, depth) => {
    out.push({ span: s, depth });
    for (const c of children.get(s.spanId) || []) walk(c, depth + 1);
  };
  roots.forEach((r) => walk(r, 0)); // spans arrive sorted by start time
  return out;
}

/** What an edgetrace span is in the four-trigger model (docs/trace-model.md), when not obvious from its name. */
function role(span, a) {
  if (span.kind === 3 && a['aws.cloudfront.event_type'] === 'origin-request') return 'origin fetch';
  return null;
}

/** The attributes worth seeing without expanding a span. */
function keyFacts(span, a) {
  const facts = [];
  const code = a['http.response.status_code'];
  if (code !== undefined) facts.push(statusBadge(code));
  for (const [k, v] of Object.entries(a)) if (/cache[._]status$/.test(k)) facts.push(cacheBadge(v));
  if (a['aws.cloudfront.timing'] === 'partial') facts.push(h('span', { class: 'fact', title: 'start time not recovered: start = end' }, 'partial timing'));
  const links = span.links || [];
  if (links.length) facts.push(h('span', { class: 'fact linked', title: 'span links (expand the span)' }, `↗ ${links.length} link${links.length === 1 ? '' : 's'}`));
  const events = span.events || [];
  if (events.some((e) => e.name === 'exception')) facts.push(h('span', { class: 'exc', title: 'an exception event (expand the span)' }, 'exception'));
  else if (events.length) facts.push(h('span', { class: 'fact' }, `${events.length} event${events.length === 1 ? '' : 's'}`));
  if (a['db.query.text'] !== undefined) facts.push(h('span', { class: 'fact' }, show(a['db.query.text'])));
  else if (a['url.path'] !== undefined) facts.push(h('span', { class: 'fact' }, show(a['url.path'])));
  return facts;
}

const kvRows = (obj) => Object.entries(obj).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: `v-${typeof v}` }, show(v))));

function kvTable(title, obj) {
  const rows = kvRows(obj);
  return h('section', {}, h('h4', {}, title), rows.length ? h('table', { class: 'kv' }, h('tbody', {}, rows)) : h('p', { class: 'none' }, 'none'));
}

/**
 * The span's links, one line each, as links to the linked trace (the span is highlighted
 * there); a hit's root links to the origin fetch that filled the cache.
 */
function linksSection(span, traceId) {
  const items = (span.links || []).map((link) => {
    const same = link.traceId === traceId;
    const a = attrs(link.attributes);
    if (link.traceState) a.tracestate = link.traceState;
    const what = span.kind === 2 && attrs(span.attributes)['aws.cloudfront.cache_status'] === 'hit' ? 'filled by ' : '';
    return h('div', { class: 'link-line' },
      h('span', { class: 'link-label' }, 'links'), ' ', what,
      h('a', { class: 'span-link', href: `/trace/${encodeURIComponent(link.traceId)}#span-${encodeURIComponent(link.spanId)}`, title: same ? 'a span in this trace' : 'open the linked trace' },
        'trace ', h('span', { class: 'trace-id' }, link.traceId), ' span ', h('span', { class: 'id' }, link.spanId)),
      same ? ' (this trace)' : '',
      Object.keys(a).length ? h('table', { class: 'kv' }, h('tbody', {}, kvRows(a))) : null);
  });
  return h('section', { class: 'links' }, h('h4', {}, `Links (${items.length})`), items);
}

/** Events with their time relative to the span's start; an exception event stands out. */
function eventsSection(span) {
  const start = BigInt(span.startTimeUnixNano);
  const items = (span.events || []).map((ev) => {
    const at = ev.timeUnixNano ? `+${fmtMs(Number(BigInt(ev.timeUnixNano) - start) / 1e6)}` : '';
    const a = attrs(ev.attributes);
    return h('div', { class: `event${ev.name === 'exception' ? ' exception' : ''}` },
      h('div', { class: 'event-head' }, h('span', { class: 'event-name' }, ev.name), ' ', h('span', { class: 'event-at' }, at)),
      Object.keys(a).length ? h('table', { class: 'kv' }, h('tbody', {}, kvRows(a))) : null);
  });
  return h('section', { class: 'events' }, h('h4', {}, `Events (${items.length})`), items);
}

function details(span, startMs, durMs, parentKnown, traceId) {
  const facts = {
    service: span.service,
    kind: KIND[span.kind] || span.kind || 'UNSPECIFIED',
    status: STATUS[span.status?.code || 0] + (span.status?.message ? `: ${span.status.message}` : ''),
    'span id': span.spanId,
    'parent span id': span.parentSpanId ? `${span.parentSpanId}${parentKnown ? '' : ' (remote, not in this trace)'}` : '(root)',
    start: `+${fmtMs(startMs)}`,
    duration: fmtMs(durMs),
  };
  if (span.flags !== undefined) facts.flags = `0x${span.flags.toString(16)}`;
  if (span.traceState) facts.tracestate = span.traceState;
  if (span.scope?.name) facts.scope = span.scope.version ? `${span.scope.name} ${span.scope.version}` : span.scope.name;
  const sections = [kvTable('Span', facts), kvTable('Attributes', attrs(span.attributes)), kvTable('Resource', span.resource || {})];
  if ((span.links || []).length) sections.push(linksSection(span, traceId));
  if ((span.events || []).length) sections.push(eventsSection(span));
  return h('div', { class: 'details' }, sections);
}

function spanRow({ span, depth }, t0, total, ids, traceId) {
  const startMs = Number(BigInt(span.startTimeUnixNano) - t0) / 1e6;
  const durMs = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
  const left = total > 0 ? (startMs / total) * 100 : 0;
  const width = total > 0 ? (durMs / total) * 100 : 100;
  const isError = span.status?.code === 2;
  const a = attrs(span.attributes);
  const panel = details(span, startMs, durMs, ids.has(span.parentSpanId), traceId);
  panel.hidden = true;
  const toggle = () => {
    panel.hidden = !panel.hidden;
    row.setAttribute('aria-expanded', String(!panel.hidden));
  };
  const row = h('div', {
    class: `span${isError ? ' error' : ''}`, role: 'button', tabindex: 0, 'aria-expanded': 'false',
    'data-span-id': span.spanId, style: { '--svc': serviceColor(span.service) },
    onclick: toggle, onkeydown: (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), toggle()),
  },
  h('div', { class: 'label', style: { paddingLeft: `${depth * 18 + 6}px` } },
    h('span', { class: 'caret' }),
    h('span', { class: `kind kind-${KIND[span.kind] || 'X'}` }, KIND[span.kind] || '?'),
    h('span', { class: 'name' }, span.name), ' ', role(span, a) ? h('span', { class: 'role' }, role(span, a)) : null, ' ',
    serviceChip(span.service), ' ', keyFacts(span, a),
    isError ? h('span', { class: 'err' }, 'error') : null),
  h('div', { class: 'lane' },
    h('div', { class: 'bar', style: { left: `${left}%`, width: `max(2px, ${width}%)` } }),
    durationLabel(fmtMs(durMs), left, width)));
  return [row, panel];
}

/** The duration next to its bar: after it, else before it, else inside it (a bar spanning the lane). */
function durationLabel(text, left, width) {
  if (left + width <= 82) return h('span', { class: 'dur', style: { left: `calc(${left + width}% + 4px)` } }, text);
  if (left >= 18) return h('span', { class: 'dur', style: { right: `calc(${100 - left}% + 4px)` } }, text);
  return h('span', { class: 'dur inside', style: { right: `calc(${100 - left - width}% + 6px)` } }, text);
}

function axis(total) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { class: 'tick', style: { left: `${f * 100}%` } }, fmtMs(total * f)));
  return h('div', { class: 'axis' }, h('div', { class: 'label' }, 'Span'), h('div', { class: 'lane' }, ticks));
}

async function renderTrace(traceId) {
  let trace;
  try {
    trace = await getJson(`/api/traces/${encodeURIComponent(traceId)}`);
  } catch (e) {
    main.replaceChildren(h('p', { class: 'failure' }, `Trace ${traceId}: ${e.message}. `), h('a', { href: '/' }, 'All traces'));
    return;
  }
  const spans = trace.spans;
  const ids = new Set(spans.map((s) => s.spanId));
  let t0 = BigInt(spans[0].startTimeUnixNano);
  let t1 = BigInt(spans[0].endTimeUnixNano);
  for (const s of spans) {
    if (BigInt(s.startTimeUnixNano) < t0) t0 = BigInt(s.startTimeUnixNano);
    if (BigInt(s.endTimeUnixNano) > t1) t1 = BigInt(s.endTimeUnixNano);
  }
  const total = Number(t1 - t0) / 1e6;
  const rows = layout(spans);
  const root = rows[0].span;
  const rootAttrs = attrs(root.attributes);
  const urlPath = rootAttrs['url.path'];
  const title = urlPath && !root.name.includes(urlPath) ? `${root.name} ${urlPath}` : root.name;
  document.title = `edgetrace dev: ${title}`;
  const services = [...new Set(spans.map((s) => s.service))];
  const waterfall = h('div', { class: 'waterfall' }, axis(total), rows.map((r) => spanRow(r, t0, total, ids, trace.traceId)));
  const expandAll = h('button', { type: 'button', onclick: () => {
    const open = expandAll.textContent === 'Expand all';
    waterfall.querySelectorAll('.span').forEach((row) => {
      row.setAttribute('aria-expanded', String(open));
      row.nextElementSibling.hidden = !open;
    });
    expandAll.textContent = open ? 'Collapse all' : 'Expand all';
  } }, 'Expand all');
  main.replaceChildren(
    h('nav', { class: 'crumbs' }, h('a', { href: '/' }, '← All traces')),
    h('h1', {}, title, ' ', statusBadge(rootAttrs['http.response.status_code']), ' ', cacheBadge(rootAttrs['aws.cloudfront.cache_status'])),
    h('p', { class: 'meta' },
      h('span', {}, 'trace ', h('code', { class: 'trace-id' }, trace.traceId)),
      h('span', {}, fmtTime(t0.toString())), h('span', {}, fmtMs(total)),
      h('span', {}, `${spans.length} span${spans.length === 1 ? '' : 's'}`), services.map(serviceChip), expandAll),
    waterfall,
    h('p', { class: 'hint' }, 'Click a span to show its attributes. Bars are placed by start and end time relative to the trace.'));
  showTargetSpan(waterfall);
}

/** /trace/<id>#span-<span id> (a span link's target): that span expanded, highlighted, in view. */
function showTargetSpan(waterfall) {
  const m = location.hash.match(/^#span-([0-9a-fA-F]{16})$/);
  if (!m) return;
  const row = [...waterfall.querySelectorAll('.span')].find((r) => r.dataset.spanId === m[1].toLowerCase());
  if (!row) return;
  waterfall.querySelectorAll('.span.target').forEach((r) => r.classList.remove('target'));
  row.classList.add('target');
  row.setAttribute('aria-expanded', 'true');
  row.nextElementSibling.hidden = false;
  row.scrollIntoView({ block: 'center' });
}

const match = location.pathname.match(/^\/trace\/([^/]+)$/);
document.getElementById('hint').textContent = match ? 'one trace' : 'local traces, newest first';
if (match) {
  renderTrace(decodeURIComponent(match[1]));
  // A link to a span of this same trace only changes the fragment.
  window.addEventListener('hashchange', () => {
    const waterfall = document.querySelector('.waterfall');
    if (waterfall) showTargetSpan(waterfall);
  });
} else renderList();
