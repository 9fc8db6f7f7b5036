// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { MENU_ITEMS, menuHref } from "../menu.js";

describe("menu links (issue #21)", () => {
  test("each page's link is cluster-admin's own address of that page, so Tab and a new tab work", () => {
    const parent = "https://node.example.org/cluster-admin/#/apps/backup-monitor1?page=status";
    expect(MENU_ITEMS.map((item) => menuHref(parent, "backup-monitor1", item.page))).toEqual([
      "https://node.example.org/cluster-admin/#/apps/backup-monitor1?page=status",
      "https://node.example.org/cluster-admin/#/apps/backup-monitor1?page=settings",
      "https://node.example.org/cluster-admin/#/apps/backup-monitor1?page=about",
    ]);
  });

  test("without the parent's address the link is still a link (hash of the app page)", () => {
    expect(menuHref("", "backup-monitor1", "settings")).toBe("#/apps/backup-monitor1?page=settings");
  });
});
