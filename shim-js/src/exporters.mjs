// Where finished spans go. Every exporter resolves (never rejects) within its budget and
// accounts for each span as exported or dropped in SpanStats.
import { createRequire } from 'node:module';

const MAX_RESPONSE_BYTES = 64 * 1024;

// node:http/https (and the tls, net and stream internals behind them) take ~10 ms to load.
// Loading them at the first export keeps them out of cold start, and out of sandboxes that
// only ever see request triggers. process.getBuiltinModule exists from Node 20.16 / 22.3.
const builtin = process.getBuiltinModule ?? createRequire(import.meta.url);
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_BACKOFF_MS = 60_000;
// A collector that is down or slower than the budget would otherwise cost every sampled
// request a connection attempt or the whole budget: back off, doubling while it stays so.
const FAILURE_BACKOFF_MS = 1000;
const MAX_FAILURE_BACKOFF_MS = 30_000;
const CONNECTIVITY_FAILURES = new Set(['collector_timeout', 'collector_unreachable']);

/**
 * @param {{mode: string, url?: string, headers: Record<string,string>, timeoutMs: number}} settings
 * @param {import('./span_stats.mjs').SpanStats} stats
 * @param {(line: string) => void} log
 */
export function createExporter(settings, stats, log) {
  if (settings.mode === 'otlp-http') return new OtlpHttpExporter(settings, stats);
  if (settings.mode === 'log') return new LogExporter(stats, log);
  return new NoExporter();
}

/** exporter.mode "none": context propagation only, no spans are built. */
class NoExporter {
  enabled = false;
  async export() {}
}

/** exporter.mode "log": one OTLP JSON line on stdout for asynchronous forwarding. */
class LogExporter {
  enabled = true;
  constructor(stats, log) {
    this.stats = stats;
    this.log = log;
  }
  async export(body, spanCount = 1) {
    this.log(body);
    this.stats.recordExported(spanCount);
  }
}

/** exporter.mode "otlp-http": POST {endpoint}/v1/traces, awaited within timeoutMs. */
class OtlpHttpExporter {
  enabled = true;

  constructor(settings, stats) {
    this.stats = stats;
    this.url = new URL(settings.url);
    this.timeoutMs = settings.timeoutMs;
    this.transport = null;
    this.headers = { ...settings.headers, 'content-type': 'application/json' };
    this.backoffUntil = 0;
    this.backoffCause = '';
    this.droppedInWindow = 0;
    this.consecutiveFailures = 0;
  }

  /**
   * @param {string} body  OTLP JSON, pure ASCII (the module escapes everything else)
   * @param {number} [spanCount]  spans in the body
   */
  export(body, spanCount = 1) {
    const now = Date.now();
    if (now < this.backoffUntil) {
      // One line per back-off window, then silent counting; the total follows when it ends.
      if (this.droppedInWindow === 0) {
        this.stats.recordDropped('collector_backoff', `backing off from ${this.url.href} for ${this.backoffUntil - now} ms more: ${this.backoffCause}; further drops until then are counted and summarised`, spanCount);
      } else {
        this.stats.countDropped('collector_backoff', spanCount);
      }
      this.droppedInWindow += spanCount;
      return Promise.resolve();
    }
    if (this.droppedInWindow > 1) {
      this.stats.log(`edgetrace: dropped ${this.droppedInWindow} spans without sending while backing off from ${this.url.href} [reason=collector_backoff sampled=${this.stats.sampled} exported=${this.stats.exported} dropped=${this.stats.dropped}]`);
    }
    this.droppedInWindow = 0;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (reason, detail) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (reason === null) {
          this.consecutiveFailures = 0;
          this.stats.recordExported(spanCount);
        } else {
          this.stats.recordDropped(reason, detail, spanCount);
          if (CONNECTIVITY_FAILURES.has(reason)) this.backOffAfterFailure(detail);
        }
        resolve();
      };
      // The budget covers everything from here, the first export's transport load included.
      let req = null;
      const timer = setTimeout(() => {
        finish('collector_timeout', `collector ${this.url.href} did not answer within ${this.timeoutMs} ms`);
        req?.destroy();
      }, this.timeoutMs);
      const { request, agent } = this.connection();
      req = request(this.url, {
        method: 'POST',
        agent,
        headers: { ...this.headers, 'content-length': body.length }, // ASCII: chars = bytes
      });
      req.on('error', (err) => finish('collector_unreachable', `POST ${this.url.href} failed: ${err.code ?? err.message}`));
      req.on('response', (res) => {
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('error', (err) => finish('collector_unreachable', `reading the collector's answer failed: ${err.code ?? err.message}`));
        res.on('aborted', () => finish('collector_unreachable', 'collector closed the connection mid-response'));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return finish(null);
          if (RETRYABLE.has(status)) this.backOff(res.headers['retry-after'], status);
          finish(`collector_http_${status}`, `collector answered HTTP ${status}`);
        });
      });
      req.end(body, 'latin1');
    });
  }

  connection() {
    if (this.transport === null) {
      const transport = builtin(this.url.protocol === 'https:' ? 'node:https' : 'node:http');
      // Keep-alive saves a TCP (and TLS) handshake on every warm invocation.
      this.transport = { request: transport.request, agent: new transport.Agent({ keepAlive: true, maxSockets: 8 }) };
    }
    return this.transport;
  }

  backOff(retryAfter, status) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_BACKOFF_MS) : 1000;
    this.backoffUntil = Date.now() + ms;
    this.backoffCause = `collector answered HTTP ${status}`;
  }

  backOffAfterFailure(detail) {
    const ms = Math.min(FAILURE_BACKOFF_MS * 2 ** this.consecutiveFailures, MAX_FAILURE_BACKOFF_MS);
    this.consecutiveFailures++;
    this.backoffUntil = Date.now() + ms;
    this.backoffCause = detail;
  }
}
