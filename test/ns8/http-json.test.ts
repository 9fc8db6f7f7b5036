// SPDX-License-Identifier: GPL-3.0-or-later
// The one HTTP edge the service uses for the API server, Alertmanager and Loki, against a real
// node:http server on an ephemeral port: JSON both ways, any status returned, and every answer
// bounded in size and time — an oversized or endless answer, a silent server and a refused
// connection all end, with a reason the caller can map to an error code.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnswerTooDeepError, AnswerTooLargeError, MAX_JSON_DEPTH, requestJson } from '../../src/ns8/http-json.js';

const MB = 1024 * 1024;

function route(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/echo') {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          type: req.headers['content-type'] ?? null,
          auth: req.headers.authorization ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    } else if (url.pathname === '/text') {
      res.writeHead(502).end('<html>bad gateway</html>');
    } else if (url.pathname === '/huge') {
      // An endless answer: it stops only when the client goes away.
      res.writeHead(200, { 'content-type': 'application/json' });
      const block = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(block));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.once('close', () => served.hugeClosed++);
      pump();
    } else if (url.pathname === '/deep') {
      // 8 MB of nested arrays: JSON.parse would build four million levels (issue #25 item 2).
      const half = 4 * MB;
      res.writeHead(200, { 'content-type': 'application/json' }).end('['.repeat(half) + ']'.repeat(half));
    } else if (url.pathname === '/nested') {
      const depth = Number(url.searchParams.get('depth'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('['.repeat(depth) + ']'.repeat(depth));
    } else if (url.pathname === '/silent') {
      // Never answers.
    } else res.writeHead(404).end();
  });
}

const served = { hugeClosed: 0 };
let server: Server;
let base: string;

before(async () => {
  server = createServer(route);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

describe('requestJson', () => {
  it('sends JSON with its content type and the given headers, and parses the JSON answer', async () => {
    const r = await requestJson(`${base}/echo`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0k' },
      body: { username: 'u', n: 1 },
      maxBytes: MB,
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.body, {
      method: 'POST',
      type: 'application/json',
      auth: 'Bearer t0k',
      body: '{"username":"u","n":1}',
    });
  });

  it('returns any status, with an undefined body when the answer is not JSON', async () => {
    const r = await requestJson(`${base}/text`, { maxBytes: MB });
    assert.equal(r.status, 502);
    assert.equal(r.body, undefined);
    assert.equal((await requestJson(`${base}/nope`, { maxBytes: MB })).status, 404);
  });

  it('refuses an answer over maxBytes and closes the connection', async () => {
    const before = served.hugeClosed;
    await assert.rejects(requestJson(`${base}/huge`, { maxBytes: MB }), (e: unknown) => {
      assert.ok(e instanceof AnswerTooLargeError);
      assert.equal(e.maxBytes, MB);
      return true;
    });
    for (let i = 0; i < 100 && served.hugeClosed === before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(served.hugeClosed, before + 1, 'the server saw the client go away');
  });

  it('refuses an answer nested deeper than MAX_JSON_DEPTH, before parsing it', async () => {
    await assert.rejects(requestJson(`${base}/deep`, { maxBytes: 9 * MB }), (e: unknown) => {
      assert.ok(e instanceof AnswerTooDeepError);
      assert.ok(e instanceof AnswerTooLargeError, 'callers classify it as a bad answer, as an oversized one');
      assert.equal(e.maxDepth, MAX_JSON_DEPTH);
      return true;
    });
    const deepest = await requestJson(`${base}/nested?depth=${MAX_JSON_DEPTH}`, { maxBytes: MB });
    assert.equal(deepest.status, 200);
    assert.ok(Array.isArray(deepest.body));
    await assert.rejects(
      requestJson(`${base}/nested?depth=${MAX_JSON_DEPTH + 1}`, { maxBytes: MB }),
      AnswerTooDeepError,
    );
  });

  it("ends a silent server's request with the signal's reason, in time", async () => {
    const t = performance.now();
    await assert.rejects(
      requestJson(`${base}/silent`, { signal: AbortSignal.timeout(200), maxBytes: MB }),
      (e: Error) => e.name === 'TimeoutError',
    );
    assert.ok(performance.now() - t < 5_000);
  });

  it('rejects a refused connection with its system error code', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await assert.rejects(
      requestJson(`http://127.0.0.1:${port}/`, { maxBytes: MB }),
      (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
    );
  });
});
