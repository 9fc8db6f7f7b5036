// SPDX-License-Identifier: GPL-3.0-or-later
// Registers only the Carbon components the pages use: @carbon/vue's own index registers all
// of them through webpack's require.context, which Vite cannot build.
import { CvGrid, CvRow, CvColumn } from "@carbon/vue/src/components/cv-grid";
import { CvButton, CvIconButton } from "@carbon/vue/src/components/cv-button";
import { CvTextInput } from "@carbon/vue/src/components/cv-text-input";
import { CvSelect, CvSelectOption } from "@carbon/vue/src/components/cv-select";
import { CvToggle } from "@carbon/vue/src/components/cv-toggle";
import { CvTile } from "@carbon/vue/src/components/cv-tile";
import { CvTag } from "@carbon/vue/src/components/cv-tag";
import { CvInlineNotification } from "@carbon/vue/src/components/cv-inline-notification";
import { CvSkeletonText } from "@carbon/vue/src/components/cv-skeleton-text";
import { CvInlineLoading } from "@carbon/vue/src/components/cv-inline-loading";
import { CvLink } from "@carbon/vue/src/components/cv-link";
import { CvModal } from "@carbon/vue/src/components/cv-modal";
import { CvPagination } from "@carbon/vue/src/components/cv-pagination";
import { CvForm } from "@carbon/vue/src/components/cv-form";
import { CvContent, CvSideNav, CvSideNavItems, CvSideNavLink } from "@carbon/vue/src/components/cv-ui-shell";

const components = {
  CvGrid,
  CvRow,
  CvColumn,
  CvButton,
  CvIconButton,
  CvTextInput,
  CvSelect,
  CvSelectOption,
  CvToggle,
  CvTile,
  CvTag,
  CvInlineNotification,
  CvSkeletonText,
  CvInlineLoading,
  CvLink,
  CvModal,
  CvPagination,
  CvForm,
  CvContent,
  CvSideNav,
  CvSideNavItems,
  CvSideNavLink,
};

export default {
  install(Vue) {
    for (const [name, c] of Object.entries(components)) Vue.component(name, c);
  },
};
