// SPDX-License-Identifier: GPL-3.0-or-later
import { afterEach, describe, expect, test, vi } from "vitest";
import { runModuleTask, errorKey } from "../task.js";

// A minimal stand-in for cluster-admin's root Vue instance event bus.
function fakeCore() {
  const handlers = new Map();
  const root = {
    apiUrl: "http://api.test/api",
    $on: (n, f) => handlers.set(n, [...(handlers.get(n) || []), f]),
    $off: (n, f) =>
      handlers.set(
        n,
        (handlers.get(n) || []).filter((g) => g !== f),
      ),
    $emit: (n, ...a) => (handlers.get(n) || []).forEach((f) => f(...a)),
    count: () => [...handlers.values()].reduce((s, l) => s + l.length, 0),
  };
  return { $root: root };
}

afterEach(() => vi.unstubAllGlobals());

describe("runModuleTask", () => {
  test("posts the task with bearer token and resolves on the completed event", async () => {
    const core = fakeCore();
    let body;
    vi.stubGlobal("localStorage", { getItem: () => JSON.stringify({ username: "admin", token: "T0K" }) });
    vi.stubGlobal("fetch", async (url, init) => {
      expect(url).toBe("http://api.test/api/module/backup-monitor1/tasks");
      expect(init.headers.Authorization).toBe("Bearer T0K");
      body = JSON.parse(init.body);
      setTimeout(() =>
        core.$root.$emit(
          `get-configuration-completed-${body.extra.eventId}`,
          { action: "get-configuration" },
          { output: { a: 1 } },
        ),
      );
      return { ok: true, status: 201, json: async () => ({ code: 201 }) };
    });
    const res = await runModuleTask(core, "backup-monitor1", "get-configuration", undefined, { title: "t" });
    expect(res).toEqual({ status: "completed", output: { a: 1 } });
    expect(body.action).toBe("get-configuration");
    expect(body.extra.isNotificationHidden).toBe(true);
    expect(core.$root.count()).toBe(0);
  });

  test("validation-failed and HTTP errors", async () => {
    const core = fakeCore();
    vi.stubGlobal("localStorage", { getItem: () => null });
    vi.stubGlobal("fetch", async (_u, init) => {
      const { extra } = JSON.parse(init.body);
      setTimeout(() =>
        core.$root.$emit(`configure-module-validation-failed-${extra.eventId}`, [{ field: "mail_to.0" }], {}),
      );
      return { ok: true, json: async () => ({}) };
    });
    await expect(runModuleTask(core, "m1", "configure-module", {})).resolves.toEqual({
      status: "validation-failed",
      errors: [{ field: "mail_to.0" }],
    });
    vi.stubGlobal("fetch", async () => ({ ok: false, status: 403 }));
    const err = await runModuleTask(core, "m1", "configure-module", {}).catch((e) => e);
    expect(errorKey(err)).toBe("error.403");
    expect(core.$root.count()).toBe(0);
  });
});
