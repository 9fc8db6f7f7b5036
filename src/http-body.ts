// SPDX-License-Identifier: GPL-3.0-or-later
// One bounded read of an HTTP body, for the webhook receiver (requests) and the JSON client
// (answers). Events, not `for await`: the async iterator cost about 5% of the service's CPU per
// webhook (bench/run.ts profile).
import type { IncomingMessage } from 'node:http';

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
