// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: one JSON request to an HTTP API of the cluster (the NS8 API server, metrics1's
// Alertmanager, Loki), bounded in time (the caller's signal) and in size (maxBytes).
//
// node:http, not fetch: fetch (undici) parses HTTP with WebAssembly, which V8 flags such as
// --jitless remove (issue #10 item 1), and loading it costs the idle service about 12 MB of its
// resident memory (bench/run.ts). node:http is already loaded for the webhook receiver.
import { request as httpRequest, type RequestOptions } from 'node:http';
import { jsonNestingExceeds } from '../domain/json-depth.js';
import { readLimited } from '../http-body.js';

/**
 * Deepest nesting parsed. The answers read here nest 5 to 8 levels; V8's JSON.parse builds every
 * level before it can fail, and 8 MB of `[[[…]]]` (under every size cap) killed the 128 MB heap
 * in a crash loop (issue #25 item 2).
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonRequest {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type set) when present. */
  body?: unknown;
  signal?: AbortSignal;
  /** Larger answers are refused with AnswerTooLargeError. */
  maxBytes: number;
}

export interface JsonReply {
  status: number;
  /** The parsed answer; undefined when it was empty or not JSON. */
  body: unknown;
}

export class AnswerTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`answer larger than ${maxBytes} bytes`);
    this.name = 'AnswerTooLargeError';
  }
}

/**
 * Refused before parsing because parsing would cost too much: nesting deeper than MAX_JSON_DEPTH.
 * A kind of AnswerTooLargeError, so every caller classifies it as the bad answer it is.
 */
export class AnswerTooDeepError extends AnswerTooLargeError {
  constructor(
    maxBytes: number,
    readonly maxDepth: number,
  ) {
    super(maxBytes);
    this.message = `answer nested deeper than ${maxDepth} levels`;
    this.name = 'AnswerTooDeepError';
  }
}

/** Rejects on a network error, an abort (with the signal's reason), an oversized or a too deep answer. */
export async function requestJson(url: string | URL, o: JsonRequest): Promise<JsonReply> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  // node:https (and with it TLS) is loaded only for an https URL.
  const send = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const options: RequestOptions = { method: o.method ?? 'GET', headers, signal: o.signal };
  return new Promise((resolve, reject) => {
    // The first outcome wins: an abort shows as the signal's reason, not as a socket error.
    const fail = (err: unknown) => reject(o.signal?.aborted ? o.signal.reason : err);
    const req = send(target, options, (res) => {
      const tooLarge = () => new AnswerTooLargeError(o.maxBytes);
      readLimited(res, o.maxBytes, tooLarge).then(
        (body) => {
          const text = body.toString('utf8');
          if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) fail(new AnswerTooDeepError(o.maxBytes, MAX_JSON_DEPTH));
          else resolve({ status: res.statusCode ?? 0, body: parseOrUndefined(text) });
        },
        (err: unknown) => {
          fail(err);
          req.destroy();
        },
      );
    });
    req.on('error', fail);
    req.end(payload);
  });
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
