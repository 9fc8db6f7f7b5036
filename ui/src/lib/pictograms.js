// SPDX-License-Identifier: GPL-3.0-or-later
// The Carbon pictograms of the empty states (@carbon/pictograms descriptors, drawn by
// components/EmptyState.vue). Deep imports: only these four reach the bundle.
import chartLine from "@carbon/pictograms/es/chart--line/index.js";
import dataBackup from "@carbon/pictograms/es/data--backup/index.js";
import magnify from "@carbon/pictograms/es/magnify/index.js";
import report from "@carbon/pictograms/es/report/index.js";

export const PICTOGRAMS = Object.freeze({
  noPlans: dataBackup,
  noReports: report,
  noMatch: magnify,
  noTrends: chartLine,
});
