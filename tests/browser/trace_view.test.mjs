// The trace view in a real browser: Debian's Chromium (/usr/bin/chromium) driven headless by
// playwright-core. The store is seeded only through real OTLP/HTTP JSON exports: the REAL package
// (dist/lambda/index.mjs, exporter otlp-http) traces CloudFront origin-request/origin-response
// fixture pairs, the sample origin (official OTel JS SDK) continues the traceparent the package
// forwarded, and the origin fetch between them is recorded as a CLIENT span. The test asserts one
// trace shows the edge span, the origin's own span and its DB child as a waterfall with attribute
// values visible, and saves build/screenshots/trace_view.png (and trace_list.png).
//
// Without /usr/bin/chromium the test is SKIPPED with the reason (Debian package: chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT, SpanKind, defaultTextMapGetter } from '@opentelemetry/api';
import { startTraceServer } from '../../shim-js/tools/dev/trace_server.mjs';
import { createOtelTracer, nowMs, startSampleOrigin } from '../../shim-js/tools/dev/sample_origin.mjs';
import { OWN_FIXTURES_DIR, REPO_ROOT, cfOf, fakeContext, loadEvent, pairResponse } from '../node/support/events.mjs';
import { otlpConfig, requirePackage } from '../node/support/package.mjs';

const CHROMIUM = process.env.EDGETRACE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(REPO_ROOT, 'build/screenshots');
const skip = fs.existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: install Debian's package 'chromium' (scripts/setup.sh: apt-get install -y chromium) to run the browser tests`;
if (skip) console.log(`# SKIP trace view browser test: ${skip}`);

let dataDir;
let traces;
let origin;
let emulator;
const seeded = {};

/**
 * One viewer request through the real package and the sample origin: origin-request trigger,
 * origin fetch (CLIENT span, as CloudFront's fetch), origin-response trigger (exports the edge span).
 */
async function replay(handler, fixture, { uri, querystring = '' }) {
  const request = loadEvent(path.join(OWN_FIXTURES_DIR, `${fixture}.origin-request.json`));
  Object.assign(cfOf(request).request, { uri, querystring });
  const forwarded = await handler(request, fakeContext());
  const header = (name) => forwarded.headers[name]?.[0]?.value;
  const parent = emulator.propagator.extract(ROOT_CONTEXT, { traceparent: header('traceparent'), tracestate: header('tracestate') }, defaultTextMapGetter);
  const target = `${origin.url}${uri}${querystring ? `?${querystring}` : ''}`;
  const fetchSpan = emulator.tracer.startSpan('origin fetch', {
    kind: SpanKind.CLIENT, startTime: nowMs(),
    attributes: { 'http.request.method': forwarded.method, 'url.full': target, 'server.address': '127.0.0.1', 'aws.cloudfront.cache_status': 'Miss' },
  }, parent);
  // What CloudFront sends the origin: the forwarded request's headers, trace context included.
  const res = await fetch(target, { headers: { traceparent: header('traceparent'), tracestate: header('tracestate'), 'user-agent': header('user-agent'), 'x-edgetrace-ctx': header('x-edgetrace-ctx') } });
  await res.arrayBuffer();
  fetchSpan.setAttribute('http.response.status_code', res.status);
  fetchSpan.end(nowMs());
  const response = pairResponse(loadEvent(path.join(OWN_FIXTURES_DIR, `${fixture}.origin-response.json`)), forwarded, request);
  Object.assign(cfOf(response).response, { status: String(res.status), statusDescription: res.statusText });
  await handler(response, fakeContext());
  const [, traceId, edgeSpanId] = header('traceparent').split('-');
  return { traceId, edgeSpanId, fetchSpanId: fetchSpan.spanContext().spanId, status: res.status };
}

before(async () => {
  if (skip) return;
  const { createHandler } = await requirePackage(); // a missing package FAILS (run `make package`)
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-trace-view-'));
  traces = await startTraceServer({ dataDir });
  origin = await startSampleOrigin({ otlpEndpoint: traces.url });
  emulator = createOtelTracer({ otlpEndpoint: traces.url, serviceName: 'cloudfront-emulator', scheduledDelayMillis: 10 });
  const logs = [];
  const handler = createHandler(otlpConfig(traces.url, { service: { name: 'edgetrace', version: '0.1.0', environment: 'dev' }, exporter: { timeoutMs: 2000 } }), { log: (l) => logs.push(l) });
  seeded.main = await replay(handler, 'custom-origin-query', { uri: '/api/items', querystring: 'limit=3&sort=price_asc' });
  seeded.error = await replay(handler, 'origin-5xx', { uri: '/status/503' });
  seeded.home = await replay(handler, 'incoming-traceparent', { uri: '/' });
  await origin.flush();
  await emulator.provider.forceFlush();
  const stats = handler.stats();
  assert.equal(stats.exported, 3, `edge spans exported: ${JSON.stringify(stats)} ${logs.join('\n')}`);
  assert.equal(origin.stats().failedSpans + emulator.stats.failedSpans, 0, origin.stats().lastError || emulator.stats.lastError);
  const spans = traces.store.trace(seeded.main.traceId)?.spans ?? [];
  assert.equal(spans.length, 4, `stored spans of the main trace: ${spans.map((s) => `${s.service}/${s.name}`)}`);
});

after(async () => {
  await origin?.close();
  await emulator?.provider.shutdown();
  await traces?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts Chromium the way this machine allows (no sandbox as root, no background networking). */
async function launch() {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgetrace-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { browser, close: async () => { await browser.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

test('trace view: the edge span, the origin span and its DB child in one waterfall, attributes visible', { skip, timeout: 90_000 }, async () => {
  const { browser, close } = await launch();
  try {
    const page = browser.pages()[0] ?? await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('request', (r) => !r.url().startsWith(traces.url) && problems.push(`off-host request: ${r.url()}`));

    // The list: one row per trace, the 503 one marked as an error.
    await page.goto(traces.uiUrl);
    const row = page.locator(`tr[data-trace-id="${seeded.main.traceId}"]`);
    await row.waitFor();
    assert.equal(await page.locator('table.traces tbody tr').count(), 3);
    assert.match(await row.innerText(), /GET\s+\/api\/items\s+200/);
    assert.deepEqual((await row.locator('.service').allInnerTexts()).sort(), ['cloudfront-emulator', 'edgetrace', 'sample-origin']);
    assert.match(await page.locator(`tr[data-trace-id="${seeded.error.traceId}"]`).innerText(), /503\s*error/i);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'trace_list.png') });

    // One trace: follow the link from the list.
    await row.locator('a.root').click();
    await page.waitForURL(`**/trace/${seeded.main.traceId}`);
    const spanRows = page.locator('.waterfall .span');
    await spanRows.first().waitFor();
    assert.equal(await spanRows.count(), 4);
    const rows = await spanRows.evaluateAll((els) => els.map((el) => ({
      id: el.dataset.spanId,
      text: el.querySelector('.label').innerText.replace(/\s+/g, ' '),
      indent: parseFloat(el.querySelector('.label').style.paddingLeft),
      bar: (({ left, right }) => ({ left, right }))(el.querySelector('.bar').getBoundingClientRect()),
    })));
    const [edge, fetchRow, server, db] = rows;
    assert.equal(edge.id, seeded.main.edgeSpanId, 'the edge span is the root, first');
    assert.match(edge.text, /SERVER GET edgetrace 200 \/api\/items/);
    assert.equal(fetchRow.id, seeded.main.fetchSpanId);
    assert.match(fetchRow.text, /CLIENT origin fetch cloudfront-emulator 200 cache Miss/);
    assert.match(server.text, /SERVER GET \/api\/items sample-origin 200/);
    assert.match(db.text, /CLIENT SELECT items sample-origin SELECT id, name FROM items LIMIT 3/);
    assert.ok(edge.indent < fetchRow.indent && fetchRow.indent === server.indent && server.indent < db.indent, `indent by parent: ${rows.map((r) => r.indent)}`);
    // Bars are placed by time: each child's bar lies within its parent's.
    const within = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
    assert.ok(within(server.bar, edge.bar) && within(db.bar, server.bar) && within(fetchRow.bar, edge.bar), JSON.stringify(rows.map((r) => r.bar)));

    // Expanding shows attribute values.
    const edgeRow = spanRows.nth(0);
    await edgeRow.click();
    assert.equal(await edgeRow.getAttribute('aria-expanded'), 'true');
    const edgeDetails = page.locator('.waterfall .details').nth(0);
    await edgeDetails.waitFor();
    const edgeText = await edgeDetails.innerText();
    for (const expected of [/aws\.cloudfront\.distribution_id\s+E1ABCDQ2R3STUV/, /http\.response\.status_code\s+200/, /url\.query\s+limit=3&sort=price_asc/,
      /aws\.cloudfront\.event_type\s+origin-request/, /telemetry\.sdk\.name\s+edgetrace/, /cloud\.provider\s+aws/]) {
      assert.match(edgeText, expected);
    }
    await spanRows.nth(2).click();
    await spanRows.nth(3).click();
    const serverText = await page.locator('.waterfall .details').nth(2).innerText();
    assert.match(serverText, new RegExp(`parent span id\\s+${seeded.main.edgeSpanId}`));
    assert.match(serverText, /http\.route\s+\/api\/items/);
    const dbText = await page.locator('.waterfall .details').nth(3).innerText();
    assert.match(dbText, /db\.query\.text\s+SELECT id, name FROM items LIMIT 3/);
    assert.match(await page.locator('.meta').innerText(), new RegExp(`${seeded.main.traceId}[\\s\\S]*4 spans`));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'trace_view.png'), fullPage: true });

    // Collapsing again hides the attributes; an unknown trace says so.
    await edgeRow.click();
    assert.equal(await edgeDetails.isVisible(), false);
    await page.goto(`${traces.url}/trace/${'f'.repeat(32)}`);
    await page.locator('.failure').waitFor();
    assert.match(await page.locator('.failure').innerText(), /not found/);
    assert.deepEqual(problems.filter((p) => !/404 \(Not Found\)/.test(p)), []);
  } finally {
    await close();
  }
});
