// SPDX-License-Identifier: GPL-3.0-or-later
// A report's deliveries as the page shows them (issue #22): email's (`delivery`) and each other
// channel's (`channels`, from the history index), one list, email first. Pure: the components
// put the words on it.
import { codeWords } from "./errors.js";

export const EMAIL = "email";

const WAITING = { status: "pending", attempts: 0, last_error: null, last_error_code: null };

/** A list-reports row -> [{channel, status, attempts, last_error, last_error_code}], email first. */
export function reportDeliveries(row) {
  const email = { ...WAITING, ...(row && row.delivery), channel: EMAIL };
  const others = Array.isArray(row && row.channels) ? row.channels.filter((c) => c && c.channel !== EMAIL) : [];
  return [email, ...others.map((c) => ({ ...WAITING, ...c }))];
}

/**
 * Not delivered yet or never: failed, or waiting. `skipped` is not one: email was not meant to
 * carry that report (its policy), the other channels did.
 */
export const notDelivered = (d) => d.status === "failed" || d.status === "pending";

/** The deliveries of a row that are not made, for the phone's mark. */
export const undeliveredOf = (row) => reportDeliveries(row).filter(notDelivered);

/**
 * What went wrong, in `lang`: the catalogue's words for the code when it has them (they say what
 * to do), else the channel's own error text; "" when nothing went wrong or it was delivered.
 */
export function deliveryError(d, lang) {
  if (!d || d.status === "sent" || d.status === "skipped") return "";
  return codeWords(d.last_error_code, lang) || d.last_error || "";
}

/**
 * The report window's lines: every delivery, email first, each drawn the same way. `named`: the
 * channel's name goes before its state ("Email: Failed") when the report has more than one
 * delivery; a report of email only says its state alone, as before the channels.
 */
export function deliveryLines(report) {
  if (!report) return [];
  const list = reportDeliveries(report);
  return list.map((d) => ({ ...d, named: list.length > 1 }));
}

/**
 * Unix ms of the next try of a delivery waiting after a failed attempt, else null: a report not
 * tried yet is no retry, a failed one is given up, and an older get-report has no such time.
 */
export function retryAtMs(d) {
  const waiting = d && d.status === "pending" && d.attempts > 0;
  return waiting && Number.isFinite(d.next_attempt_at) ? d.next_attempt_at : null;
}
