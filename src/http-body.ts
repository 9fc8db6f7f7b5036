// SPDX-License-Identifier: GPL-3.0-or-later
// One bounded read of an HTTP body, for the webhook receiver (requests) and the JSON client
// (answers), and the receiver's JSON body rules. Events, not `for await`: the async iterator cost
// about 5% of the service's CPU per webhook (bench/run.ts profile).
import type { IncomingMessage } from 'node:http';
import { jsonNestingExceeds } from './domain/json-depth.js';

/** The whole body, or `tooLarge()` as soon as it passes `maxBytes`; the caller decides what to do with the rest. */
export function readLimited(msg: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      msg.off('data', onData);
      msg.off('end', onEnd);
      reject(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    msg.on('data', onData);
    msg.on('end', onEnd);
    msg.once('error', reject);
  });
}

/** A refusal the receiver answers as `{error}` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Alertmanager's payload nests 4 levels deep. The ceiling sits above the 10,000-deep `version`
 * the hostile tests send (its answer names the field), and far below what hurts: parsing
 * 16,384 levels takes about 1 MB of heap, while 8 MB of `[[[…]]]` (under the 16 MiB body limit
 * an administrator may set) exhausts the service's 128 MB heap (issue #25).
 */
export const MAX_BODY_NESTING = 16_384;

/** Only `application/json` in UTF-8, uncompressed: anything else is a 415 before a byte is read. */
function checkHeaders(req: IncomingMessage): void {
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') throw new HttpError(415, 'content type must be application/json');
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw new HttpError(415, `unsupported charset "${charset.slice(0, 40).toUpperCase()}"`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new HttpError(415, `unsupported content encoding "${encoding.slice(0, 40)}"`);
}

/**
 * The request body as JSON, by express.json's rules (strict: objects and arrays only, UTF-8, no
 * compression, size-limited) plus a nesting ceiling checked before parsing. Not express.json
 * itself: on a body over the limit it reads the rest before answering, so a client that never
 * stops sending never gets its 413. Here the 413 goes out at once and the connection closes.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  checkHeaders(req);
  const tooLarge = () => new HttpError(413, `body larger than ${limitBytes} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) throw tooLarge();
  const text = (await readLimited(req, limitBytes, tooLarge)).toString('utf8');
  if (text.trim() === '') return {};
  if (!/^\s*[{[]/.test(text)) throw new HttpError(400, 'body is not valid JSON');
  if (jsonNestingExceeds(text, MAX_BODY_NESTING))
    throw new HttpError(400, `body nests deeper than ${MAX_BODY_NESTING} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
