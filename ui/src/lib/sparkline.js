// SPDX-License-Identifier: GPL-3.0-or-later
// Small SVG line charts for trends (issue #15), instead of a chart library: cluster-admin draws
// its charts with d3 (no Vue 2 chart component to share), and two lines of at most 60 points
// need no scales, axes or interaction -- a polyline in a fixed viewBox, plus words for screen
// readers (first, last, min, max), is lighter than any library and prints the same everywhere.

/** Numbers (null = no value) -> {d, dots, min, max, first, last, count}; null when fewer than one value. */
export function sparkline(values, width = 120, height = 28, pad = 3) {
  const pts = (values || []).map((v, i) => [i, v]).filter(([, v]) => typeof v === "number" && Number.isFinite(v));
  if (!pts.length) return null;
  const ys = pts.map(([, v]) => v);
  const min = Math.min(...ys);
  const max = Math.max(...ys);
  const n = Math.max(values.length - 1, 1);
  const x = (i) => pad + (i / n) * (width - 2 * pad);
  const y = (v) => (max === min ? height / 2 : pad + (1 - (v - min) / (max - min)) * (height - 2 * pad));
  const r = (v) => Math.round(v * 10) / 10;
  const d = pts.map(([i, v], k) => `${k ? "L" : "M"}${r(x(i))} ${r(y(v))}`).join(" ");
  const [li, lv] = pts[pts.length - 1];
  return { d, last: { x: r(x(li)), y: r(y(lv)), value: lv }, first: ys[0], min, max, count: pts.length };
}

/** Relative change from the first to the last value, in percent (rounded), or null. */
export function change(first, last) {
  if (!Number.isFinite(first) || !Number.isFinite(last) || first === 0) return null;
  return Math.round(((last - first) / first) * 100);
}
