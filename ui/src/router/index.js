// SPDX-License-Identifier: GPL-3.0-or-later
import Vue from "vue";
import VueRouter from "vue-router";
import Status from "../views/Status.vue";

Vue.use(VueRouter);

const routes = [
  // The alias matters: cluster-admin asks for pages by name (?page=status).
  { path: "/", name: "Status", component: Status, alias: "/status" },
  { path: "/settings", name: "Settings", component: () => import("../views/Settings.vue") },
  { path: "/about", name: "About", component: () => import("../views/About.vue") },
];

export default new VueRouter({ routes });
