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

/**
 * A menu link's href: cluster-admin's address of the page (`parent`: the parent window's URL),
 * so the links are reached with Tab and open in a new tab; a plain click goes through the router.
 */
export function menuHref(parent, instanceName, page) {
  const base = String(parent || "").split("#")[0];
  return `${base}#/apps/${instanceName}?page=${page}`;
}

/** The parent window's address (cluster-admin), or "" when it cannot be read. */
export function parentUrl() {
  try {
    return window.parent.location.href;
  } catch {
    return "";
  }
}

/** A left click without modifier keys: the app handles it; others open the link as the browser does. */
export const plainClick = (e) => !(e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey);
