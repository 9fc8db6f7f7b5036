// SPDX-License-Identifier: GPL-3.0-or-later
// The receiver's HTTP contract on a real listening server (port 0).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createApp } from '../../src/triggers/webhook.js';
import type { BackupAlert } from '../../src/domain/alert.js';
import { Secret } from '../../src/secret.js';
import { memoryLogger } from '../../src/log.js';

const firing = readFileSync(new URL('../fixtures/alertmanager/firing-two-in-one-group.json', import.meta.url), 'utf8');
let server: Server;
let base: string;
let tokenServer: Server;
let tokenBase: string;
const received: BackupAlert[] = [];
const testMails: (string[] | undefined)[] = [];

const deps = (token: Secret | null) => ({
  sink: {
    alert: (a: BackupAlert) => {
      received.push(a);
    },
    backupEvent() {},
    missing() {},
  },
  log: memoryLogger(),
  token,
  bodyLimitBytes: 64 * 1024,
  health: async () => ({ ok: true, links: { redis: { ok: true, error: null } } }),
  sendTestMail: async (to: string[] | undefined) => {
    testMails.push(to);
    return { ok: true, status: 200, body: { ok: true } };
  },
  alertmanagerConfig: () => ({ yaml: 'x', url: 'u' }),
});
const listen = async (app: ReturnType<typeof createApp>): Promise<[Server, string]> => {
  const s = await app.listen(0, '127.0.0.1');
  return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
};

before(async () => {
  [server, base] = await listen(createApp(deps(null)));
  [tokenServer, tokenBase] = await listen(createApp(deps(new Secret('s3cret-token'))));
});
after(() => {
  server.close();
  tokenServer.close();
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, url = base) =>
  fetch(`${url}/alert`, { method: 'POST', headers, body });

describe('POST /alert', () => {
  it('202 for a real Alertmanager payload; both plans reach the tracker', async () => {
    received.length = 0;
    const res = await post(firing);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 2, ignored: 0 });
    assert.deepEqual(received.map((a) => a.planId).sort(), [1, 2]);
  });
  it('415 for another content type', async () => {
    const res = await post(firing, { 'content-type': 'text/plain' });
    assert.equal(res.status, 415);
    assert.deepEqual(await res.json(), { error: 'content type must be application/json' });
  });
  it('400 for malformed JSON', async () => {
    const res = await post('{"alerts": [', { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'body is not valid JSON' });
  });
  it('400 with the problems for a payload of the wrong shape', async () => {
    const res = await post(JSON.stringify({ version: '4', alerts: 'none' }));
    assert.equal(res.status, 400);
    assert.deepEqual((await res.json()).problems, ['alerts: must be a list']);
  });
  it('413 for a body over the limit', async () => {
    const res = await post(JSON.stringify({ alerts: [], pad: 'x'.repeat(70 * 1024) }));
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { error: 'body larger than 65536 bytes' });
  });
  it('413 for a chunked body (no content-length) that grows over the limit, and the answer arrives', async () => {
    const chunk = new TextEncoder().encode(`{"alerts": [], "pad": "${'x'.repeat(16 * 1024)}`);
    let sent = 0;
    // An endless body: only the server's refusal ends it.
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    const res = await fetch(`${base}/alert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { error: 'body larger than 65536 bytes' });
    assert.ok(sent > 64 * 1024);
    await body.cancel().catch(() => {});
  });
  it('422 when no alert is about backups, and nothing reaches the tracker', async () => {
    received.length = 0;
    const res = await post(
      JSON.stringify({ version: '4', alerts: [{ status: 'firing', labels: { alertname: 'DiskSpaceLow' } }] }),
    );
    assert.equal(res.status, 422);
    assert.equal(received.length, 0);
  });
  it('401 without the right bearer token when one is set', async () => {
    assert.equal((await post(firing, { 'content-type': 'application/json' }, tokenBase)).status, 401);
    assert.equal(
      (await post(firing, { 'content-type': 'application/json', authorization: 'Bearer wrong' }, tokenBase)).status,
      401,
    );
    assert.equal(
      (await post(firing, { 'content-type': 'application/json', authorization: 'Bearer s3cret-token' }, tokenBase))
        .status,
      202,
    );
  });
  it('404 elsewhere, and GET /healthz answers', async () => {
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    assert.equal((await h.json()).ok, true);
  });
});

describe('hostile input (issue #10)', () => {
  const alertsBody = (alerts: unknown[]) => JSON.stringify({ version: '4', status: 'firing', alerts });
  it('a 900 KB body of {} alerts: a short answer naming the first problems (it was 12.8 MB)', async () => {
    const body = alertsBody(Array.from({ length: 290_000 }, () => ({})));
    assert.ok(body.length > 800_000);
    const [s, b] = await listen(createApp({ ...deps(null), bodyLimitBytes: 1 << 20 }));
    try {
      const res = await post(body, { 'content-type': 'application/json' }, b);
      const text = await res.text();
      assert.equal(res.status, 400);
      assert.ok(text.length < 4096, `answer of ${text.length} bytes`);
      const problems = (JSON.parse(text) as { problems: string[] }).problems;
      assert.equal(problems.length, 21);
      assert.equal(problems.at(-1), '… and 289980 more problems');
    } finally {
      s.close();
    }
  });
  it('a 10k-deep version is a 400 with a short problem, not a 500', async () => {
    const res = await post(`{"version": ${'['.repeat(10_000)}${']'.repeat(10_000)}, "alerts": []}`);
    assert.equal(res.status, 400);
    assert.deepEqual((await res.json()).problems, ['version: only "4" is supported, got a list']);
  });
  it('alert names like constructor or __proto__ are not backup alerts', async () => {
    received.length = 0;
    for (const alertname of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await post(alertsBody([{ status: 'firing', labels: { alertname, id: '1' } }]));
      assert.equal(res.status, 422, alertname);
    }
    assert.equal(received.length, 0);
  });
  it('/test-notification: a bad, CRLF-laden or excessive `to` is a 400 and sends nothing', async () => {
    testMails.length = 0;
    const send = (to: unknown) =>
      fetch(`${base}/test-notification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to }),
      });
    for (const to of [
      ['nope'],
      ['ops@example.org\r\nRCPT TO:<evil@example.net>'],
      ['ops@example.org\n'],
      [],
      Array.from({ length: 300 }, (_, i) => `r${i}@example.org`),
    ]) {
      const res = await send(to);
      assert.equal(res.status, 400, JSON.stringify(to).slice(0, 80));
      assert.equal((await res.json()).code, 'INVALID_INPUT');
    }
    assert.equal(testMails.length, 0);
    assert.equal((await send(['ops@example.org', 'backup@example.org'])).status, 200);
    assert.deepEqual(testMails, [['ops@example.org', 'backup@example.org']]);
  });
  it('other charsets and content encodings are refused (415)', async () => {
    assert.equal((await post(firing, { 'content-type': 'application/json; charset=latin1' })).status, 415);
    assert.equal((await post(firing, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status, 415);
    assert.equal((await post(firing, { 'content-type': 'application/json; charset=utf-8' })).status, 202);
  });
});

describe('the express app (issue #20)', () => {
  /** One raw HTTP/1.1 request; the status line's code (0 when the server closed without answering). */
  const rawStatus = (request: string) =>
    new Promise<number>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1', () => socket.end(request));
      let answer = '';
      socket.on('data', (d) => {
        answer += d.toString('latin1');
      });
      socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
      socket.on('error', reject);
    });

  it('createApp does not listen: its express app mounts on any server', async () => {
    const { app } = createApp(deps(null));
    assert.equal(typeof app, 'function', 'an express app');
    const mounted = http.createServer(app);
    await new Promise<void>((r) => mounted.listen(0, '127.0.0.1', r));
    try {
      const res = await post(firing, undefined, `http://127.0.0.1:${(mounted.address() as AddressInfo).port}`);
      assert.equal(res.status, 202);
      assert.equal(res.headers.get('x-powered-by'), null);
    } finally {
      mounted.close();
    }
  });
  it('a body nested deeper than 16384 levels is refused before parsing (400)', async () => {
    received.length = 0;
    const res = await post(`{"version": "4", "alerts": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'body nests deeper than 16384 levels' });
    assert.equal(received.length, 0);
  });
  it('brackets inside strings do not count as nesting', async () => {
    const res = await post(JSON.stringify({ version: '4', alerts: [], note: '['.repeat(20_000) }));
    assert.equal(res.status, 422);
  });
  it('elsewhere, another method or another case: 404 with a JSON answer, not an HTML page', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/alert'],
      ['PUT', '/alert'],
      ['POST', '/ALERT'],
      ['POST', '/healthz'],
      ['DELETE', '/test-notification'],
    ] as const) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(await res.json(), { error: 'not found' });
    }
  });
  it('a trailing slash or a query string still reaches the route; HEAD /healthz answers without a body', async () => {
    assert.equal(
      (
        await fetch(`${base}/alert/?x=1`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: firing,
        })
      ).status,
      202,
    );
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });
  it('no 5xx for any malformed request', async () => {
    const json = 'content-type: application/json\r\n';
    const requests = [
      'GET /%E0%A4%A HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET /healthz%00 HTTP/1.1\r\nhost: x\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET http://evil.example/healthz HTTP/1.1\r\nhost: x\r\n\r\n',
      'GET //alert HTTP/1.1\r\nhost: x\r\n\r\n',
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 4\r\n\r\nnull`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 5\r\n\r\n"str"`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 2\r\n\r\n[]`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 3\r\n\r\n{"}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 4\r\n\r\n\xff\xfe{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\ncontent-type: application/json; charset=\r\ncontent-length: 2\r\n\r\n{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\ncontent-type: application/json; charset="utf-16"\r\ncontent-length: 2\r\n\r\n{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\ncontent-type: application/json;;;\r\ncontent-length: 2\r\n\r\n{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-encoding: br, gzip\r\ncontent-length: 2\r\n\r\n{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 99999999999999999999\r\n\r\n{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}content-length: 10\r\n\r\n{}`,
      `POST /alert HTTP/1.1\r\nhost: x\r\n${json}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      `POST /test-notification HTTP/1.1\r\nhost: x\r\n${json}content-length: 11\r\n\r\n{"to": {}} `,
      `POST /test-notification HTTP/1.1\r\nhost: x\r\n${json}content-length: 14\r\n\r\n{"kind": true}`,
      `POST /test-notification HTTP/1.1\r\nhost: x\r\ncontent-type: text/html\r\ncontent-length: 2\r\n\r\n{}`,
    ];
    for (const request of requests) {
      const status = await rawStatus(request);
      assert.ok(status < 500, `${JSON.stringify(request.slice(0, 70))}: ${status}`);
    }
  });
});
