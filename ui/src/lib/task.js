// SPDX-License-Identifier: GPL-3.0-or-later
// Running module actions the way NS8 module pages do (NS8.md §8.10): POST the task to the
// cluster-admin API, then wait for the <action>-completed|aborted|validation-failed-<eventId>
// event that cluster-admin emits on core.$root. Same call shape as ns8-ui-lib's TaskService
// (createModuleTaskForApp, getUuid, getErrorMessage); ns8-ui-lib 0.1.32 itself does not build
// with Vite (undeclared axios/lottie-web-vue imports, Node's crypto for UUIDs).

export function getUuid() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") return globalThis.crypto.randomUUID();
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function loginToken() {
  try {
    return JSON.parse(localStorage.getItem("loginInfo")).token || "";
  } catch {
    return "";
  }
}

/** POST <apiUrl>/module/<id>/tasks; rejects with err.response.status on HTTP errors (axios-like). */
export async function createModuleTaskForApp(core, moduleId, taskData) {
  let res;
  try {
    res = await fetch(`${core.$root.apiUrl}/module/${encodeURIComponent(moduleId)}/tasks`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${loginToken()}` },
      body: JSON.stringify(taskData),
    });
  } catch {
    throw new Error("Network Error");
  }
  if (!res.ok) {
    const err = new Error(`Request failed with status code ${res.status}`);
    err.response = { status: res.status };
    throw err;
  }
  return res.json();
}

/** Error of a task submission -> i18n key, the same cases ns8-ui-lib distinguishes. */
export function errorKey(err) {
  if (err && err.message === "Network Error") return "error.network_error";
  const status = err && err.response && err.response.status;
  if ([401, 403, 404].includes(status)) return `error.${status}`;
  return "error.generic_error";
}

/**
 * Runs a module action and resolves once cluster-admin reports its end:
 * {status: "completed", output} | {status: "aborted", result} | {status: "validation-failed", errors}.
 * Rejects only when the task cannot be submitted.
 */
export function runModuleTask(core, moduleId, action, data, extra = {}) {
  const eventId = getUuid();
  const bus = core.$root;
  const names = ["completed", "aborted", "validation-failed"].map((s) => `${action}-${s}-${eventId}`);
  return new Promise((resolve, reject) => {
    const settle = (value) => {
      names.forEach((n, i) => bus.$off(n, handlers[i]));
      resolve(value);
    };
    const handlers = [
      (_taskContext, taskResult) => settle({ status: "completed", output: taskResult && taskResult.output }),
      (taskResult) => settle({ status: "aborted", result: taskResult || {} }),
      (validationErrors) => settle({ status: "validation-failed", errors: validationErrors || [] }),
    ];
    names.forEach((n, i) => bus.$on(n, handlers[i]));
    const body = { action, extra: { isNotificationHidden: true, ...extra, eventId } };
    if (data !== undefined) body.data = data;
    createModuleTaskForApp(core, moduleId, body).catch((err) => {
      names.forEach((n, i) => bus.$off(n, handlers[i]));
      reject(err);
    });
  });
}
