// SPDX-License-Identifier: GPL-3.0-or-later
// send-test-notification result -> a plain-language message for the admin.
import { PAGE_CODES as CODES } from "./errors.js";

/**
 * `output` is the action output (also on exit 2); returns {kind, key, params} for i18n.
 * Unknown codes still say what the server said, so the admin is never left with "error".
 */
export function testEmailMessage(output) {
  if (output && output.ok === true) {
    return { kind: "success", key: "settings.test_sent", params: { recipients: (output.recipients || []).join(", ") } };
  }
  const code = output && typeof output.code === "string" ? output.code : "";
  const detail = (output && output.error) || "";
  const key = CODES.has(code) ? `settings.test_error_${code}` : "settings.test_error_generic";
  return { kind: "error", key, params: { detail } };
}

/** The task ran but its output is not JSON (e.g. a crash): parse what we can from it. */
export function parseTestOutput(output) {
  if (output && typeof output === "object") return output;
  try {
    return JSON.parse(String(output));
  } catch {
    return null;
  }
}
