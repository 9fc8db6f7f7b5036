// SPDX-License-Identifier: GPL-3.0-or-later
// The app's pages, in menu order: one list for the side menu (wide screens) and the mobile
// menu (below Carbon's large breakpoint, 1056 px, where the side menu is hidden).
import Activity20 from "@carbon/icons-vue/es/activity/20";
import Settings20 from "@carbon/icons-vue/es/settings/20";
import Information20 from "@carbon/icons-vue/es/information/20";

export const MENU_ITEMS = Object.freeze([
  { page: "status", icon: Activity20 },
  { page: "settings", icon: Settings20 },
  { page: "about", icon: Information20 },
]);
