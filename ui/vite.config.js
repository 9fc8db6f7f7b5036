// SPDX-License-Identifier: GPL-3.0-or-later
// Vite instead of kickstart's vue-cli (webpack 4): same output contract (relative base, so
// cluster-admin can serve ui/dist from apps/<module id>/), much smaller tool chain.
import { fileURLToPath, URL } from "node:url";
import { readFileSync } from "node:fs";
import vue from "@vitejs/plugin-vue2";
import { defineConfig } from "vite";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

export default defineConfig({
  base: "./",
  plugins: [vue()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
    // @carbon/vue sources import their .vue files without the extension.
    extensions: [".mjs", ".js", ".json", ".vue"],
  },
  define: { UI_VERSION: JSON.stringify(pkg.version) },
  // The dev server may read outside ui/: the shared formatter (../src/domain/format.ts), the
  // settings manifest and the error catalogue (../imageroot, shared with the service and the actions).
  server: { fs: { allow: [".."] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: "node",
    include: ["src/**/__tests__/*.spec.js"],
  },
});
