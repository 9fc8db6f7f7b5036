// SPDX-License-Identifier: GPL-3.0-or-later
// Page navigation inside cluster-admin: the parent's URL (#/apps/<id>?page=<page>) is the
// source of truth, as in ns8-ui-lib's QueryParamService, so back/forward and links work.

export function instanceFromHash(hash) {
  const m = /#\/apps\/([a-zA-Z0-9_-]+)/.exec(hash || "");
  return m ? m[1] : "";
}

export function pageFromHash(hash) {
  const query = String(hash || "").split("?")[1] || "";
  return new URLSearchParams(query).get("page") || "status";
}

/** Asks cluster-admin's router to show one of our pages. */
export function goToAppPage(core, instanceName, page) {
  const path = `/apps/${instanceName}?page=${page}`;
  if (core.$route.fullPath !== path) core.$router.push(path);
}

/** A cluster-admin page outside the app, e.g. "/settings/smarthost". */
export function goToCorePage(core, path) {
  core.$router.push(path);
}
