// Sample viewer traffic for `edgetrace traffic` and the end-to-end test: a fixed, repeating mix
// against the sample origin's routes so that one run shows every path through the emulator
// (traces as `edgetrace dev` deploys the package, at all four triggers):
//   /                  max-age=30  -> one miss, then hits (each a trace: the edge root alone,
//                                     cache status "hit", linked to the miss that filled it)
//   /api/items?page=N  no-store    -> a miss every time (edge root, origin fetch, origin spans)
//   /status/404        origin 404  -> a miss, then cached-error hits for 10 s (no trigger after
//                                     viewer-request runs on those: no trace, a CloudFront limit)
//   /status/503        origin 503  -> a miss (span status ERROR), then cached-error hits
// Every tenth request (an /api/items miss) carries a client `traceparent`, continued when
// propagation.trustIncoming is on. Requests go out a few at a time; the count is bounded.

/** The mix, in order: the 404 and the 503 come early so that even --count 4 shows them. */
export const TRAFFIC_PATTERN = ['/', '/api/items?page={i}', '/status/404', '/status/503', '/', '/api/items?page={i}&limit=5', '/', '/', '/api/items?page={i}', '/'];
export const MAX_COUNT = 100_000;
const CLIENT_TRACEPARENT = (i) => `00-${(0x4bf92f35 + i).toString(16).padStart(8, '0')}77b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`;

/**
 * @typedef {{i: number, path: string, status: number, xCache: string, cfId: string, traceparent?: string, ms: number}
 *   | {i: number, path: string, error: string, ms: number}} TrafficResult
 */

/** The i-th request path of the mix. */
export function trafficPath(i) {
  return TRAFFIC_PATTERN[i % TRAFFIC_PATTERN.length].replace('{i}', String(i));
}

/**
 * Sends `count` requests to the emulator, `concurrency` at a time.
 * @param {{url: string, count?: number, concurrency?: number, timeoutMs?: number}} options
 * @returns {Promise<TrafficResult[]>} in request order
 */
export async function sendTraffic({ url, count = 50, concurrency = 4, timeoutMs = 35_000 }) {
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new Error(`count must be an integer from 1 to ${MAX_COUNT}`);
  const base = url.replace(/\/+$/, '');
  /** @type {TrafficResult[]} */
  const results = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      const path = trafficPath(i);
      const traceparent = i % TRAFFIC_PATTERN.length === 5 ? CLIENT_TRACEPARENT(i) : undefined;
      const started = performance.now();
      try {
        const res = await fetch(base + path, { headers: traceparent ? { traceparent } : {}, signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer();
        results[i] = {
          i, path, status: res.status, xCache: (res.headers.get('x-cache') ?? '').replace(/ from cloudfront$/, ''),
          cfId: res.headers.get('x-amz-cf-id') ?? '', traceparent, ms: performance.now() - started,
        };
      } catch (err) {
        results[i] = { i, path, error: err.cause?.code ?? err.message, ms: performance.now() - started };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** A short table: requests per route, status and X-Cache. */
export function summarizeTraffic(results) {
  const rows = new Map();
  for (const r of results) {
    const route = r.path.replace(/\?.*$/, '');
    const key = 'error' in r ? `${route}  error ${r.error}` : `${route}  ${r.status} ${r.xCache}`;
    rows.set(key, (rows.get(key) ?? 0) + 1);
  }
  const width = Math.max(...[...rows.keys()].map((k) => k.length));
  return [...rows.entries()].sort().map(([k, n]) => `  ${k.padEnd(width)}  x${n}`).join('\n');
}
