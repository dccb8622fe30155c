// CloudFront Lambda@Edge events for the Node harness: fixture loading (public samples from
// ../shared/fixtures-public and our own tests/fixtures/events), deep-clone and header helpers,
// builders for the origin-request / origin-response events of ONE viewer request (same
// requestId), and a fake Lambda context.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
/** Public sample events (shared/ sits beside the repository, locally and in CI). */
export const PUBLIC_FIXTURES_DIR = process.env.EDGETRACE_PUBLIC_FIXTURES_DIR
  ? path.resolve(process.env.EDGETRACE_PUBLIC_FIXTURES_DIR)
  : path.resolve(REPO_ROOT, '../shared/fixtures-public');
export const OWN_FIXTURES_DIR = path.join(REPO_ROOT, 'tests/fixtures/events');

/** Headers edgetrace may add/replace on origin-request; everything else must be left alone. */
export const TRACE_HEADERS = ['traceparent', 'tracestate', 'x-edgetrace-ctx'];

// `sam local generate-event cloudfront <name>` fills these in by default
// (samcli/lib/generated_sample_events/event-mapping.json); see fixtures-public/SOURCES.md.
const SAM_PLACEHOLDERS = [
  ['{{{uri}}}', '/test'],
  ['{{{method}}}', 'GET'],
];

export function clone(value) {
  return structuredClone(value);
}

/** Reads a fixture file, substituting the SAM CLI mustache placeholders. */
export function loadEvent(file) {
  let text = fs.readFileSync(file, 'utf8');
  for (const [from, to] of SAM_PLACEHOLDERS) text = text.split(from).join(to);
  return JSON.parse(text);
}

function listJson(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJson(full));
    else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out.sort();
}

/** @returns {{file: string, name: string, source: 'public'|'own', event: object}[]} */
export function loadFixtures({ includePublic = true, includeOwn = true } = {}) {
  const out = [];
  if (includePublic) {
    for (const file of listJson(PUBLIC_FIXTURES_DIR)) {
      out.push({ file, name: path.relative(PUBLIC_FIXTURES_DIR, file), source: 'public', event: loadEvent(file) });
    }
  }
  if (includeOwn) {
    for (const file of listJson(OWN_FIXTURES_DIR)) {
      out.push({ file, name: path.relative(OWN_FIXTURES_DIR, file), source: 'own', event: loadEvent(file) });
    }
  }
  return out;
}

export function publicFixturesAvailable() {
  return listJson(PUBLIC_FIXTURES_DIR).length > 0;
}

/** Records[0].cf of an event, or undefined for events that do not have that shape. */
export function cfOf(event) {
  return event?.Records?.[0]?.cf;
}

export function eventTypeOf(event) {
  return cfOf(event)?.config?.eventType;
}

// ---------------------------------------------------------------------------------------------
// Headers in CloudFront's shape: { lowercase-name: [{ key, value }, ...] }

export function headerValues(headers, name) {
  const list = headers?.[name.toLowerCase()];
  return Array.isArray(list) ? list.map((e) => e?.value) : [];
}

/** The single value of a header (undefined when absent; throws when multi-valued). */
export function headerValue(headers, name) {
  const values = headerValues(headers, name);
  if (values.length > 1) throw new Error(`header ${name} has ${values.length} values: ${JSON.stringify(values)}`);
  return values[0];
}

export function setHeader(headers, name, value, key = name) {
  headers[name.toLowerCase()] = (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: v }));
  return headers;
}

/** A copy of a request without the headers edgetrace owns (for "unchanged apart from" checks). */
export function withoutTraceHeaders(request) {
  const copy = clone(request);
  if (copy && typeof copy.headers === 'object' && copy.headers !== null) {
    for (const name of TRACE_HEADERS) delete copy.headers[name];
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Builders

/** A CloudFront-style request id: 56 base64url-ish characters ending in "==". */
export function newRequestId(rng = crypto.randomBytes) {
  return rng(40).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').slice(0, 54) + '==';
}

export const DEFAULT_DISTRIBUTION = {
  distributionDomainName: 'd2x8k4qw7zv3np.cloudfront.net',
  distributionId: 'E2QWRUHAPOMQZL',
};

const BASE_VIEWER_HEADERS = {
  host: [{ key: 'Host', value: 'origin.example.com' }],
  'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' }],
  accept: [{ key: 'Accept', value: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }],
  'accept-encoding': [{ key: 'Accept-Encoding', value: 'gzip, deflate, br' }],
  via: [{ key: 'Via', value: '2.0 3f5c1d27a8b94e60c2d1f0e9a8b7c6d5.cloudfront.net (CloudFront)' }],
  'x-forwarded-for': [{ key: 'X-Forwarded-For', value: '192.0.2.44' }],
  'cloudfront-forwarded-proto': [{ key: 'CloudFront-Forwarded-Proto', value: 'https' }],
};

export const CUSTOM_ORIGIN = {
  custom: {
    customHeaders: {},
    domainName: 'origin.example.com',
    keepaliveTimeout: 5,
    path: '',
    port: 443,
    protocol: 'https',
    readTimeout: 30,
    sslProtocols: ['TLSv1.2'],
  },
};

export const S3_ORIGIN = {
  s3: {
    authMethod: 'origin-access-identity',
    customHeaders: {},
    domainName: 'assets-example-bucket.s3.amazonaws.com',
    path: '',
    region: 'us-east-1',
  },
};

/**
 * An origin-request event. Every option can be overridden; `headers` REPLACES the default set
 * when given, `extraHeaders` is merged over it.
 */
export function originRequestEvent({
  requestId = newRequestId(),
  distributionId = DEFAULT_DISTRIBUTION.distributionId,
  distributionDomainName = DEFAULT_DISTRIBUTION.distributionDomainName,
  clientIp = '192.0.2.44',
  method = 'GET',
  uri = '/products/trail-shoe',
  querystring = 'color=blue&size=42',
  headers,
  extraHeaders = {},
  origin = CUSTOM_ORIGIN,
} = {}) {
  return {
    Records: [
      {
        cf: {
          config: { distributionDomainName, distributionId, eventType: 'origin-request', requestId },
          request: {
            clientIp,
            headers: { ...clone(headers ?? BASE_VIEWER_HEADERS), ...clone(extraHeaders) },
            method,
            origin: clone(origin),
            querystring,
            uri,
          },
        },
      },
    ],
  };
}

/**
 * The origin-response event of the same viewer request: same config (eventType changed), the
 * request AS SENT TO THE ORIGIN (i.e. what origin-request returned, trace headers included),
 * and the origin's response.
 */
export function originResponseEvent(originRequest, forwardedRequest, {
  status = '200',
  statusDescription = 'OK',
  headers = {
    'content-type': [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }],
    'content-length': [{ key: 'Content-Length', value: '5120' }],
    date: [{ key: 'Date', value: 'Sat, 22 Nov 2025 10:00:00 GMT' }],
    server: [{ key: 'Server', value: 'nginx' }],
    'cache-control': [{ key: 'Cache-Control', value: 'public, max-age=300' }],
  },
} = {}) {
  const cf = cfOf(originRequest);
  return {
    Records: [
      {
        cf: {
          config: { ...clone(cf.config), eventType: 'origin-response' },
          request: clone(forwardedRequest),
          response: { headers: clone(headers), status, statusDescription },
        },
      },
    ],
  };
}

/** Builds the origin-response event of a request fixture from a response fixture. */
export function pairResponse(responseFixture, forwardedRequest, originRequest) {
  const ev = clone(responseFixture);
  const cf = cfOf(ev);
  cf.request = clone(forwardedRequest);
  if (originRequest) cf.config = { ...clone(cfOf(originRequest).config), eventType: 'origin-response' };
  return ev;
}

let invocation = 0;
/** A fake Lambda context as Lambda@Edge passes it (function name carries the us-east-1 prefix). */
export function fakeContext(overrides = {}) {
  invocation += 1;
  const functionName = overrides.functionName ?? 'us-east-1.edgetrace-origin';
  const deadline = Date.now() + 30_000;
  return {
    awsRequestId: crypto.randomUUID(),
    functionName,
    functionVersion: '7',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName.replace(/^us-east-1\./, '')}:7`,
    memoryLimitInMB: '128',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2025/11/22/[7]${crypto.randomBytes(16).toString('hex')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    invocation,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// traceparent helpers

export const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses an edgetrace-EMITTED traceparent (strict: version 00, lowercase, non-zero ids). */
export function parseEmittedTraceparent(value) {
  const m = TRACEPARENT_RE.exec(value ?? '');
  if (!m) return null;
  const [, traceId, spanId, flagsHex] = m;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return { traceId, spanId, flags: parseInt(flagsHex, 16) };
}
