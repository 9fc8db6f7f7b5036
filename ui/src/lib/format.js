// SPDX-License-Identifier: GPL-3.0-or-later
// Display helpers for the status page: tag colours, sizes, dates and durations. Sizes, dates and
// durations come from the one formatter the mails use too (src/domain/format.ts), in NS8
// cluster-admin's units, so the page and the mail show the same numbers.
import { formatBytes as bytes, formatDateTime, formatDuration } from "../../../src/domain/format.ts";
import { isOutcome, OUTCOME_TABLE } from "../../../src/domain/outcome.ts";

const RESULT_TAG = { success: "green", failed: "red", not_run: "warm-gray" };
// skipped: email was not meant to carry the report, other channels did (issue #22).
const DELIVERY_TAG = { sent: "green", pending: "blue", failed: "red", skipped: "gray" };

export const outcomeTag = (outcome) => (isOutcome(outcome) ? OUTCOME_TABLE[outcome].tag : "gray");
export const resultTag = (result) => RESULT_TAG[result] || "gray";
export const deliveryTag = (status) => DELIVERY_TAG[status] || "gray";

/** Bytes in cluster-admin's binary units ("212.72 GiB"), "-" when absent. */
export const formatBytes = (value, locale) => bytes(value, locale || "en");

/**
 * Unix seconds or ms (told by `unit`) -> "2026-08-09 03:00:01" in the browser's zone, as
 * cluster-admin prints dates; "-" when absent. The shape is the same in every language.
 */
export function formatTime(value, unit = "s") {
  return formatDateTime(value, { ms: unit === "ms" });
}

/** Seconds between two unix-second stamps -> "1h 2m", "45s"; "-" when unknown. */
export function formatElapsed(start, end) {
  if (start === null || end === null || !Number.isFinite(start) || !Number.isFinite(end) || end < start) return "-";
  return formatDuration(end - start);
}
