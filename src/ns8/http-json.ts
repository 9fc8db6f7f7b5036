// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: one JSON request to an HTTP API of the cluster (the NS8 API server, metrics1's
// Alertmanager, Loki), bounded in time (the caller's signal) and in size (maxBytes).
//
// node:http, not fetch: fetch (undici) parses HTTP with WebAssembly, which V8 flags such as
// --jitless remove (issue #10 item 1), and loading it costs the idle service about 12 MB of its
// resident memory (bench/run.ts). node:http is already loaded for the webhook receiver.
import { request as httpRequest, type RequestOptions } from 'node:http';
import { readLimited } from '../http-body.js';

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

/** Rejects on a network error, an abort (with the signal's reason) or an oversized answer. */
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
        (body) => resolve({ status: res.statusCode ?? 0, body: parseOrUndefined(body) }),
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

function parseOrUndefined(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
