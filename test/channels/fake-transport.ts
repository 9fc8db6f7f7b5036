// SPDX-License-Identifier: GPL-3.0-or-later
// A second channel for tests only (never shipped): it answers as the test scripts it — an HTTP
// status with an optional Retry-After, or a hang until the attempt is aborted — and classifies
// the answer the way every HTTP channel does (src/channels/http-answer.ts).
import { firstDelivery, type StoredMail } from '../../src/domain/records.js';
import { classifyHttpAnswer } from '../../src/channels/http-answer.js';
import type { DeliveryResult, Transport } from '../../src/channels/transport.js';

export type FakeAnswer = { status: number; retryAfter?: string } | 'hang';

export interface FakeChannel {
  transport: Transport;
  /** The next answers, in order; when empty, 200. */
  answers: FakeAnswer[];
  /** Every attempt: report id, target, and how it ended. */
  attempts: { id: string; target: readonly string[]; ended: 'answered' | 'aborted' | 'hanging' }[];
  /** Report ids the channel accepted (a 2xx). */
  accepted: string[];
}

export function fakeChannel(nowMs: () => number, attemptTimeoutMs = 60_000): FakeChannel {
  const f: FakeChannel = { answers: [], attempts: [], accepted: [], transport: undefined as unknown as Transport };
  f.transport = {
    channel: 'fake',
    attemptTimeoutMs,
    firstDelivery: (_report, atMs) => firstDelivery(['chat-42'], atMs),
    send(report: StoredMail, target, signal): Promise<DeliveryResult> {
      const answer = f.answers.shift() ?? { status: 200 };
      const attempt = { id: report.id, target, ended: 'hanging' as 'answered' | 'aborted' | 'hanging' };
      f.attempts.push(attempt);
      if (answer === 'hang')
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            attempt.ended = 'aborted';
            reject(new Error('aborted'));
          }),
        );
      attempt.ended = 'answered';
      if (answer.status < 300) f.accepted.push(report.id);
      return Promise.resolve(
        classifyHttpAnswer(answer.status, { retryAfter: answer.retryAfter, detail: 'from the fake', nowMs: nowMs() }),
      );
    },
  };
  return f;
}
