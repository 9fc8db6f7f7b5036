// SPDX-License-Identifier: GPL-3.0-or-later
import Vue from "vue";
import App from "./App.vue";
import router from "./router/index.js";
import store from "./store/index.js";
import carbon from "./carbon.js";
import { createI18n } from "./i18n.js";

Vue.use(carbon);
Vue.config.productionTip = false;

createI18n(navigator.language).then((i18n) => {
  new Vue({ router, store, i18n, render: (h) => h(App) }).$mount("#ns8-app");
});
