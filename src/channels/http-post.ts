// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: one POST of an HTTP channel (Telegram, Teams, ntfy, webhook), bounded in time (the
// caller's signal: the outbox aborts an attempt past the channel's time limit) and in the answer's
// size. node:http/node:https, as the service's JSON client (src/ns8/http-json.ts) and for the same
// reason: no fetch (undici) in the service. Answers are classified by ./http-answer.ts.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readLimited } from '../http-body.js';

export interface ChannelPost {
  headers: Record<string, string>;
  body: Buffer;
  signal: AbortSignal;
  /** Answers longer than this are not kept (a channel's error text is short). */
  maxAnswerBytes?: number;
}

export interface ChannelAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer as text; empty when it is longer than `maxAnswerBytes` (only its status counts then). */
  text: string;
}

const ANSWER_MAX_BYTES = 64 * 1024;

/** Rejects on a network error or an abort (with the signal's reason); any HTTP status resolves. */
export function postToChannel(url: string | URL, p: ChannelPost): Promise<ChannelAnswer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  if (target.protocol !== 'https:' && target.protocol !== 'http:')
    return Promise.reject(new Error(`not an http(s) address: ${target.protocol}`));
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const max = p.maxAnswerBytes ?? ANSWER_MAX_BYTES;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { ...p.headers, 'content-length': String(p.body.length) }, signal: p.signal },
      (res) => {
        const cut = new Error('cut');
        readLimited(res, max, () => cut).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body.toString('utf8') }),
          (err) => {
            if (err !== cut) return reject(err);
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
          },
        );
      },
    );
    req.once('error', reject);
    req.end(p.body);
  });
}
