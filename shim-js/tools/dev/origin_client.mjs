// The emulator's side of the origin fetch: sends the request as CloudFront would (the
// origin-request result plus the custom origin's path and custom headers, and X-Amz-Cf-Id,
// which no function sees), buffers the answer, and maps failures as CloudFront does: no
// connection after the origin's connection attempts (3, CloudFront's default) -> 502, no answer
// within the origin's response timeout (readTimeout) -> 504. A kept-alive connection the origin
// closed just as it was reused counts as a failed connection attempt.
// Only loopback origins are reached: the emulator is a laptop tool, not a proxy to the world.
import http from 'node:http';
import https from 'node:https';
import { rawFromHeaders } from './events.mjs';

/** Largest origin body the emulator buffers (and caches); larger answers become a 502. */
export const MAX_ORIGIN_BODY = 32 * 1024 * 1024;
/** CloudFront's default "connection attempts" for an origin. */
export const CONNECTION_ATTEMPTS = 3;
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * @typedef {{ok: true, status: number, statusMessage: string, rawHeaders: string[], body: Buffer}
 *   | {ok: false, status: 502 | 504, reason: string}} OriginAnswer
 */

export function isLoopbackHost(hostname) {
  return LOOPBACK.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export class OriginClient {
  constructor() {
    // CloudFront keeps connections to the origin alive (origin keepaliveTimeout).
    this.agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };
  }

  /**
   * @param {import('./events.mjs').CfRequest} request  as it leaves origin-request
   * @param {Buffer} body  the viewer's request body
   * @param {string} requestId  sent as X-Amz-Cf-Id
   * @returns {Promise<OriginAnswer>}
   */
  async fetch(request, body, requestId) {
    let answer;
    for (let attempt = 1; attempt <= CONNECTION_ATTEMPTS; attempt++) {
      answer = await this.attempt(request, body, requestId);
      if (answer.ok || !answer.retryable) break;
    }
    const { retryable: _retryable, ...rest } = answer;
    return rest;
  }

  /** One connection attempt. @returns {Promise<OriginAnswer & {retryable?: boolean}>} */
  attempt(request, body, requestId) {
    const origin = request.origin?.custom;
    if (!origin) return Promise.resolve({ ok: false, status: 502, reason: 'the emulator only reaches custom origins' });
    if (!isLoopbackHost(origin.domainName)) {
      return Promise.resolve({ ok: false, status: 502, reason: `origin ${origin.domainName} is not a loopback address` });
    }
    // The body is re-sent whole, so its framing headers are the emulator's, not the viewer's.
    const { 'content-length': _length, 'transfer-encoding': _encoding, ...forwarded } = request.headers;
    const raw = [...rawFromHeaders(forwarded), ...rawFromHeaders(origin.customHeaders ?? {}), 'X-Amz-Cf-Id', requestId];
    if (body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(request.method)) raw.push('Content-Length', String(body.length));
    const transport = origin.protocol === 'https' ? https : http;
    const timeoutMs = (origin.readTimeout ?? 30) * 1000;
    const path = `${origin.path ?? ''}${request.uri}${request.querystring ? `?${request.querystring}` : ''}`;

    return new Promise((resolve) => {
      let done = false;
      const finish = (answer) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const req = transport.request({
        host: origin.domainName,
        port: origin.port,
        method: request.method,
        path,
        headers: raw,
        agent: this.agents[origin.protocol === 'https' ? 'https' : 'http'],
        rejectUnauthorized: false, // loopback dev origins use self-signed certificates
      });
      const timer = setTimeout(() => {
        finish({ ok: false, status: 504, reason: `origin did not answer within ${timeoutMs / 1000} s` });
        req.destroy();
      }, timeoutMs);
      let answered = false;
      req.on('error', (err) =>
        finish({ ok: false, status: 502, reason: `origin connection failed: ${err.code ?? err.message}`, retryable: !answered && CONNECTION_ERRORS.has(err.code) }),
      );
      req.on('response', (res) => {
        answered = true;
        const chunks = [];
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.length;
          if (size > MAX_ORIGIN_BODY) {
            finish({ ok: false, status: 502, reason: `origin body larger than ${MAX_ORIGIN_BODY} bytes` });
            res.destroy();
          } else chunks.push(chunk);
        });
        res.on('error', (err) => finish({ ok: false, status: 502, reason: `origin response failed: ${err.code ?? err.message}` }));
        res.on('end', () =>
          finish({ ok: true, status: res.statusCode ?? 502, statusMessage: res.statusMessage ?? '', rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
        );
      });
      req.end(body.length ? body : undefined);
    });
  }

  close() {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
