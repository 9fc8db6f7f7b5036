// SPDX-License-Identifier: GPL-3.0-or-later
import Vue from "vue";
import Vuex from "vuex";

Vue.use(Vuex);

export default new Vuex.Store({
  state: { appName: "", instanceName: "", instanceLabel: "", core: null },
  mutations: {
    setInstanceName(state, value) {
      state.instanceName = value;
    },
    setInstanceLabel(state, value) {
      state.instanceLabel = value;
    },
    setCore(state, value) {
      state.core = value;
    },
    setAppName(state, value) {
      state.appName = value;
    },
  },
  actions: {
    setInstanceNameInStore: ({ commit }, v) => commit("setInstanceName", v),
    setInstanceLabelInStore: ({ commit }, v) => commit("setInstanceLabel", v),
    setCoreInStore: ({ commit }, v) => commit("setCore", v),
    setAppNameInStore: ({ commit }, v) => commit("setAppName", v),
  },
});
