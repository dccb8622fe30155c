// Lambda@Edge events as CloudFront builds them, from what the emulator sees on the wire:
// `Records[0].cf` = {config, request[, response]}, headers as lowercase name -> [{key, value}]
// (one entry per value, in arrival order), response status as a string, and `request.origin`
// (a custom origin) on origin events only. Shapes follow the AWS "Lambda@Edge event structure"
// examples (../shared/fixtures-public/awsdocs-*) and tests/fixtures/events.
import crypto from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { isDisallowed } from './header_rules.mjs';

/** @typedef {import('./header_rules.mjs').Trigger} Trigger */
/** @typedef {Record<string, {key: string, value: string}[]>} CfHeaders */
/**
 * @typedef {{clientIp: string, headers: CfHeaders, method: string, querystring: string, uri: string,
 *   origin?: {custom: CustomOrigin}}} CfRequest
 * @typedef {{status: string, statusDescription: string, headers: CfHeaders}} CfResponse
 * @typedef {{customHeaders: CfHeaders, domainName: string, keepaliveTimeout: number, path: string,
 *   port: number, protocol: 'http'|'https', readTimeout: number, sslProtocols: string[]}} CustomOrigin
 * @typedef {{distributionDomainName: string, distributionId: string}} Distribution
 */

/** The emulated distribution (an id and domain in CloudFront's formats, never a real one). */
export const DEV_DISTRIBUTION = Object.freeze({
  distributionDomainName: 'd1dev0edgetrac.cloudfront.net',
  distributionId: 'EDEVEDGETRACE1',
});

/** A CloudFront request id (the x-amz-cf-id value): 56 characters, base64url, ending in "==". */
export function newRequestId() {
  return crypto.randomBytes(40).toString('base64url').slice(0, 54) + '==';
}

/**
 * Node's rawHeaders ([name, value, name, value, ...]) in CloudFront's shape, leaving out the
 * headers CloudFront never exposes to a function at `trigger`.
 * @param {string[]} rawHeaders
 * @param {Trigger} trigger
 * @returns {CfHeaders}
 */
export function headersFromRaw(rawHeaders, trigger) {
  /** @type {CfHeaders} */
  const out = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i];
    const name = key.toLowerCase();
    if (isDisallowed(name, trigger)) continue;
    (out[name] ??= []).push({ key, value: rawHeaders[i + 1] });
  }
  return out;
}

/** CloudFront's header shape back to a rawHeaders-style list for the wire. */
export function rawFromHeaders(headers) {
  const raw = [];
  for (const [name, list] of Object.entries(headers)) {
    for (const { key, value } of list) raw.push(key ?? name, value);
  }
  return raw;
}

/** All values of one header (empty when absent). */
export function headerValues(headers, name) {
  const list = headers?.[name];
  return Array.isArray(list) ? list.map((e) => e.value) : [];
}

/** Appends one value, keeping the key spelling of an existing entry. */
export function appendHeader(headers, name, key, value) {
  (headers[name] ??= []).push({ key: headers[name]?.[0]?.key ?? key, value });
}

/** A custom origin exactly as the AWS origin-request example shows it. */
export function customOrigin(originUrl, { readTimeout = 30, keepaliveTimeout = 5 } = {}) {
  const url = new URL(originUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return {
    custom: {
      customHeaders: {},
      domainName: url.hostname.replace(/^\[|\]$/g, ''),
      keepaliveTimeout,
      path: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
      port: Number(url.port || (protocol === 'https' ? 443 : 80)),
      protocol,
      readTimeout,
      sslProtocols: ['TLSv1.2'],
    },
  };
}

/**
 * One event. Builders take the pieces by reference and deep-copy nothing: the caller hands the
 * function a JSON copy (as Lambda does) and keeps the original to validate the result against.
 * @param {Trigger} eventType
 * @param {{requestId: string, distribution: Distribution}} ctx
 * @param {CfRequest} request
 * @param {CfResponse} [response]
 */
export function cloudFrontEvent(eventType, ctx, request, response) {
  const cf = {
    config: {
      distributionDomainName: ctx.distribution.distributionDomainName,
      distributionId: ctx.distribution.distributionId,
      eventType,
      requestId: ctx.requestId,
    },
    request,
  };
  if (response !== undefined) cf.response = response;
  return { Records: [{ cf }] };
}

/** The request a function at a viewer trigger sees: no `origin`. */
export function viewerSideRequest(request) {
  const { origin: _origin, ...rest } = request;
  return rest;
}

/** Node's statusMessage, or the standard reason phrase. */
export function statusDescription(status, message) {
  return message || STATUS_CODES[status] || '';
}
