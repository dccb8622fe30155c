// A CloudFront-like HTTP proxy on loopback that runs Lambda@Edge functions (the real edgetrace
// package, or any handler) at the four triggers, in CloudFront's order and with its rules:
//
//   viewer ─> [viewer-request] ─> cache ─hit──────────────────────────────┐
//                                   └─miss─> [origin-request] ─> origin ─> [origin-response]
//                                                                           ─> cache store ─┤
//   viewer <─ X-Cache/Via/X-Amz-Cf-Pop/X-Amz-Cf-Id <─ [viewer-response] <──────────────────┘
//
// * one cf.config.requestId per viewer request, shared by its events and sent as X-Amz-Cf-Id;
// * origin triggers only on misses; origin-response for every origin status, before caching;
//   a response generated at origin-request skips the origin and origin-response, and is cached;
// * viewer-response skipped when the origin's status (as origin-response returned it) is >= 400,
//   whatever is served: a fresh error, a cached one, or the stale object CloudFront serves when
//   the refresh of an expired one got a 5xx; also for responses generated at viewer-request and
//   for the emulator's own error responses;
// * a result that breaks CloudFront's rules (header_rules.mjs, function_result.mjs), or that
//   Node's http cannot send (sendAnswer), -> 502 LambdaValidationError; a function that throws
//   or outlives its trigger's limit (viewer 5 s, origin 30 s) -> 503 LambdaExecutionError
//   (lambda_runner.mjs);
// * CloudFront adds Via, X-Forwarded-For (visible to origin functions) and X-Amz-Cf-Id (not
//   visible) to the origin request, and X-Cache, Via, X-Amz-Cf-Pop, X-Amz-Cf-Id (not visible)
//   to the viewer response; Age on cache hits (visible to viewer-response).
//
// Origin request policy emulated: all viewer headers are forwarded, Host becomes the origin's
// domain name (as with the managed AllViewerExceptHostHeader policy), CloudFront-Forwarded-Proto
// is added. Cache key: method, Host, path, the whole query string.
import crypto from 'node:crypto';
import http from 'node:http';
import { DEFAULT_POLICY, EdgeCache, cacheKey, ttlSeconds } from './cache.mjs';
import { errorPage, executionError, originError, requestError, unsendableError, validationError } from './cloudfront_errors.mjs';
import { DEV_DISTRIBUTION, cloudFrontEvent, customOrigin, headerValues, headersFromRaw, newRequestId, statusDescription, viewerSideRequest } from './events.mjs';
import { interpretResult } from './function_result.mjs';
import { TRIGGER_TIMEOUT_MS, invoke } from './lambda_runner.mjs';
import { OriginClient, isLoopbackHost } from './origin_client.mjs';

/** @typedef {import('./header_rules.mjs').Trigger} Trigger */
/** @typedef {import('./events.mjs').CfRequest} CfRequest */
/** @typedef {import('./events.mjs').CfResponse} CfResponse */
/** @typedef {import('./lambda_runner.mjs').LambdaHandler} LambdaHandler */
/** @typedef {import('./cloudfront_errors.mjs').EdgeError} EdgeError */
/**
 * What goes back to the viewer. `viewerResponse`: may the viewer-response trigger run on it,
 * decided where the answer is made (from the origin's status, not the served one: see
 * serveStale).
 * @typedef {{response: CfResponse, body: Buffer, xCache: string, viewerResponse: boolean}} Answer
 */
/** What the emulator stamps on every answer. @typedef {{edgeHost: string, requestId: string}} Via */
/**
 * @typedef {{
 *   originUrl: string, port?: number, host?: string,
 *   functions?: Partial<Record<Trigger, LambdaHandler>>,
 *   distribution?: import('./events.mjs').Distribution,
 *   cachePolicy?: Partial<import('./cache.mjs').CachePolicy>,
 *   timeoutsMs?: Partial<Record<Trigger, number>>,
 *   originReadTimeout?: number, maxCacheEntries?: number, now?: () => number,
 *   log?: (line: string) => void,
 *   onRequest?: (entry: {requestId: string, method: string, uri: string, status: number, xCache: string, ms: number}) => void,
 * }} EmulatorOptions
 */

/** Largest viewer request body accepted (CloudFront's own limit is far larger). */
export const MAX_VIEWER_BODY = 32 * 1024 * 1024;
/** The edge location this emulator pretends to be (X-Amz-Cf-Pop). */
export const DEV_POP = 'DEV1-P1';

/**
 * Starts the emulator on loopback.
 * @param {EmulatorOptions} options
 */
export async function startCloudFrontEmulator(options) {
  const {
    originUrl,
    port = 0,
    host = '127.0.0.1',
    functions = {},
    distribution = DEV_DISTRIBUTION,
    originReadTimeout = 30,
    maxCacheEntries = 10_000,
    now = Date.now,
    log = () => {},
    onRequest = () => {},
  } = options;
  if (!isLoopbackHost(host)) throw new Error(`the emulator listens on loopback only, not ${host}`);
  if (!isLoopbackHost(new URL(originUrl).hostname)) throw new Error(`the emulator reaches loopback origins only, not ${originUrl}`);
  const policy = { ...DEFAULT_POLICY, ...options.cachePolicy };
  const timeouts = { ...TRIGGER_TIMEOUT_MS, ...options.timeoutsMs };
  const origin = customOrigin(originUrl, { readTimeout: originReadTimeout });
  const cache = new EdgeCache({ maxEntries: maxCacheEntries });
  const originClient = new OriginClient();
  const edgeHost = `${crypto.randomBytes(16).toString('hex')}.cloudfront.net`;
  const counters = { requests: 0, responses: 0, hits: 0, misses: 0, originFetches: 0, executionErrors: 0, validationErrors: 0, invocations: {} };

  /**
   * Invokes the function at `trigger` and interprets its result.
   * @returns {Promise<import('./function_result.mjs').FunctionResult | {kind: 'error', error: EdgeError}>}
   */
  async function runTrigger(trigger, ctx, request, response) {
    const eventRequest = trigger.startsWith('viewer-') ? viewerSideRequest(request) : request;
    counters.invocations[trigger] = (counters.invocations[trigger] ?? 0) + 1;
    const invocation = await invoke(functions[trigger], cloudFrontEvent(trigger, ctx, eventRequest, response), timeouts[trigger]);
    if (!invocation.ok) {
      counters.executionErrors += 1;
      log(`cloudfront: ${ctx.requestId} ${trigger} execution error (503): ${invocation.message}`);
      return { kind: 'error', error: executionError(trigger, invocation.message) };
    }
    const result = interpretResult(trigger, { request: eventRequest, response }, invocation.value);
    if (result.kind === 'invalid') {
      counters.validationErrors += 1;
      log(`cloudfront: ${ctx.requestId} ${trigger} validation error (502): ${result.reason}`);
      return { kind: 'error', error: validationError(trigger, result.reason) };
    }
    if (result.kind === 'request' && trigger === 'viewer-request') result.request = viewerSideRequest(result.request);
    for (const note of result.notes ?? []) log(`cloudfront: ${ctx.requestId} ${note}`);
    return result;
  }

  /** The request CloudFront sends toward the origin (what origin-request sees). @returns {CfRequest} */
  function originSideRequest(viewerRequest) {
    const headers = structuredClone(viewerRequest.headers);
    headers.host = [{ key: 'Host', value: origin.custom.domainName }];
    const via = [...headerValues(headers, 'via'), `1.1 ${edgeHost} (CloudFront)`].join(', ');
    headers.via = [{ key: 'Via', value: via }];
    const xff = [...headerValues(headers, 'x-forwarded-for'), viewerRequest.clientIp].join(', ');
    headers['x-forwarded-for'] = [{ key: 'X-Forwarded-For', value: xff }];
    headers['cloudfront-forwarded-proto'] = [{ key: 'CloudFront-Forwarded-Proto', value: 'http' }];
    const { clientIp, method, querystring, uri } = viewerRequest;
    return { clientIp, headers, method, origin: structuredClone(origin), querystring, uri };
  }

  /** @returns {Answer} */
  function fromCache(entry, nowMs) {
    const response = structuredClone(entry.response);
    response.headers.age = [{ key: 'Age', value: String(Math.max(0, Math.floor((nowMs - entry.storedAt) / 1000))) }];
    return { response, body: entry.body, xCache: entry.error ? 'Error' : 'Hit', viewerResponse: !entry.error };
  }

  /**
   * A miss: origin-request, the origin, origin-response, the cache store.
   * @param {{entry: import('./cache.mjs').CacheEntry, fresh: boolean} | undefined} stale
   * @returns {Promise<Answer>}
   */
  async function fromOrigin(ctx, viewerRequest, body, key, stale, nowMs) {
    counters.misses += 1;
    let request = originSideRequest(viewerRequest);
    const store = (response, responseBody) => {
      const ttl = ttlSeconds(request.method, response, policy, nowMs);
      if (ttl > 0) cache.store(key, { response, body: responseBody, storedAt: nowMs, error: Number(response.status) >= 400 }, ttl);
      else cache.delete(key);
    };
    if (functions['origin-request']) {
      const out = await runTrigger('origin-request', ctx, request);
      if (out.kind === 'error') return edgeAnswer(out.error, ctx.requestId);
      if (out.kind === 'response') {
        store(out.response, out.body);
        const ok = Number(out.response.status) < 400;
        return { response: structuredClone(out.response), body: out.body, xCache: ok ? 'LambdaGeneratedResponse' : 'Error', viewerResponse: ok };
      }
      request = out.request;
    }
    counters.originFetches += 1;
    const fetched = await originClient.fetch(request, body, ctx.requestId);
    if (!fetched.ok) {
      // No origin status to go by (nothing answered, origin-response does not run): whether
      // CloudFront runs viewer-response on the stale object then is not documented. It does
      // here; with no origin-response, no span can be closed twice.
      if (stale && !stale.entry.error) return serveStale(key, stale, nowMs, { viewerResponse: true });
      log(`cloudfront: ${ctx.requestId} origin error (${fetched.status}): ${fetched.reason}`);
      return edgeAnswer(originError(fetched.status, fetched.reason), ctx.requestId);
    }
    let response = {
      status: String(fetched.status),
      statusDescription: statusDescription(fetched.status, fetched.statusMessage),
      headers: headersFromRaw(fetched.rawHeaders, 'origin-response'),
    };
    let responseBody = fetched.body;
    if (functions['origin-response']) {
      const out = await runTrigger('origin-response', ctx, request, response);
      if (out.kind === 'error') return edgeAnswer(out.error, ctx.requestId);
      response = out.response;
      if (out.body) responseBody = out.body;
    }
    const status = Number(response.status);
    if (status >= 500 && stale && !stale.entry.error) return serveStale(key, stale, nowMs, { viewerResponse: false });
    store(response, responseBody);
    return { response: structuredClone(response), body: responseBody, xCache: status >= 400 ? 'Error' : 'Miss', viewerResponse: status < 400 };
  }

  /**
   * The object expired and its refresh failed: CloudFront keeps serving it for a while (X-Cache
   * for this case is not documented; the emulator says Hit).
   *
   * Whether viewer-response runs follows the ORIGIN's status, not the served 200: AWS (and
   * PLATFORM.md section 1) say viewer-response does not run when the origin returned >= 400,
   * and origin-response has already run for that 5xx (the edgetrace package closes the root
   * there, so running viewer-response as well would export the root twice). The stale object
   * therefore reaches the viewer as cached, untouched by any viewer-response function: what one
   * would add, change or remove does not happen, including edgetrace removing the
   * x-edgetrace-fill stamp its origin-response put on the object when it was cached. That is
   * what CloudFront does too.
   * @param {{viewerResponse: boolean}} decision  false when the origin answered >= 400
   * @returns {Answer}
   */
  function serveStale(key, stale, nowMs, { viewerResponse }) {
    cache.extend(key, nowMs, policy.errorCachingMinTtl);
    return { ...fromCache(stale.entry, nowMs), viewerResponse };
  }

  /** @returns {Promise<Answer>} */
  async function serve(req, body, requestId) {
    const ctx = { requestId, distribution };
    const target = req.url ?? '';
    if (!target.startsWith('/')) return edgeAnswer(requestError(400, 'request target must be a path'), requestId);
    const q = target.indexOf('?');
    /** @type {CfRequest} */
    let viewerRequest = {
      clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      headers: headersFromRaw(req.rawHeaders, 'viewer-request'),
      method: req.method,
      querystring: q < 0 ? '' : target.slice(q + 1),
      uri: q < 0 ? target : target.slice(0, q),
    };
    if (functions['viewer-request']) {
      const out = await runTrigger('viewer-request', ctx, viewerRequest);
      if (out.kind === 'error') return edgeAnswer(out.error, requestId);
      // Returned to the viewer as is: not cached, no viewer-response.
      if (out.kind === 'response') return { response: out.response, body: out.body, xCache: 'LambdaGeneratedResponse', viewerResponse: false };
      viewerRequest = out.request;
    }
    const nowMs = now();
    const key = cacheKey(viewerRequest);
    const cached = viewerRequest.method === 'GET' || viewerRequest.method === 'HEAD' ? cache.lookup(key, nowMs) : undefined;
    let answer;
    if (cached?.fresh) {
      counters.hits += 1;
      answer = fromCache(cached.entry, nowMs);
    } else answer = await fromOrigin(ctx, viewerRequest, body, key, cached, nowMs);

    // Decided where the answer was made, on the origin's status (see serveStale): the served
    // status can be a stale 200 after an origin 5xx.
    if (functions['viewer-response'] && answer.viewerResponse) {
      const out = await runTrigger('viewer-response', ctx, viewerRequest, answer.response);
      if (out.kind === 'error') return edgeAnswer(out.error, requestId);
      answer = { ...answer, response: out.response };
    }
    return answer;
  }

  /** One viewer request, start to end. */
  async function handle(req, res) {
    const started = performance.now();
    const requestId = newRequestId();
    counters.requests += 1;
    let answer;
    try {
      const body = await readBody(req, MAX_VIEWER_BODY);
      answer = body === null ? edgeAnswer(requestError(413, `request body over ${MAX_VIEWER_BODY} bytes`), requestId) : await serve(req, body, requestId);
    } catch (err) {
      log(`cloudfront: ${requestId} emulator error: ${err.stack ?? err}`);
      answer = edgeAnswer(requestError(500, `emulator error: ${err.message}`), requestId);
    }
    counters.responses += 1;
    if (res.destroyed) return;
    const sent = sendAnswer(res, req.method, answer, { edgeHost, requestId }, log);
    if (sent !== answer) counters.validationErrors += 1;
    onRequest({ requestId, method: req.method ?? '', uri: req.url ?? '', status: Number(sent.response.status), xCache: sent.xCache, ms: performance.now() - started });
  }

  // The listener's promise is nobody's: a throw left in it would be an unhandled rejection,
  // which ends the process (`make dev`). None is expected; this keeps the emulator up if one
  // comes anyway (an onRequest callback that throws, say).
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log(`cloudfront: emulator error after the response: ${err.stack ?? err}`);
      if (!res.headersSent) res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    distribution,
    cache,
    /** Request, cache and function counters since start (requests - responses = in flight). */
    counters: () => structuredClone(counters),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      originClient.close();
    },
  };
}

/** A response CloudFront makes itself (never seen by viewer-response). @returns {Answer} */
function edgeAnswer(/** @type {EdgeError} */ error, requestId) {
  const headers = {
    'content-type': [{ key: 'Content-Type', value: 'text/html' }],
    server: [{ key: 'Server', value: 'CloudFront' }],
  };
  return { response: { status: String(error.status), statusDescription: statusDescription(error.status), headers }, body: errorPage(error, requestId), xCache: error.xCache, viewerResponse: false };
}

/** Puts an answer on the wire, with CloudFront's own headers; throws what Node's http throws. */
function writeAnswer(res, method, /** @type {Answer} */ answer, /** @type {Via} */ via) {
  const raw = [];
  let headLength;
  for (const [name, list] of Object.entries(answer.response.headers)) {
    if (name === 'transfer-encoding' || name === 'connection') continue;
    if (name === 'content-length') {
      headLength = list[0]?.value;
      continue;
    }
    for (const { key, value } of list) raw.push(key ?? name, value);
  }
  const length = method === 'HEAD' && headLength !== undefined ? headLength : String(answer.body.length);
  raw.push('Content-Length', length, 'X-Cache', `${answer.xCache} from cloudfront`, 'Via', `1.1 ${via.edgeHost} (CloudFront)`, 'X-Amz-Cf-Pop', DEV_POP, 'X-Amz-Cf-Id', via.requestId);
  res.writeHead(Number(answer.response.status), answer.response.statusDescription || undefined, raw);
  res.end(method === 'HEAD' ? undefined : answer.body);
}

/**
 * Sends an answer so that no function result can take the emulator down: validation
 * (header_rules.mjs, function_result.mjs) rejects what Node's http refuses, and should a value
 * still get through, Node's throw ends here. Nothing sent yet: the viewer gets a 502
 * LambdaValidationError instead. Head already sent: the connection is cut, as a proxy does
 * when a response breaks off.
 * @param {import('node:http').ServerResponse} res
 * @param {string | undefined} method
 * @param {Answer} answer
 * @param {Via} via
 * @param {(line: string) => void} [log]
 * @returns {Answer} what the viewer got
 */
export function sendAnswer(res, method, answer, via, log = () => {}) {
  let refused;
  try {
    writeAnswer(res, method, answer, via);
    return answer;
  } catch (err) {
    refused = err;
  }
  log(`cloudfront: ${via.requestId} response not sendable (${res.headersSent ? 'connection cut' : '502'}): ${refused.message}`);
  if (res.headersSent) {
    res.destroy();
    return answer;
  }
  const fallback = edgeAnswer(unsendableError(refused.message), via.requestId);
  try {
    writeAnswer(res, method, fallback, via);
  } catch {
    res.destroy(); // the emulator's own page failed too: nothing left to say
  }
  return fallback;
}

/** @returns {Promise<Buffer | null>} null when over `limit` */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
