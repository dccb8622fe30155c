// The edge cache: how long CloudFront keeps a response (its TTL rules) and a bounded in-memory
// store keyed like a cache policy that includes method, Host, path and the whole query string
// (no headers, no cookies).
//
// TTL rules (CloudFront Developer Guide, "Managing how long content stays in the cache" and
// "How CloudFront processes HTTP 4xx and 5xx status codes from your origin"):
//   * only GET and HEAD responses are cached;
//   * status < 400: `no-store`, `no-cache` or `private` -> minimum TTL (0 by default: not
//     cached); else `s-maxage`, then `max-age`, then `Expires`, clamped to [min, max] TTL;
//     nothing -> default TTL;
//   * 404, 405, 414, 500, 501, 502, 503, 504 are always cached, for max(error caching minimum
//     TTL (10 s), max-age / s-maxage); 400, 403, 412, 415 only when the origin sent max-age or
//     s-maxage; other errors are not cached;
//   * an expired object whose refresh gets a 5xx from the origin is served stale for the error
//     caching minimum TTL.

/** @typedef {import('./events.mjs').CfResponse} CfResponse */
/**
 * @typedef {{defaultTtl: number, minTtl: number, maxTtl: number, errorCachingMinTtl: number}} CachePolicy
 * @typedef {{response: CfResponse, body: Buffer, storedAt: number, expiresAt: number, error: boolean}} CacheEntry
 */

/** CloudFront's defaults (seconds): the managed CachingOptimized policy's TTLs. */
export const DEFAULT_POLICY = Object.freeze({ defaultTtl: 86400, minTtl: 0, maxTtl: 31536000, errorCachingMinTtl: 10 });

const ALWAYS_CACHED_ERRORS = new Set([404, 405, 414, 500, 501, 502, 503, 504]);
const CACHED_ERRORS_WITH_MAX_AGE = new Set([400, 403, 412, 415]);

/** Cache-Control directives: {name: value|true}, names lowercased. */
export function parseCacheControl(headers) {
  const out = {};
  for (const { value } of headers?.['cache-control'] ?? []) {
    for (const part of value.split(',')) {
      const [rawName, ...rest] = part.split('=');
      const name = rawName.trim().toLowerCase();
      if (!name) continue;
      out[name] = rest.length ? rest.join('=').trim().replace(/^"|"$/g, '') : true;
    }
  }
  return out;
}

function seconds(value) {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return null;
  return Number(value);
}

function clamp(ttl, policy) {
  return Math.min(Math.max(ttl, policy.minTtl), policy.maxTtl);
}

/**
 * Seconds CloudFront keeps this response (0 = not cached).
 * @param {string} method
 * @param {CfResponse} response  as it leaves origin-response (its headers are cached with it)
 * @param {CachePolicy} [policy]
 * @param {number} [nowMs]
 */
export function ttlSeconds(method, response, policy = DEFAULT_POLICY, nowMs = Date.now()) {
  if (method !== 'GET' && method !== 'HEAD') return 0;
  const status = Number(response.status);
  const cc = parseCacheControl(response.headers);
  const maxAge = seconds(cc['s-maxage']) ?? seconds(cc['max-age']);
  if (status >= 400) {
    if (ALWAYS_CACHED_ERRORS.has(status)) return Math.max(policy.errorCachingMinTtl, maxAge ?? 0);
    if (CACHED_ERRORS_WITH_MAX_AGE.has(status) && maxAge !== null) return Math.max(policy.errorCachingMinTtl, maxAge);
    return 0;
  }
  if (cc['no-store'] || cc['no-cache'] || cc.private) return policy.minTtl;
  if (maxAge !== null) return clamp(maxAge, policy);
  const expires = Date.parse(response.headers?.expires?.[0]?.value ?? '');
  if (Number.isFinite(expires)) {
    const date = Date.parse(response.headers?.date?.[0]?.value ?? '');
    const base = Number.isFinite(date) ? date : nowMs;
    return clamp(Math.max(0, Math.floor((expires - base) / 1000)), policy);
  }
  return policy.defaultTtl;
}

/** The cache key of a request after viewer-request (what CloudFront looks up). */
export function cacheKey(request) {
  const host = request.headers.host?.[0]?.value ?? '';
  return `${request.method} ${host}${request.uri}?${request.querystring}`;
}

/** Bounded store: least recently used entries go first when either bound is reached. */
export class EdgeCache {
  /** @param {{maxEntries?: number, maxBytes?: number}} [bounds] */
  constructor({ maxEntries = 10_000, maxBytes = 256 * 1024 * 1024 } = {}) {
    /** @type {Map<string, CacheEntry>} */
    this.entries = new Map();
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.bytes = 0;
  }

  /** @returns {{entry: CacheEntry, fresh: boolean} | undefined} expired entries are returned too (stale) */
  lookup(key, nowMs) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key); // re-insert: most recently used last
    this.entries.set(key, entry);
    return { entry, fresh: nowMs < entry.expiresAt };
  }

  /** @param {string} key @param {Omit<CacheEntry, 'expiresAt'>} value @param {number} ttl seconds (> 0) */
  store(key, value, ttl) {
    this.delete(key);
    const entry = { ...value, expiresAt: value.storedAt + ttl * 1000 };
    if (entry.body.length > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.body.length;
    }
  }

  /** Serves an expired entry for `ttl` more seconds (origin answered 5xx on refresh). */
  extend(key, nowMs, ttl) {
    const entry = this.entries.get(key);
    if (entry) entry.expiresAt = nowMs + ttl * 1000;
  }

  delete(key) {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.bytes -= old.body.length;
  }

  clear() {
    this.entries.clear();
    this.bytes = 0;
  }

  get size() {
    return this.entries.size;
  }
}
