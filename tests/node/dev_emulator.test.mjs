// The CloudFront emulator's rules (shim-js/tools/dev/), with plain JavaScript functions at the
// triggers and a small loopback origin, plus one pass of the real package through every trigger:
//   * event shapes per trigger match tests/fixtures/events; one requestId per viewer request;
//   * 502 LambdaValidationError for a disallowed or read-only header change, per trigger, and for
//     header values or a statusDescription Node's http cannot send (the emulator stays up);
//   * viewer-response skipped for origin status >= 400, cached errors, stale objects served
//     after an origin 5xx, responses generated at viewer-request; generated responses
//     short-circuit; 503 on a throw or a timeout;
//   * cache TTLs (max-age, s-maxage, no-store, private, default, error caching), origin
//     triggers only on misses; CloudFront's own headers added and hidden from functions.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { sendAnswer, startCloudFrontEmulator } from '../../shim-js/tools/dev/cloudfront_emulator.mjs';
import { DEFAULT_POLICY, parseCacheControl, ttlSeconds } from '../../shim-js/tools/dev/cache.mjs';
import { TRIGGERS, headerChangeError, readOnlyHeaders } from '../../shim-js/tools/dev/header_rules.mjs';
import { createEdgeFunctions } from '../../shim-js/tools/dev/edge_functions.mjs';
import { OWN_FIXTURES_DIR, loadEvent } from './support/events.mjs';
import { requirePackage } from './support/package.mjs';

const REQUEST_ID_RE = /^[A-Za-z0-9_-]{54}==$/;

// ---------------------------------------------------------------------------------------------
// A loopback origin: /cc?v=<Cache-Control> answers 200 with that header; /status/NNN answers NNN
// (no Cache-Control); a request target put in `failing` answers that status (no Cache-Control);
// everything else 200 with `Cache-Control: max-age=60`.

async function startOrigin() {
  const seen = [];
  /** @type {Map<string, number>} request target -> status */
  const failing = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://o');
    seen.push({ url: req.url, headers: req.headers, rawHeaders: req.rawHeaders });
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    const headers = { 'content-type': 'text/plain' };
    if (failing.has(req.url)) {
      res.writeHead(failing.get(req.url), headers);
      res.end(`origin failing ${req.url}`);
      return;
    }
    if (url.pathname === '/cc') {
      if (url.searchParams.get('v')) headers['cache-control'] = url.searchParams.get('v');
    } else if (!status) headers['cache-control'] = 'max-age=60';
    res.writeHead(status ? Number(status[1]) : 200, headers);
    res.end(`origin ${req.url}`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    failing,
    fetches: (p) => seen.filter((s) => s.url === p).length,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

let origin;
before(async () => {
  origin = await startOrigin();
});
after(async () => {
  await origin.close();
});

/** Functions that record every event and pass everything through unchanged. */
function recordingFunctions(overrides = {}) {
  const events = [];
  const functions = {};
  for (const trigger of TRIGGERS) {
    functions[trigger] = async (event) => {
      events.push(structuredClone(event));
      const cf = event.Records[0].cf;
      if (overrides[trigger]) return overrides[trigger](cf, event);
      return trigger.endsWith('-request') ? cf.request : cf.response;
    };
  }
  return { events, functions, of: (trigger) => events.filter((e) => e.Records[0].cf.config.eventType === trigger) };
}

async function withEmulator(options, body) {
  const logs = [];
  const emulator = await startCloudFrontEmulator({ originUrl: origin.url, log: (l) => logs.push(l), ...options });
  try {
    return await body(emulator, logs);
  } finally {
    await emulator.close();
  }
}

async function get(emulator, p, headers = {}) {
  const res = await fetch(emulator.url + p, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, xCache: res.headers.get('x-cache'), cfId: res.headers.get('x-amz-cf-id') };
}

let unique = 0;
const fresh = (p) => `${p}${p.includes('?') ? '&' : '?'}u=${++unique}`;

// ---------------------------------------------------------------------------------------------
// Event shapes

/** Same keys at every level as the fixture (header maps: any lowercase names, {key, value} entries). */
function assertSameShape(actual, fixture, where) {
  if (Array.isArray(fixture)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array`);
    for (const [i, item] of actual.entries()) assertSameShape(item, fixture[0], `${where}[${i}]`);
    return;
  }
  if (fixture !== null && typeof fixture === 'object') {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${where}: expected an object`);
    if (where.endsWith('.headers') || where.endsWith('.customHeaders')) {
      for (const [name, list] of Object.entries(actual)) {
        assert.equal(name, name.toLowerCase(), `${where}: header name ${name} must be lowercase`);
        for (const entry of list) {
          assert.deepEqual(Object.keys(entry).sort(), ['key', 'value'], `${where}.${name}: entries are {key, value}`);
          assert.equal(entry.key.toLowerCase(), name);
          assert.equal(typeof entry.value, 'string');
        }
      }
      return;
    }
    const expected = Object.keys(fixture).filter((k) => k !== 'body').sort(); // body: include-body only
    assert.deepEqual(Object.keys(actual).sort(), expected, `${where}: keys`);
    for (const key of expected) assertSameShape(actual[key], fixture[key], `${where}.${key}`);
    return;
  }
  assert.equal(typeof actual, typeof fixture, `${where}: type`);
}

describe('event shapes', () => {
  test('each trigger gets the Lambda@Edge event shape of tests/fixtures/events', async () => {
    const rec = recordingFunctions();
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      const res = await get(emulator, fresh('/shape'), { 'user-agent': 'shape-test' });
      assert.equal(res.status, 200);
    });
    const fixtures = {
      'viewer-request': 'viewer-request.json',
      'origin-request': 'custom-origin-query.origin-request.json',
      'origin-response': 'custom-origin-query.origin-response.json',
      'viewer-response': 'viewer-response.json',
    };
    for (const trigger of TRIGGERS) {
      const [event] = rec.of(trigger);
      assert.ok(event, `${trigger} was invoked`);
      const fixture = loadEvent(path.join(OWN_FIXTURES_DIR, fixtures[trigger]));
      assertSameShape(event, fixture, trigger);
      const cf = event.Records[0].cf;
      assert.equal(cf.config.eventType, trigger);
      assert.match(cf.config.requestId, REQUEST_ID_RE);
      assert.match(cf.config.distributionId, /^E[A-Z0-9]{12,13}$/);
      assert.match(cf.config.distributionDomainName, /^d[a-z0-9]{13}\.cloudfront\.net$/);
      assert.equal(cf.request.method, 'GET');
      assert.equal(cf.request.uri, '/shape');
      assert.match(cf.request.querystring, /^u=\d+$/);
      if (cf.response) assert.equal(typeof cf.response.status, 'string', 'status is a string');
    }
    // Origin side: CloudFront's Via and X-Forwarded-For are visible, Host is the origin's.
    const originRequest = rec.of('origin-request')[0].Records[0].cf.request;
    assert.match(originRequest.headers.via[0].value, /^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
    assert.equal(originRequest.headers['x-forwarded-for'][0].value, '127.0.0.1');
    assert.equal(originRequest.headers.host[0].value, '127.0.0.1');
    assert.equal(originRequest.origin.custom.port, Number(new URL(origin.url).port));
    const viewerRequest = rec.of('viewer-request')[0].Records[0].cf.request;
    assert.equal(viewerRequest.headers.via, undefined, 'no Via before CloudFront forwards');
    assert.equal(viewerRequest.headers['user-agent'][0].value, 'shape-test');
  });

  test('one requestId per viewer request, shared by its events and sent as X-Amz-Cf-Id', async () => {
    const rec = recordingFunctions();
    const ids = [];
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      for (let i = 0; i < 3; i++) ids.push((await get(emulator, fresh('/rid'))).cfId);
    });
    assert.equal(new Set(ids).size, 3, 'a new requestId per viewer request');
    for (const id of ids) {
      assert.match(id, REQUEST_ID_RE);
      const mine = rec.events.filter((e) => e.Records[0].cf.config.requestId === id);
      assert.deepEqual(mine.map((e) => e.Records[0].cf.config.eventType), [...TRIGGERS], `the four events of ${id}`);
    }
  });

  test('functions never see the headers CloudFront keeps to itself', async () => {
    const rec = recordingFunctions();
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      const res = await get(emulator, fresh('/hidden'), { 'x-forwarded-proto': 'https', 'x-real-ip': '192.0.2.1', 'x-amz-cf-id': 'forged', connection: 'keep-alive' });
      assert.equal(res.status, 200);
      assert.match(res.xCache, /^Miss from cloudfront$/);
      assert.match(res.headers.get('via'), /^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
      assert.equal(res.headers.get('x-amz-cf-pop'), 'DEV1-P1');
      assert.match(res.cfId, REQUEST_ID_RE);
    });
    for (const event of rec.events) {
      const cf = event.Records[0].cf;
      for (const headers of [cf.request.headers, cf.response?.headers ?? {}]) {
        for (const name of ['x-forwarded-proto', 'x-real-ip', 'x-amz-cf-id', 'connection', 'x-cache', 'x-amz-cf-pop']) {
          assert.equal(headers[name], undefined, `${cf.config.eventType} must not see ${name}`);
        }
      }
    }
    const sent = origin.seen.at(-1);
    assert.match(sent.headers['x-amz-cf-id'], REQUEST_ID_RE, 'origin gets X-Amz-Cf-Id');
    assert.notEqual(sent.headers['x-amz-cf-id'], 'forged');
    assert.match(sent.headers.via, /\(CloudFront\)$/);
    assert.equal(sent.headers['x-forwarded-for'], '127.0.0.1');
  });
});

// ---------------------------------------------------------------------------------------------
// Header rules: 502 per trigger

const DISALLOWED_SAMPLES = ['x-cache', 'connection', 'x-amz-cf-id', 'x-edge-location', 'x-forwarded-proto', 'x-amzn-requestid'];

function addHeader(trigger, name, value = 'set-by-function') {
  return (cf) => {
    const target = trigger.endsWith('-request') ? cf.request : cf.response;
    target.headers[name] = [{ key: name, value }];
    return target;
  };
}

describe('header rules', () => {
  for (const trigger of TRIGGERS) {
    test(`${trigger}: adding a disallowed header gives the viewer 502 LambdaValidationError`, async () => {
      for (const name of DISALLOWED_SAMPLES) {
        const rec = recordingFunctions({ [trigger]: addHeader(trigger, name) });
        await withEmulator({ functions: rec.functions }, async (emulator, logs) => {
          const res = await get(emulator, fresh('/rules'));
          assert.equal(res.status, 502, `${trigger} + ${name}`);
          assert.equal(res.xCache, 'LambdaValidationError from cloudfront');
          assert.match(logs.join('\n'), new RegExp(`${trigger} validation error.*${name}`));
          if (trigger !== 'viewer-response') assert.equal(rec.of('viewer-response').length, 0, 'no viewer-response on a 502');
        });
      }
    });

    test(`${trigger}: adding, changing or deleting a read-only header gives 502`, async () => {
      for (const name of readOnlyHeaders(trigger)) {
        for (const change of ['set', 'delete']) {
          const fn = (cf) => {
            const target = trigger.endsWith('-request') ? cf.request : cf.response;
            if (change === 'set') target.headers[name] = [{ key: name, value: 'changed-by-function' }];
            else delete target.headers[name];
            return target;
          };
          const rec = recordingFunctions({ [trigger]: fn });
          await withEmulator({ functions: rec.functions }, async (emulator) => {
            // HEAD keeps content-length and friends out of the way of the body; deleting an
            // absent header is no change, so only check 'delete' where the header is there.
            const res = await get(emulator, fresh('/ro'), { 'accept-encoding': 'gzip', 'if-none-match': '"x"', warning: '199 - "w"' });
            const given = rec.of(trigger)[0].Records[0].cf;
            const present = (trigger.endsWith('-request') ? given.request : given.response).headers[name] !== undefined;
            if (change === 'delete' && !present) return;
            assert.equal(res.status, 502, `${trigger}: ${change} ${name}`);
            assert.equal(res.xCache, 'LambdaValidationError from cloudfront');
          });
        }
      }
    });

    test(`${trigger}: trace headers are allowed`, async () => {
      const fn = (cf) => {
        const target = trigger.endsWith('-request') ? cf.request : cf.response;
        target.headers.traceparent = [{ key: 'traceparent', value: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }];
        target.headers.tracestate = [{ key: 'tracestate', value: 'ot=th:0' }];
        target.headers['x-amzn-trace-id'] = [{ key: 'X-Amzn-Trace-Id', value: 'Root=1-5759e988-bd862e3fe1be46a994272793' }];
        target.headers.b3 = [{ value: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' }]; // key filled in by CloudFront
        return target;
      };
      const rec = recordingFunctions({ [trigger]: fn });
      await withEmulator({ functions: rec.functions }, async (emulator) => {
        const res = await get(emulator, fresh('/allowed'));
        assert.equal(res.status, 200);
        if (trigger.endsWith('-response')) assert.equal(res.headers.get('b3'), '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1');
      });
      if (trigger.endsWith('-request')) assert.equal(origin.seen.at(-1).headers.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    });
  }

  test('headerChangeError: shape, key mismatch, control characters', () => {
    const before = { host: [{ key: 'Host', value: 'a' }] };
    assert.equal(headerChangeError('origin-request', before, { ...before, 'x-a': [{ key: 'X-A', value: 'v' }] }), null);
    assert.match(headerChangeError('origin-request', before, { ...before, 'X-A': [{ value: 'v' }] }), /lowercase/);
    assert.match(headerChangeError('origin-request', before, { ...before, 'x-a': [{ key: 'X-B', value: 'v' }] }), /not the same name/);
    assert.match(headerChangeError('origin-request', before, { ...before, 'x-a': [{ value: 'a\r\nb' }] }), /control character/);
    assert.match(headerChangeError('origin-request', before, { ...before, 'x-a': { value: 'v' } }), /array/);
    assert.match(headerChangeError('viewer-request', before, { host: [{ key: 'Host', value: 'b' }] }), /read-only header: host/);
    assert.equal(headerChangeError('origin-request', before, { host: [{ key: 'Host', value: 'b' }] }), null, 'Host is writable at origin-request');
    assert.match(headerChangeError('viewer-request', {}, { 'cloudfront-viewer-country': [{ value: 'FR' }] }), /disallowed/);
    assert.equal(headerChangeError('origin-request', {}, { 'cloudfront-viewer-country': [{ value: 'FR' }] }), null);
  });

  test('headerChangeError: values Node cannot send (above U+00FF, DEL), keys that are not tokens', () => {
    assert.equal(headerChangeError('viewer-response', {}, { 'x-name': [{ value: 'Zoë\tok' }] }), null, 'Latin-1 and tab are sendable');
    assert.match(
      headerChangeError('viewer-response', {}, { 'x-name': [{ key: 'X-Name', value: 'Zoë € ok' }] }),
      /^header 'x-name' has a value with a character above U\+00FF \(U\+20AC\) at index 4, which the emulator cannot send: Node's http writes only Latin-1 \(up to U\+00FF\); CloudFront takes UTF-8/,
    );
    assert.match(headerChangeError('origin-request', {}, { 'x-e': [{ value: 'smile \u{1F600}' }] }), /\(U\+1F600\) at index 6/);
    assert.match(headerChangeError('origin-request', {}, { 'x-a': [{ value: 'a\x7fb' }] }), /control character \(U\+007F\) at index 1/);
    // 'K' (Kelvin sign) lower-cases to 'k': same name once lower-cased, but not a token Node sends.
    assert.match(headerChangeError('viewer-response', {}, { 'x-k': [{ key: 'X-\u212A', value: 'v' }] }), /has key 'X-\u212A', which is not the same name/);
  });
});

// ---------------------------------------------------------------------------------------------
// Results Node's http cannot send: 502, never a dead emulator

describe('results the emulator cannot send', () => {
  const setDescription = (text) => (cf) => ({ ...cf.response, statusDescription: text });
  const cases = [
    ['viewer-response', addHeader('viewer-response', 'x-name', 'Zoë € ok'), /header 'x-name' has a value with a character above U\+00FF \(U\+20AC\)/],
    ['viewer-response', setDescription('OK \u0100'), /statusDescription "OK \u0100" has a character above U\+00FF \(U\+0100\) at index 3, which the emulator cannot send/],
    ['origin-response', addHeader('origin-response', 'x-name', 'Zoë € ok'), /header 'x-name' has a value with a character above U\+00FF/],
    ['origin-response', setDescription('OK\r\nX-Injected: 1'), /statusDescription "OK\\r\\nX-Injected: 1" has a control character \(U\+000D\) at index 2/],
    ['viewer-request', addHeader('viewer-request', 'x-name', '€'), /header 'x-name' has a value with a character above U\+00FF/],
    ['viewer-request', () => ({ status: '200', statusDescription: 'Fine \u2713' }), /generated response: statusDescription "Fine \u2713" has a character above/],
    ['origin-request', () => ({ status: '200', headers: { 'x-name': [{ value: '€' }] } }), /generated response: header 'x-name' has a value with a character above/],
    ['viewer-response', (cf) => ({ ...cf.response, headers: { ...cf.response.headers, 'x-k': [{ key: 'X-\u212A', value: 'v' }] } }), /header 'x-k' has key 'X-\u212A', which is not the same name/],
  ];

  test('a header value or statusDescription Node refuses gives 502 LambdaValidationError with the reason', async () => {
    for (const [trigger, fn, reason] of cases) {
      const rec = recordingFunctions({ [trigger]: fn });
      await withEmulator({ functions: rec.functions }, async (emulator, logs) => {
        for (let i = 0; i < 2; i++) {
          const res = await get(emulator, fresh('/unsendable'));
          assert.equal(res.status, 502, `${trigger} ${reason}`);
          assert.equal(res.xCache, 'LambdaValidationError from cloudfront');
        }
        assert.match(logs.join('\n'), new RegExp(`${trigger} validation error \\(502\\): ${reason.source}`));
        assert.equal(emulator.counters().validationErrors, 2);
        assert.equal(emulator.counters().responses, 2, 'the emulator answered both: still up');
      });
    }
  });

  test('sendAnswer: a response Node refuses becomes a 502 if nothing went out, else the connection is cut', async () => {
    const logs = [];
    const via = { edgeHost: `${'e'.repeat(32)}.cloudfront.net`, requestId: 'r'.repeat(54) + '==' };
    const answer = (response, body = Buffer.from('body')) => ({ response: { status: '200', statusDescription: 'OK', headers: {}, ...response }, body, xCache: 'Miss', viewerResponse: true });
    // What validation rejects, handed to sendAnswer directly: Node's own throw must end there.
    const answers = {
      '/header': answer({ headers: { 'x-name': [{ key: 'X-Name', value: 'Zoë € ok' }] } }),
      '/status-line': answer({ statusDescription: 'OK \u0100' }),
      '/body': answer({}, /** @type {any} */ ({ length: 1 })), // head accepted, then end() throws
      '/ok': answer({ headers: { 'x-name': [{ key: 'X-Name', value: 'Zoë ok' }] } }),
    };
    const sent = [];
    const server = http.createServer((req, res) => sent.push(sendAnswer(res, req.method, answers[req.url], via, (l) => logs.push(l))));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      for (const p of ['/header', '/status-line']) {
        const res = await fetch(base + p);
        assert.equal(res.status, 502, p);
        assert.equal(res.headers.get('x-cache'), 'LambdaValidationError from cloudfront');
        assert.equal(res.headers.get('x-name'), null, 'nothing of the refused answer went out');
        assert.match(await res.text(), /the emulator could not send the response: Invalid character/);
      }
      await assert.rejects(fetch(base + '/body'), 'the head was accepted: the connection is cut');
      const ok = await fetch(base + '/ok');
      assert.deepEqual([ok.status, ok.headers.get('x-name'), await ok.text()], [200, 'Zoë ok', 'body'], 'the server keeps serving');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.deepEqual(sent.map((a) => a.response.status), ['502', '502', '200', '200'], 'sendAnswer returns what the viewer got');
    assert.equal(logs.filter((l) => / response not sendable \(502\): Invalid character/.test(l)).length, 2);
    assert.equal(logs.filter((l) => / response not sendable \(connection cut\)/.test(l)).length, 1);
  });

  test('a throw after the response (an onRequest hook) is logged, not an unhandled rejection', async () => {
    const onRequest = () => {
      throw new Error('hook failed');
    };
    await withEmulator({ onRequest }, async (emulator, logs) => {
      assert.equal((await get(emulator, fresh('/hook'))).status, 200);
      assert.equal((await get(emulator, fresh('/hook'))).status, 200);
      assert.match(logs.join('\n'), /emulator error after the response: Error: hook failed/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Trigger flow

describe('trigger flow', () => {
  test('origin triggers run only on misses; viewer triggers on every request', async () => {
    const rec = recordingFunctions();
    const p = fresh('/cached');
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      const xCache = [];
      for (let i = 0; i < 3; i++) xCache.push((await get(emulator, p)).xCache);
      assert.deepEqual(xCache, ['Miss from cloudfront', 'Hit from cloudfront', 'Hit from cloudfront']);
    });
    assert.equal(rec.of('viewer-request').length, 3);
    assert.equal(rec.of('origin-request').length, 1);
    assert.equal(rec.of('origin-response').length, 1);
    assert.equal(rec.of('viewer-response').length, 3);
    assert.equal(origin.fetches(p), 1);
    const hit = rec.of('viewer-response')[1].Records[0].cf.response;
    assert.match(hit.headers.age[0].value, /^\d+$/, 'Age on a hit is visible to viewer-response');
  });

  test('viewer-response is skipped for origin status >= 400 and for cached errors', async () => {
    const rec = recordingFunctions();
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      for (const status of [404, 503]) {
        const p = `/status/${status}`;
        const first = await get(emulator, p);
        const second = await get(emulator, p);
        assert.equal(first.status, status);
        assert.equal(first.xCache, 'Error from cloudfront');
        assert.equal(second.status, status, 'served from the cache');
        assert.equal(second.xCache, 'Error from cloudfront');
        assert.equal(origin.fetches(p), 1, `${status} is cached (error caching minimum TTL)`);
      }
      assert.equal((await get(emulator, fresh('/ok'))).status, 200);
    });
    assert.equal(rec.of('origin-response').length, 3, 'origin-response runs for every origin status');
    assert.equal(rec.of('viewer-response').length, 1, 'only the 200 reaches viewer-response');
  });

  test('a response generated at viewer-request short-circuits: no cache, no origin, no viewer-response', async () => {
    const rec = recordingFunctions({
      'viewer-request': () => ({ status: '302', statusDescription: 'Found', headers: { location: [{ key: 'Location', value: '/elsewhere' }] } }),
    });
    const p = fresh('/redirect');
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(emulator.url + p, { redirect: 'manual' });
        assert.equal(res.status, 302);
        assert.equal(res.headers.get('location'), '/elsewhere');
        assert.equal(res.headers.get('x-cache'), 'LambdaGeneratedResponse from cloudfront');
      }
    });
    assert.equal(origin.fetches(p), 0);
    assert.equal(rec.of('viewer-request').length, 2, 'not cached: the function runs each time');
    assert.equal(rec.of('origin-request').length + rec.of('origin-response').length + rec.of('viewer-response').length, 0);
  });

  test('a response generated at origin-request skips the origin and origin-response, and is cached', async () => {
    const rec = recordingFunctions({
      'origin-request': () => ({ status: '200', headers: { 'cache-control': [{ key: 'Cache-Control', value: 'max-age=60' }] }, body: 'generated' }),
    });
    const p = fresh('/generated');
    await withEmulator({ functions: rec.functions }, async (emulator) => {
      const first = await get(emulator, p);
      const second = await get(emulator, p);
      assert.deepEqual([first.status, first.text, second.text], [200, 'generated', 'generated']);
      assert.equal(second.xCache, 'Hit from cloudfront');
    });
    assert.equal(origin.fetches(p), 0);
    assert.equal(rec.of('origin-request').length, 1);
    assert.equal(rec.of('origin-response').length, 0);
    assert.equal(rec.of('viewer-response').length, 2);
  });

  test('invalid generated responses give 502', async () => {
    const cases = [
      ['viewer-request', { status: '700' }],
      ['viewer-request', { status: '204', body: 'not allowed' }],
      ['viewer-request', { status: '200', body: 'x'.repeat(41 * 1024) }],
      ['origin-request', { status: '200', body: '!!', bodyEncoding: 'base64' }],
      ['origin-request', { status: '200', headers: { 'x-cache': [{ value: 'Hit' }] } }],
    ];
    for (const [trigger, response] of cases) {
      const rec = recordingFunctions({ [trigger]: () => response });
      await withEmulator({ functions: rec.functions }, async (emulator) => {
        const res = await get(emulator, fresh('/bad-generated'));
        assert.equal(res.status, 502, `${trigger} ${JSON.stringify(response).slice(0, 80)}`);
        assert.equal(res.xCache, 'LambdaValidationError from cloudfront');
      });
    }
  });

  test('a function that throws, returns nothing or exceeds its time limit gives 503 LambdaExecutionError or 502', async () => {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const cases = [
      ['viewer-request', async () => { throw new Error('boom'); }, 503],
      ['origin-response', async () => { throw new TypeError('bad'); }, 503],
      ['viewer-request', async (cf) => { await sleep(300); return cf.request; }, 503],
      ['origin-request', async (cf) => { await sleep(300); return cf.request; }, 503],
      ['viewer-response', async (cf) => { await sleep(300); return cf.response; }, 503],
      ['origin-request', async () => undefined, 502],
    ];
    const timeoutsMs = { 'viewer-request': 50, 'origin-request': 100, 'origin-response': 100, 'viewer-response': 50 };
    for (const [trigger, fn, status] of cases) {
      const rec = recordingFunctions({ [trigger]: fn });
      await withEmulator({ functions: rec.functions, timeoutsMs }, async (emulator, logs) => {
        const started = performance.now();
        const res = await get(emulator, fresh('/fail'));
        assert.equal(res.status, status, `${trigger}: ${fn}`);
        assert.equal(res.xCache, status === 503 ? 'LambdaExecutionError from cloudfront' : 'LambdaValidationError from cloudfront');
        assert.ok(performance.now() - started < 250, 'the viewer does not wait for an abandoned invocation');
        assert.match(logs.join('\n'), status === 503 ? /execution error \(503\)/ : /validation error \(502\)/);
      });
    }
  });

  test('origin unreachable -> 502, origin stale object served when its refresh fails', async () => {
    const dead = http.createServer();
    await new Promise((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${dead.address().port}`;
    await new Promise((resolve) => dead.close(resolve));
    await withEmulator({ originUrl: deadUrl }, async (emulator) => {
      const res = await get(emulator, '/');
      assert.equal(res.status, 502);
      assert.equal(res.xCache, 'Error from cloudfront');
    });
    let clock = 1_000_000;
    const rec = recordingFunctions({
      'origin-request': (cf) => {
        if (cf.request.uri === '/flaky' && clock > 1_000_000) cf.request.uri = '/status/500';
        return cf.request;
      },
    });
    await withEmulator({ functions: rec.functions, now: () => clock }, async (emulator) => {
      assert.equal((await get(emulator, '/flaky')).xCache, 'Miss from cloudfront');
      clock += 61_000; // expired (max-age=60); the refresh now gets a 500
      const stale = await get(emulator, '/flaky');
      assert.equal(stale.status, 200);
      assert.equal(stale.text, 'origin /flaky');
    });
  });

  test("a stale object served after an origin 5xx skips viewer-response: the origin's status decides", async () => {
    let clock = 3_000_000;
    const stale = fresh('/stale');
    const rescued = fresh('/rescued');
    // origin-response turns the 503 of `rescued` into a cacheable 200: that is the status that counts.
    const rec = recordingFunctions({
      'origin-response': (cf) => {
        if (cf.request.uri !== '/rescued' || cf.response.status !== '503') return cf.response;
        return { ...cf.response, status: '200', headers: { ...cf.response.headers, 'cache-control': [{ key: 'Cache-Control', value: 'max-age=60' }] } };
      },
    });
    await withEmulator({ functions: rec.functions, now: () => clock }, async (emulator, logs) => {
      for (const p of [stale, rescued]) assert.equal((await get(emulator, p)).xCache, 'Miss from cloudfront');
      origin.failing.set(stale, 503);
      origin.failing.set(rescued, 503);
      clock += 61_000; // both expired (max-age=60); their refreshes get a 503
      try {
        const served = await get(emulator, stale);
        assert.deepEqual([served.status, served.text, served.xCache], [200, `origin ${stale}`, 'Hit from cloudfront'], 'the stale object');
        const replaced = await get(emulator, rescued);
        assert.deepEqual([replaced.status, replaced.text, replaced.xCache], [200, `origin failing ${rescued}`, 'Miss from cloudfront']);
      } finally {
        origin.failing.clear();
      }
      assert.deepEqual(logs, []);
    });
    const forUri = (trigger, uri) => rec.of(trigger).filter((e) => e.Records[0].cf.request.uri === uri).length;
    assert.deepEqual([forUri('origin-response', '/stale'), forUri('viewer-response', '/stale')], [2, 1], 'origin-response saw the 503, viewer-response only the first 200');
    assert.deepEqual([forUri('origin-response', '/rescued'), forUri('viewer-response', '/rescued')], [2, 2]);
  });
});

// ---------------------------------------------------------------------------------------------
// Cache

describe('cache', () => {
  test('TTLs: max-age, s-maxage over max-age, no-store, private, no-cache, default TTL (fake clock)', async () => {
    let clock = 5_000_000;
    await withEmulator({ now: () => clock }, async (emulator) => {
      const seq = async (p, steps) => {
        const out = [];
        for (const advance of steps) {
          clock += advance;
          out.push((await get(emulator, p)).xCache.replace(' from cloudfront', ''));
        }
        return out;
      };
      assert.deepEqual(await seq('/cc?v=max-age%3D2', [0, 1000, 1500]), ['Miss', 'Hit', 'Miss'], 'max-age=2');
      assert.deepEqual(await seq('/cc?v=max-age%3D1%2C%20s-maxage%3D5', [0, 2000, 2000, 2000]), ['Miss', 'Hit', 'Hit', 'Miss'], 's-maxage wins');
      assert.deepEqual(await seq('/cc?v=no-store', [0, 0]), ['Miss', 'Miss']);
      assert.deepEqual(await seq('/cc?v=private%2C%20max-age%3D60', [0, 0]), ['Miss', 'Miss']);
      assert.deepEqual(await seq('/cc?v=no-cache', [0, 0]), ['Miss', 'Miss']);
      assert.deepEqual(await seq('/cc', [0, 86_399_000, 1000]), ['Miss', 'Hit', 'Miss'], 'default TTL 86400 s');
      assert.deepEqual(await seq('/status/404', [0, 9000, 1000]), ['Error', 'Error', 'Error'], 'error caching 10 s');
    });
    assert.equal(origin.fetches('/status/404') >= 2, true);
  });

  test('ttlSeconds follows CloudFront rules', () => {
    const r = (status, cc, extra = {}) => ({ status: String(status), headers: { ...(cc ? { 'cache-control': [{ key: 'Cache-Control', value: cc }] } : {}), ...extra } });
    assert.equal(ttlSeconds('GET', r(200, 'max-age=30')), 30);
    assert.equal(ttlSeconds('GET', r(200, 'public, max-age=30, s-maxage=90')), 90);
    assert.equal(ttlSeconds('GET', r(200, 'no-store')), 0);
    assert.equal(ttlSeconds('GET', r(200, 'no-store'), { ...DEFAULT_POLICY, minTtl: 5 }), 5, 'minimum TTL overrides no-store');
    assert.equal(ttlSeconds('GET', r(200, 'max-age=99999999')), DEFAULT_POLICY.maxTtl);
    assert.equal(ttlSeconds('GET', r(200)), 86400);
    assert.equal(ttlSeconds('POST', r(200, 'max-age=30')), 0);
    const date = 'Sat, 22 Nov 2025 10:00:00 GMT';
    const expires = 'Sat, 22 Nov 2025 10:02:00 GMT';
    assert.equal(ttlSeconds('GET', r(200, undefined, { date: [{ key: 'Date', value: date }], expires: [{ key: 'Expires', value: expires }] })), 120);
    assert.equal(ttlSeconds('GET', r(404, 'no-store')), 10, '404 is always cached');
    assert.equal(ttlSeconds('GET', r(503, 'max-age=30')), 30);
    assert.equal(ttlSeconds('GET', r(403)), 0, '403 only with max-age');
    assert.equal(ttlSeconds('GET', r(403, 'max-age=3')), 10);
    assert.equal(ttlSeconds('GET', r(429)), 0);
    assert.deepEqual(parseCacheControl({ 'cache-control': [{ value: 'Public, Max-Age="5", no-transform' }] }), { public: true, 'max-age': '5', 'no-transform': true });
  });
});

// ---------------------------------------------------------------------------------------------
// The real package at all four triggers

test('the real package passes CloudFront validation at every trigger and traces misses', async () => {
  const pkg = await requirePackage();
  const lines = [];
  const edge = createEdgeFunctions(pkg, { exporter: { mode: 'log' }, propagation: { trustIncoming: true } }, [...TRIGGERS], (trigger, line) => lines.push({ trigger, line }));
  const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const p = fresh('/package');
  await withEmulator({ functions: edge.functions }, async (emulator, logs) => {
    const miss = await get(emulator, p, { traceparent: incoming });
    const hit = await get(emulator, p, { traceparent: incoming });
    const error = await get(emulator, '/status/500', { traceparent: incoming });
    assert.deepEqual([miss.status, hit.status, error.status], [200, 200, 500]);
    assert.deepEqual([miss.xCache, hit.xCache], ['Miss from cloudfront', 'Hit from cloudfront']);
    assert.deepEqual(logs, [], 'no validation or execution error');
  });
  const sent = origin.seen.find((s) => s.url === p);
  assert.match(sent.headers.traceparent, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/, 'origin continues the client trace');
  assert.notEqual(sent.headers.traceparent, incoming);
  const spans = lines.filter((l) => l.line.startsWith('{"resourceSpans"')).flatMap((l) => JSON.parse(l.line).resourceSpans[0].scopeSpans[0].spans);
  // miss: origin fetch + root; hit: root alone; 500: origin fetch + root, both from origin-response.
  const roots = spans.filter((s) => s.kind === 2);
  const fetches = spans.filter((s) => s.kind === 3);
  assert.deepEqual([roots.length, fetches.length], [3, 2], 'a root per request, an origin fetch per miss');
  assert.ok(spans.every((s) => s.traceId === '0af7651916cd43dd8448eb211c80319c'), 'every span continues the client trace');
  assert.ok(roots.every((s) => s.parentSpanId === 'b7ad6b7169203331'));
  assert.ok(fetches.every((f) => roots.some((r) => r.spanId === f.parentSpanId)), 'origin fetches are children of roots');
  assert.equal(sent.headers.traceparent.slice(36, 52), fetches[0].spanId, 'the origin sees the origin fetch span as its parent');
  const stats = edge.stats();
  assert.deepEqual([stats.sampled, stats.exported, stats.dropped], [5, 5, 0]);
});

test('the real package, stale object after an origin 503 (all four triggers): every span exported once', async () => {
  const pkg = await requirePackage();
  const lines = [];
  const edge = createEdgeFunctions(pkg, { exporter: { mode: 'log' } }, [...TRIGGERS], (trigger, line) => lines.push({ trigger, line }));
  let clock = Date.now();
  const p = fresh('/stale-package');
  let miss;
  let stale;
  await withEmulator({ functions: edge.functions, now: () => clock }, async (emulator, logs) => {
    miss = await get(emulator, p);
    origin.failing.set(p, 503);
    clock += 61_000; // expired (max-age=60); the refresh gets a 503
    try {
      stale = await get(emulator, p);
    } finally {
      origin.failing.delete(p);
    }
    assert.deepEqual([miss.status, miss.xCache], [200, 'Miss from cloudfront']);
    assert.deepEqual([stale.status, stale.text, stale.xCache], [200, `origin ${p}`, 'Hit from cloudfront'], 'CloudFront serves the stale object');
    assert.deepEqual(logs, [], 'no validation or execution error');
    const { invocations } = emulator.counters();
    assert.deepEqual(TRIGGERS.map((t) => invocations[t]), [2, 2, 2, 1], 'viewer-response ran for the miss only');
  });
  const exported = lines.filter((l) => l.line.startsWith('{"resourceSpans"')).flatMap((l) => JSON.parse(l.line).resourceSpans[0].scopeSpans[0].spans.map((span) => ({ trigger: l.trigger, span })));
  const spans = exported.map((e) => e.span);
  const attr = (span, key) => span.attributes.find((a) => a.key === key)?.value;
  const ofRequest = (res) => spans.filter((s) => attr(s, 'aws.cloudfront.request_id')?.stringValue === res.cfId);
  assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length, `no span exported twice: ${spans.map((s) => s.spanId).join(' ')}`);
  assert.equal(spans.length, 4, 'per request an origin fetch and a root');
  const [fetch1, root1] = [3, 2].map((kind) => ofRequest(miss).find((s) => s.kind === kind));
  const [fetch2, root2] = [3, 2].map((kind) => ofRequest(stale).find((s) => s.kind === kind));
  assert.ok(fetch1 && root1 && fetch2 && root2, 'each request has its origin fetch and root');
  assert.equal(attr(root2, 'aws.cloudfront.root_closed_at')?.stringValue, 'origin-response', 'the 503 closed the root at origin-response');
  assert.equal(String(Object.values(attr(root2, 'http.response.status_code'))[0]), '503', "the root records the origin's 503, not the stale 200");
  assert.deepEqual(exported.filter((e) => e.span === root2).map((e) => e.trigger), ['origin-response']);
  // No viewer-response: the stale object keeps the stamp origin-response put on it when it was
  // cached (viewer-response removes it), as on CloudFront. The miss did go through viewer-response.
  assert.equal(miss.headers.get('x-edgetrace-fill'), null);
  assert.match(stale.headers.get('x-edgetrace-fill') ?? '', new RegExp(`^00-${fetch1.traceId}-${fetch1.spanId}-0[0-3]$`));
  const stats = edge.stats();
  assert.deepEqual([stats.sampled, stats.exported, stats.dropped], [4, 4, 0]);
});
