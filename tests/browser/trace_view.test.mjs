// The trace view in a real browser: Debian's Chromium (/usr/bin/chromium) driven headless by
// playwright-core. The store is filled only by real traffic, no span is synthesized: viewer
// requests through the CloudFront emulator running the REAL package (dist/lambda/index.mjs,
// exporter otlp-http to the trace server) at all four triggers, as `edgetrace dev` deploys it,
// with the sample origin (official OTel JS SDK) continuing the traceparent the package sent it.
//
//   GET /api/items?limit=3&sort=price_asc  miss: edge SERVER root -> edge CLIENT origin fetch
//                                           -> sample-origin SERVER -> sample-origin CLIENT (DB)
//   GET /status/503                         origin error: the root closed at origin-response, ERROR
//   GET / twice                             a miss, then a hit: the hit's root alone, cache status
//                                           "hit", with a span link to the origin fetch that filled
//   GET /api/items?limit=2 (second emulator) the user's own edge function wrapped by the package
//                                           (wrap) throws at origin-response: `exception` events
//
// The test asserts the list (the 503 trace marked as an error, cache badges), the main trace as
// a waterfall (parent order, indentation, bars by time, attribute values on expanding), the hit
// trace's cache status and its link to the filling trace (followed: the origin fetch span there
// is highlighted), and the exception event in the span details. Screenshots:
// build/screenshots/trace_list.png, trace_view.png (the main trace), trace_hit.png,
// trace_exception.png.
//
// Without /usr/bin/chromium the test is SKIPPED with the reason (Debian package: chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCloudFrontEmulator } from '../../shim-js/tools/dev/cloudfront_emulator.mjs';
import { createEdgeFunctions, sumStats } from '../../shim-js/tools/dev/edge_functions.mjs';
import { TRIGGERS } from '../../shim-js/tools/dev/header_rules.mjs';
import { startSampleOrigin } from '../../shim-js/tools/dev/sample_origin.mjs';
import { plainAttributes } from '../../shim-js/tools/dev/trace_store.mjs';
import { startTraceServer } from '../../shim-js/tools/dev/trace_server.mjs';
import { REPO_ROOT } from '../node/support/events.mjs';
import { requirePackage } from '../node/support/package.mjs';

const CHROMIUM = process.env.EDGETRACE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'build/screenshots');
const SERVICE = 'edgetrace';
const THROWN = 'price feed unavailable';
const skip = fs.existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: install Debian's package 'chromium' (scripts/setup.sh: apt-get install -y chromium) to run the browser tests`;
if (skip) console.log(`# SKIP trace view browser test: ${skip}`);

let dataDir;
let traces;
let origin;
let emulator;
let failing;
let edge;
let wrapped;
let chromium;
const seeded = {};
const emulatorLogs = [];
const failingLogs = [];

/** One viewer request through an emulator. */
async function get(cloudfront, target) {
  const res = await fetch(`${cloudfront.url}${target}`);
  await res.arrayBuffer();
  return { target, status: res.status, xCache: (res.headers.get('x-cache') ?? '').replace(/ from cloudfront$/, ''), cfId: res.headers.get('x-amz-cf-id') ?? '' };
}

/** The stored trace of one viewer request: found by its edge root's aws.cloudfront.request_id (X-Amz-Cf-Id). */
function storedTrace(request) {
  for (const trace of traces.store.traces()) {
    const root = trace.spans.find((s) => s.service === SERVICE && s.kind === 2 && plainAttributes(s.attributes)['aws.cloudfront.request_id'] === request.cfId);
    if (!root) continue;
    const one = (service, kind) => trace.spans.find((s) => s.service === service && s.kind === kind);
    return {
      ...request, trace, traceId: trace.traceId, root,
      fetch: one(SERVICE, 3), server: one('sample-origin', 2), db: one('sample-origin', 3),
    };
  }
  return undefined;
}

/** Waits until every request's trace holds the spans it should (the SDK exports in short batches). */
async function settle(expected) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await origin.flush();
    const found = Object.fromEntries(Object.entries(expected).map(([k, { request }]) => [k, storedTrace(request)]));
    const missing = Object.entries(expected).filter(([k, { spans }]) => found[k]?.trace.spans.length !== spans);
    if (missing.length === 0) return found;
    if (Date.now() > deadline) {
      assert.fail(`stored traces incomplete: ${missing.map(([k, { spans }]) => `${k}: ${found[k]?.trace.spans.map((s) => `${s.service}/${s.name}`).join(', ') ?? 'no trace'} (want ${spans} spans)`).join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A user's own Lambda@Edge function (run inside edgetrace by wrap) that fails at origin-response. */
async function throwsAtOriginResponse(event) {
  const cf = event.Records[0].cf;
  if (cf.config.eventType === 'origin-response') throw new TypeError(THROWN);
  return cf.response ?? cf.request;
}

before(async () => {
  if (skip) return;
  const pkg = await requirePackage(); // a missing package FAILS (run `make package`)
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-trace-view-'));
  traces = await startTraceServer({ dataDir });
  origin = await startSampleOrigin({ otlpEndpoint: traces.url });
  const config = {
    service: { name: SERVICE, version: '0.1.0', environment: 'dev' },
    exporter: { mode: 'otlp-http', endpoint: traces.url, timeoutMs: 2000 },
  };
  const edgeLogs = [];
  const keep = (trigger, line) => !/response events carry request-side headers: yes/.test(line) && edgeLogs.push(`[${trigger}] ${line}`);
  // All four triggers, as `edgetrace dev` deploys them.
  edge = createEdgeFunctions(pkg, config, [...TRIGGERS], keep);
  emulator = await startCloudFrontEmulator({ originUrl: origin.url, functions: edge.functions, log: (l) => emulatorLogs.push(l) });
  const requests = {};
  requests.main = await get(emulator, '/api/items?limit=3&sort=price_asc');
  requests.error = await get(emulator, '/status/503');
  requests.fill = await get(emulator, '/');
  requests.hit = await get(emulator, '/');
  // A second distribution: the user's own edge function, wrapped by the package at all four triggers.
  const deployed = { ...config, triggers: [...TRIGGERS] };
  wrapped = Object.fromEntries(TRIGGERS.map((t) => [t, pkg.wrap(throwsAtOriginResponse, deployed, { log: (line) => keep(t, line) })]));
  failing = await startCloudFrontEmulator({ originUrl: origin.url, functions: wrapped, log: (l) => failingLogs.push(l) });
  requests.thrown = await get(failing, '/api/items?limit=2');

  assert.deepEqual(Object.fromEntries(Object.entries(requests).map(([k, r]) => [k, `${r.status} ${r.xCache}`])),
    { main: '200 Miss', error: '503 Error', fill: '200 Miss', hit: '200 Hit', thrown: '503 LambdaExecutionError' });
  assert.deepEqual(emulatorLogs, [], 'the emulator reported no function or origin error');
  assert.equal(failingLogs.length, 1, failingLogs.join('\n'));
  assert.match(failingLogs[0], new RegExp(`origin-response execution error \\(503\\): TypeError: ${THROWN}`));
  assert.deepEqual(edgeLogs, [], 'the package logged nothing unexpected');

  // Misses: edge root -> origin fetch -> origin SERVER -> origin CLIENT. The hit: its root alone.
  Object.assign(seeded, await settle({
    main: { request: requests.main, spans: 4 },
    error: { request: requests.error, spans: 4 },
    fill: { request: requests.fill, spans: 4 },
    hit: { request: requests.hit, spans: 1 },
    thrown: { request: requests.thrown, spans: 4 },
  }));
  for (const key of ['main', 'error', 'fill', 'thrown']) {
    const { root, fetch, server, db } = seeded[key];
    assert.deepEqual([fetch?.parentSpanId, server?.parentSpanId, db?.parentSpanId], [root.spanId, fetch?.spanId, server?.spanId], `${key}: parent chain`);
  }
  assert.deepEqual(seeded.hit.root.links?.map((l) => [l.traceId, l.spanId]), [[seeded.fill.traceId, seeded.fill.fetch.spanId]], 'the hit links to the origin fetch that filled the cache');
  assert.deepEqual(edge.stats(), { sampled: 7, exported: 7, dropped: 0, droppedByReason: {} }, 'two spans per miss, one for the hit');
  assert.deepEqual(sumStats(Object.values(wrapped).map((h) => h.stats())), { sampled: 2, exported: 2, dropped: 0, droppedByReason: {} });
  assert.equal(origin.stats().failedSpans, 0, origin.stats().lastError);
  assert.equal(traces.store.traces().length, 5);

  chromium = await launch();
});

after(async () => {
  await chromium?.close();
  await emulator?.close();
  await failing?.close();
  await origin?.close();
  await traces?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts Chromium the way this machine allows (no sandbox as root, no background networking). */
async function launch() {
  const { chromium: browserType } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-chromium-'));
  const browser = await browserType.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { browser, close: async () => { await browser.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

/** A fresh page that records page errors, console errors and any request off the trace server. */
async function openPage() {
  const page = await chromium.browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('request', (r) => !r.url().startsWith(traces.url) && problems.push(`off-host request: ${r.url()}`));
  return { page, problems };
}

/** The waterfall rows as the user sees them: label text, indentation, bar position. */
async function waterfallRows(page) {
  const spanRows = page.locator('.waterfall .span');
  await spanRows.first().waitFor();
  return spanRows.evaluateAll((els) => els.map((el) => ({
    id: el.dataset.spanId,
    text: el.querySelector('.label').innerText.replace(/\s+/g, ' ').trim(),
    indent: parseFloat(el.querySelector('.label').style.paddingLeft),
    bar: (({ left, right }) => ({ left, right }))(el.querySelector('.bar').getBoundingClientRect()),
  })));
}

/** Expands the i-th span row and returns the text of its details. */
async function expand(page, i) {
  const row = page.locator('.waterfall .span').nth(i);
  await row.click();
  assert.equal(await row.getAttribute('aria-expanded'), 'true');
  const details = page.locator('.waterfall .details').nth(i);
  await details.waitFor();
  return details.innerText();
}

test('trace list: a row per request, the 503 marked as an error, cache badges', { skip, timeout: 60_000 }, async () => {
  const { page, problems } = await openPage();
  await page.goto(traces.uiUrl);
  const row = (key) => page.locator(`tr[data-trace-id="${seeded[key].traceId}"]`);
  await row('main').waitFor();
  assert.equal(await page.locator('table.traces tbody tr').count(), 5);
  assert.match(await row('main').innerText(), /GET\s+\/api\/items\s+200\s+cache miss/);
  assert.deepEqual((await row('main').locator('.service').allInnerTexts()).sort(), [SERVICE, 'sample-origin']);
  assert.equal(await row('main').getAttribute('class'), '');
  assert.match(await row('error').innerText(), /\/status\/503\s+503\s+cache miss\s*error/i);
  assert.equal(await row('error').getAttribute('class'), 'error');
  assert.match(await row('fill').innerText(), /GET\s+\/\s+200\s+cache miss/);
  const hitText = await row('hit').innerText();
  assert.match(hitText, /GET\s+\/\s+200\s+cache hit/);
  assert.deepEqual(await row('hit').locator('.service').allInnerTexts(), [SERVICE], 'a hit: the edge root alone');
  assert.equal(await row('hit').locator('.cache-hit').count(), 1);
  assert.equal(await row('thrown').getAttribute('class'), 'error');
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'trace_list.png') });

  // Following the list's link opens the trace.
  await row('main').locator('a.root').click();
  await page.waitForURL(`**/trace/${seeded.main.traceId}`);
  assert.equal(await page.locator('.waterfall .span').count(), 4);
  assert.deepEqual(problems, []);
  await page.close();
});

test('one trace: the edge root, the origin fetch and the origin\'s own spans as a waterfall, attributes visible', { skip, timeout: 60_000 }, async () => {
  const { main } = seeded;
  const { page, problems } = await openPage();
  await page.goto(`${traces.url}/trace/${main.traceId}`);
  const rows = await waterfallRows(page);
  assert.equal(rows.length, 4);
  const [edgeRow, fetchRow, server, db] = rows;
  assert.deepEqual(rows.map((r) => r.id), [main.root.spanId, main.fetch.spanId, main.server.spanId, main.db.spanId], 'parent order: root, origin fetch, origin SERVER, its DB child');
  assert.match(edgeRow.text, /^SERVER GET edgetrace 200 cache miss \/api\/items$/);
  assert.match(fetchRow.text, /^CLIENT GET origin fetch edgetrace 200 \/api\/items$/);
  assert.match(server.text, /^SERVER GET \/api\/items sample-origin 200 \/api\/items$/);
  assert.match(db.text, /^CLIENT SELECT items sample-origin SELECT id, name FROM items LIMIT 3$/);
  assert.ok(edgeRow.indent < fetchRow.indent && fetchRow.indent < server.indent && server.indent < db.indent, `indent by parent: ${rows.map((r) => r.indent)}`);
  // Bars are placed by time: each child's bar lies within its parent's.
  const within = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
  assert.ok(within(fetchRow.bar, edgeRow.bar) && within(server.bar, fetchRow.bar) && within(db.bar, server.bar), JSON.stringify(rows.map((r) => r.bar)));
  assert.match(await page.locator('h1').innerText(), /GET \/api\/items\s+200\s+cache miss/);
  assert.equal(await page.locator('.waterfall .span .cache-miss').count(), 1, 'the cache badge is on the edge root only');
  assert.match(await page.locator('.meta').innerText(), new RegExp(`${main.traceId}[\\s\\S]*4 spans`));

  // Expanding shows attribute values.
  const edgeText = await expand(page, 0);
  for (const expected of [/aws\.cloudfront\.cache_status\s+miss/, /aws\.cloudfront\.event_type\s+viewer-request/, /aws\.cloudfront\.distribution_id\s+EDEVEDGETRACE1/,
    /http\.response\.status_code\s+200/, /url\.query\s+limit=3&sort=price_asc/, /parent span id\s+\(root\)/, /telemetry\.sdk\.name\s+edgetrace/, /cloud\.provider\s+aws/]) {
    assert.match(edgeText, expected);
  }
  assert.doesNotMatch(edgeText, /links/i, 'a miss has no span link');
  const fetchText = await expand(page, 1);
  for (const expected of [/aws\.cloudfront\.event_type\s+origin-request/, new RegExp(`parent span id\\s+${main.root.spanId}\\n`), /http\.response\.status_code\s+200/, /kind\s+CLIENT/]) {
    assert.match(fetchText, expected);
  }
  const serverText = await expand(page, 2);
  assert.match(serverText, new RegExp(`parent span id\\s+${main.fetch.spanId}\\n`), 'the origin continues the origin fetch span');
  assert.match(serverText, /http\.route\s+\/api\/items/);
  assert.match(serverText, /service\.name\s+sample-origin/);
  const dbText = await expand(page, 3);
  assert.match(dbText, /db\.query\.text\s+SELECT id, name FROM items LIMIT 3/);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'trace_view.png'), fullPage: true });

  // Collapsing again hides the attributes.
  await page.locator('.waterfall .span').nth(0).click();
  assert.equal(await page.locator('.waterfall .details').nth(0).isVisible(), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the 503: edge root and origin fetch in ERROR, the root closed at origin-response', { skip, timeout: 60_000 }, async () => {
  const { page, problems } = await openPage();
  await page.goto(`${traces.url}/trace/${seeded.error.traceId}`);
  const rows = await waterfallRows(page);
  assert.deepEqual(rows.map((r) => r.id), [seeded.error.root.spanId, seeded.error.fetch.spanId, seeded.error.server.spanId, seeded.error.db.spanId]);
  assert.match(rows[0].text, /^SERVER GET edgetrace 503 cache miss \/status\/503 error$/i);
  assert.match(rows[1].text, /^CLIENT GET origin fetch edgetrace 503 \/status\/503 error$/i);
  assert.equal(await page.locator('.waterfall .span.error').count(), 4);
  assert.match(await expand(page, 0), /aws\.cloudfront\.root_closed_at\s+origin-response/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a cache hit: cache status "hit" and a link to the origin fetch of the trace that filled the cache', { skip, timeout: 60_000 }, async () => {
  const { hit, fill } = seeded;
  const { page, problems } = await openPage();
  await page.goto(`${traces.url}/trace/${hit.traceId}`);
  const rows = await waterfallRows(page);
  assert.equal(rows.length, 1, 'a hit is the edge root alone');
  assert.match(rows[0].text, /^SERVER GET edgetrace 200 cache hit ↗ 1 link \/$/);
  assert.match(await page.locator('h1').innerText(), /GET \/\s+200\s+cache hit/);
  const text = await expand(page, 0);
  assert.match(text, /aws\.cloudfront\.cache_status\s+hit/);
  assert.match(text, new RegExp(`Links \\(1\\)\\s+links filled by trace ${fill.traceId} span ${fill.fetch.spanId}\\s*$`, 'i'));
  const link = page.locator('.waterfall .details a.span-link');
  assert.equal(await link.count(), 1);
  assert.equal(await link.getAttribute('href'), `/trace/${fill.traceId}#span-${fill.fetch.spanId}`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'trace_hit.png') });

  // Following the link: the filling trace, its origin fetch span expanded and highlighted.
  await link.click();
  await page.waitForURL(`**/trace/${fill.traceId}#span-${fill.fetch.spanId}`);
  const target = page.locator(`.waterfall .span[data-span-id="${fill.fetch.spanId}"]`);
  await target.waitFor();
  assert.match(await target.getAttribute('class'), /\btarget\b/);
  assert.equal(await target.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('.waterfall .span.target').count(), 1);
  const details = page.locator('.waterfall .details').nth(1);
  assert.equal(await details.isVisible(), true);
  assert.match(await details.innerText(), /aws\.cloudfront\.event_type\s+origin-request/);
  assert.match(await page.locator('h1').innerText(), /GET \/\s+200\s+cache miss/);
  assert.equal(await page.locator('.waterfall .span').count(), 4);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a wrapped edge function that threw: the exception event in the span details', { skip, timeout: 60_000 }, async () => {
  const { thrown } = seeded;
  const { page, problems } = await openPage();
  await page.goto(`${traces.url}/trace/${thrown.traceId}`);
  const rows = await waterfallRows(page);
  assert.deepEqual(rows.map((r) => r.id), [thrown.root.spanId, thrown.fetch.spanId, thrown.server.spanId, thrown.db.spanId]);
  assert.match(rows[0].text, /^SERVER GET edgetrace .*cache miss exception \/api\/items error$/i);
  assert.match(rows[1].text, /^CLIENT GET origin fetch edgetrace .*exception \/api\/items error$/i);
  const text = await expand(page, 0);
  assert.match(text, /status\s+ERROR: edge function threw/);
  const event = page.locator('.waterfall .details').nth(0).locator('.event.exception');
  assert.equal(await event.count(), 1);
  const eventText = await event.innerText();
  assert.match(eventText, /^exception \+[\d.]+ (ms|s)\n/);
  assert.match(eventText, /exception\.type\s+TypeError/);
  assert.match(eventText, new RegExp(`exception\\.message\\s+${THROWN}`));
  assert.match(await expand(page, 1), new RegExp(`Events \\(1\\)\\s+exception[\\s\\S]*exception\\.message\\s+${THROWN}`, 'i'));
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'trace_exception.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('an unknown trace says so', { skip, timeout: 60_000 }, async () => {
  const { page, problems } = await openPage();
  await page.goto(`${traces.url}/trace/${'f'.repeat(32)}`);
  await page.locator('.failure').waitFor();
  assert.match(await page.locator('.failure').innerText(), /not found/);
  assert.deepEqual(problems.filter((p) => !/404 \(Not Found\)/.test(p)), []);
  await page.close();
});
