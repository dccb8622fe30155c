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
// How a request fails when it went out on a pooled keep-alive socket that the other end had
// already closed (EPIPE, ECONNRESET; "socket hang up" is ECONNRESET too).
const STALE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
// Past this idle time a pooled socket is not reused (see forgetSocketsIdleSince). Node's own
// agent gives up 1 s before a server's Keep-Alive hint; Node servers close after 5 s.
const MAX_SOCKET_IDLE_MS = 4000;

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

/**
 * How one export ended: `reason` null means delivered; otherwise the drop reason and its detail.
 * `status` is the collector's HTTP status when it answered.
 * @typedef {{reason: string|null, detail?: string, status?: number, retryAfter?: string}} Outcome
 */

/** exporter.mode "otlp-http": POST {endpoint}/v1/traces, awaited within timeoutMs. */
class OtlpHttpExporter {
  enabled = true;

  constructor(settings, stats) {
    this.stats = stats;
    this.url = new URL(settings.url);
    this.timeoutMs = settings.timeoutMs;
    this.transport = null;
    this.headers = { ...settings.headers, 'content-type': 'application/json' };
    /** Configured header values (credentials, often): never to appear in a log line. */
    this.secrets = Object.values(settings.headers ?? {}).filter((value) => typeof value === 'string' && value !== '');
    this.backoffUntil = 0;
    this.backoffCause = '';
    this.droppedInWindow = 0;
    this.consecutiveFailures = 0;
    /** Wall time the last export ended (0: none yet); its socket has been idle since. */
    this.lastExportEnd = 0;
  }

  /**
   * Resolves (never rejects, never throws) once the spans are accounted for.
   * @param {string} body  OTLP JSON, pure ASCII (the module escapes everything else)
   * @param {number} [spanCount]  spans in the body
   * @returns {Promise<void>}
   */
  export(body, spanCount = 1) {
    const now = Date.now();
    if (now < this.backoffUntil) {
      this.dropInBackoff(now, spanCount);
      return Promise.resolve();
    }
    this.endBackoffWindow();
    this.forgetSocketsIdleSince(now);
    return new Promise((resolve) => new Delivery(this, body, resolve)).then(
      (outcome) => this.account(outcome, spanCount),
      (err) => this.account(exporterError(err, this), spanCount),
    );
  }

  /** One line per back-off window, then silent counting; the total follows when it ends. */
  dropInBackoff(now, spanCount) {
    if (this.droppedInWindow === 0) {
      this.stats.recordDropped('collector_backoff', `backing off from ${this.url.href} for ${this.backoffUntil - now} ms more: ${this.backoffCause}; further drops until then are counted and summarised`, spanCount);
    } else {
      this.stats.countDropped('collector_backoff', spanCount);
    }
    this.droppedInWindow += spanCount;
  }

  endBackoffWindow() {
    if (this.droppedInWindow > 1) {
      this.stats.log(`edgetrace: dropped ${this.droppedInWindow} spans without sending while backing off from ${this.url.href} [reason=collector_backoff sampled=${this.stats.sampled} exported=${this.stats.exported} dropped=${this.stats.dropped}]`);
    }
    this.droppedInWindow = 0;
  }

  /**
   * Lambda freezes the sandbox between invocations, and no timer (the agent's keep-alive
   * bookkeeping included) runs while it is frozen: a pooled socket may have been closed by the
   * collector, a load balancer or a NAT long ago without this process having seen the FIN.
   * Past a few idle seconds, open a new connection rather than bet the export on an old one.
   */
  forgetSocketsIdleSince(now) {
    if (this.lastExportEnd !== 0 && now - this.lastExportEnd > MAX_SOCKET_IDLE_MS) this.closeIdleSockets();
  }

  /** Destroys the agent's pooled sockets (never those carrying a request), so the next request connects anew. */
  closeIdleSockets() {
    const agent = this.transport?.agent;
    if (!agent) return;
    // The agent skips destroyed free sockets and forgets them on 'close'.
    for (const sockets of Object.values(agent.freeSockets)) for (const socket of [...sockets]) socket.destroy();
  }

  /** @param {Outcome} outcome  @param {number} spanCount */
  account(outcome, spanCount) {
    this.lastExportEnd = Date.now();
    if (outcome.reason === null) {
      this.consecutiveFailures = 0;
      this.stats.recordExported(spanCount);
      return;
    }
    if (RETRYABLE.has(outcome.status)) this.backOff(outcome.retryAfter, outcome.status);
    this.stats.recordDropped(outcome.reason, outcome.detail, spanCount);
    if (CONNECTIVITY_FAILURES.has(outcome.reason)) this.backOffAfterFailure(outcome.detail);
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

/**
 * One export: one deadline (exporter.timeoutMs, from the transport load to the answer, a retry
 * included), at most two requests, exactly one Outcome.
 */
class Delivery {
  /**
   * @param {OtlpHttpExporter} exporter
   * @param {string} body
   * @param {(outcome: Outcome) => void} resolve
   */
  constructor(exporter, body, resolve) {
    this.exporter = exporter;
    this.body = body;
    this.resolve = resolve;
    /** @type {import('node:http').ClientRequest | null} the request in flight */
    this.req = null;
    this.retried = false;
    this.settled = false;
    this.timer = setTimeout(() => this.onTimeout(), exporter.timeoutMs);
    this.send();
  }

  send() {
    const { url, headers } = this.exporter;
    let req = null;
    // Anything thrown while building the request (a header value Node refuses, say) must end
    // this export as a counted drop: thrown from here it would reject the user's invocation.
    try {
      const { request, agent } = this.exporter.connection();
      req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': this.body.length } }); // ASCII: chars = bytes
      this.req = req;
      req.on('error', (err) => this.onRequestError(req, err));
      req.on('response', (res) => this.onResponse(res));
      req.end(this.body, 'latin1');
    } catch (err) {
      req?.destroy();
      this.settle(exporterError(err, this.exporter));
    }
  }

  onRequestError(req, err) {
    if (req !== this.req) return;
    if (!this.retried && req.reusedSocket && STALE_SOCKET_ERRORS.has(err?.code)) return this.retryOnFreshConnection();
    this.settle({ reason: 'collector_unreachable', detail: `POST ${this.exporter.url.href} failed: ${errorName(err)}${this.retryNote()}` });
  }

  /**
   * The pooled connection the request went out on had been closed by the other end while idle
   * (the collector never saw the request): not a sign of a collector in trouble, so it neither
   * counts nor backs off. Its idle siblings are as old: drop them all, and connect anew.
   */
  retryOnFreshConnection() {
    this.retried = true;
    this.exporter.closeIdleSockets();
    this.send();
  }

  /** @param {import('node:http').IncomingMessage} res */
  onResponse(res) {
    const status = res.statusCode ?? 0;
    /** @type {Outcome} */
    const answered =
      status >= 200 && status < 300
        ? { reason: null }
        : { reason: `collector_http_${status}`, detail: `collector answered HTTP ${status}`, status, retryAfter: res.headers['retry-after'] };
    let size = 0;
    res.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_RESPONSE_BYTES) return;
      // The status already says what became of the spans (a 2xx: delivered); an answer this
      // long is not worth reading, nor its socket worth keeping.
      this.settle(answered);
      res.destroy();
    });
    res.on('error', (err) => this.settle({ reason: 'collector_unreachable', detail: `reading the collector's answer failed: ${errorName(err)}` }));
    res.on('aborted', () => this.settle({ reason: 'collector_unreachable', detail: 'collector closed the connection mid-response' }));
    res.on('end', () => this.settle(answered));
  }

  onTimeout() {
    this.settle({ reason: 'collector_timeout', detail: `collector ${this.exporter.url.href} did not answer within ${this.exporter.timeoutMs} ms${this.retryNote()}` });
    this.req?.destroy();
  }

  retryNote() {
    return this.retried ? ' (on a new connection: the pooled one had been closed while idle)' : '';
  }

  /** @param {Outcome} outcome  the first one wins; later events of this export are ignored */
  settle(outcome) {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(outcome);
  }
}

/** @returns {Outcome} a drop for an export that failed inside edgetrace, before or while sending */
function exporterError(err, exporter) {
  return { reason: 'exporter_error', detail: `could not send to ${exporter.url.href}: ${errorName(err)}: ${redact(err?.message, exporter.secrets)}` };
}

function errorName(err) {
  return err?.code ?? err?.message ?? String(err);
}

/** Node quotes offending header values in some messages: keep exporter credentials out of the log. */
function redact(message, secrets) {
  let text = String(message ?? '');
  for (const secret of secrets) text = text.split(secret).join('<redacted>');
  return text;
}
