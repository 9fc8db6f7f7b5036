// SPDX-License-Identifier: GPL-3.0-or-later
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { postToChannel } from '../../src/channels/http-post.js';

let server: Server;
let base: string;
const seen: { headers: Record<string, unknown>; body: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/big') return void res.end('x'.repeat(200_000));
      if (req.url === '/hang') return; // never answers
      res.writeHead(429, { 'retry-after': '7' }).end('{"ok":false}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const post = (path: string, signal = AbortSignal.timeout(5000), maxAnswerBytes?: number) =>
  postToChannel(`${base}${path}`, {
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"a":1}'),
    signal,
    maxAnswerBytes,
  });

test('posts the body with its length and returns status, headers and text', async () => {
  const a = await post('/x');
  assert.equal(a.status, 429);
  assert.equal(a.headers['retry-after'], '7');
  assert.equal(a.text, '{"ok":false}');
  assert.equal(seen.at(-1)!.body, '{"a":1}');
  assert.equal(seen.at(-1)!.headers['content-length'], '7');
});

test('a long answer is cut, not read to its end', async () => {
  const a = await post('/big', undefined, 1024);
  assert.equal(a.status, 200);
  assert.equal(a.text, '');
});

test('a server that never answers is given up when the signal aborts', async () => {
  await assert.rejects(post('/hang', AbortSignal.timeout(200)));
});

test('only http and https addresses', async () => {
  await assert.rejects(
    postToChannel('file:///etc/passwd', { headers: {}, body: Buffer.alloc(0), signal: AbortSignal.timeout(100) }),
    /not an http\(s\) address/,
  );
});
