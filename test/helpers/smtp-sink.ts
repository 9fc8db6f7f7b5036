// SPDX-License-Identifier: GPL-3.0-or-later
// An SMTP server that keeps every message, parsed, with switches to refuse or require auth.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface SinkOptions {
  username?: string;
  password?: string;
  port?: number;
  /** A careless server: its 535 reply repeats the password it was given (issue #10). */
  echoPassword?: boolean;
}

export interface SmtpSink {
  port: number;
  messages: ParsedMail[];
  envelopes: { from: string; to: string[] }[];
  /** While set, every message is refused with a transient 451 reply. */
  refuse: boolean;
  /** While above 0, a message is kept but answered 421 as if the reply to DATA was lost; counts down. */
  keepButFail: number;
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  stop(): Promise<void>;
}

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const envelopes: { from: string; to: string[] }[] = [];
  const waiters: (() => void)[] = [];
  const sink: SmtpSink = {
    port: 0,
    messages,
    envelopes,
    refuse: false,
    keepButFail: 0,
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until)
          throw new Error(`SMTP sink: ${messages.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return messages;
    },
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const needAuth = opts.username !== undefined;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: needAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !needAuth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.username && auth.password === opts.password) cb(null, { user: auth.username });
      else
        cb(
          Object.assign(
            new Error(
              opts.echoPassword ? `Invalid login ${auth.username} / ${auth.password}` : 'Invalid username or password',
            ),
            { responseCode: 535 },
          ),
        );
    },
    onData(stream, session, cb) {
      if (sink.refuse) {
        stream.resume();
        stream.on('end', () => cb(Object.assign(new Error('Try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          envelopes.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          waiters.splice(0).forEach((w) => w());
          if (sink.keepButFail > 0) {
            sink.keepButFail--;
            cb(Object.assign(new Error('Connection lost'), { responseCode: 421 }));
            return;
          }
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}
