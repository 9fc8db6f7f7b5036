// SPDX-License-Identifier: GPL-3.0-or-later
// Small SVG line charts for trends (issue #15), instead of a chart library: cluster-admin draws
// its charts with d3 (no Vue 2 chart component to share), and two lines of at most 30 points
// need no scales, axes or interaction -- a polyline in a fixed viewBox, plus words for screen
// readers (first, last, min, max), is lighter than any library and prints the same everywhere.
//
// The scale is honest (issue #21): the baseline is 0, the top the largest value, so a 0.1 %
// change stays a flat line instead of a cliff between the min and the max. Runs in which the
// application was not saved have no value: they are a gap in the line and a mark at the bottom,
// never a fall to 0 B.

/**
 * Numbers (null = no value) -> {d, last, first, min, max, count, marks}; null when there is
 * neither a value nor a mark. `failed`: indexes of runs to mark as failures ({x} each).
 */
export function sparkline(values, width = 120, height = 28, pad = 3, failed = []) {
  const all = values || [];
  const pts = all.map((v, i) => [i, v]).filter(([, v]) => typeof v === "number" && Number.isFinite(v) && v >= 0);
  const n = Math.max(all.length - 1, 1);
  const r = (v) => Math.round(v * 10) / 10;
  const x = (i) => pad + (i / n) * (width - 2 * pad);
  const marks = (failed || []).filter((i) => i >= 0 && i < all.length).map((i) => ({ x: r(x(i)) }));
  if (!pts.length)
    return marks.length ? { d: "", last: null, first: null, min: null, max: null, count: 0, marks } : null;
  const ys = pts.map(([, v]) => v);
  const min = Math.min(...ys);
  const max = Math.max(...ys);
  const y = (v) => (max === 0 ? height - pad : pad + (1 - v / max) * (height - 2 * pad));
  const d = pts.map(([i, v], k) => `${k ? "L" : "M"}${r(x(i))} ${r(y(v))}`).join(" ");
  const [li, lv] = pts[pts.length - 1];
  return { d, last: { x: r(x(li)), y: r(y(lv)), value: lv }, first: ys[0], min, max, count: pts.length, marks };
}

/** Relative change from the first to the last value, in percent (rounded), or null. */
export function change(first, last) {
  if (!Number.isFinite(first) || !Number.isFinite(last) || first === 0) return null;
  return Math.round(((last - first) / first) * 100);
}
