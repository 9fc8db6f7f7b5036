// SPDX-License-Identifier: GPL-3.0-or-later
// Views call this.runTask(action, data): it fills in the instance, title and eventId.
import { mapState } from "vuex";
import { runModuleTask, errorKey } from "./task.js";

export default {
  computed: { ...mapState(["instanceName", "core", "appName"]) },
  methods: {
    runTask(action, data, extra = {}) {
      return runModuleTask(this.core, this.instanceName, action, data, {
        title: this.$t(`action.${action}`),
        ...extra,
      });
    },
    /** Plain words for a failed submission or an aborted task. */
    taskErrorText(err) {
      return this.$t(errorKey(err));
    },
    abortedText(result) {
      const detail = result && typeof result.error === "string" ? result.error.trim().split("\n").pop() : "";
      return detail ? this.$t("error.task_aborted_detail", { detail }) : this.$t("error.generic_error");
    },
  },
};
