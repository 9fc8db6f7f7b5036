// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { change, sparkline } from "../sparkline.js";

describe("sparkline", () => {
  test("a rising line goes up (SVG y grows downwards); gaps are skipped", () => {
    const s = sparkline([1, null, 3], 100, 20, 0);
    expect(s.d).toBe("M0 20 L100 0");
    expect(s).toMatchObject({ min: 1, max: 3, first: 1, count: 2, last: { x: 100, y: 0, value: 3 } });
  });
  test("flat and single values sit in the middle; nothing to draw is null", () => {
    expect(sparkline([5, 5], 100, 20, 0).d).toBe("M0 10 L100 10");
    expect(sparkline([7], 100, 20, 0).d).toBe("M0 10");
    expect(sparkline([null, undefined])).toBe(null);
    expect(sparkline([])).toBe(null);
  });
  test("change in percent", () => {
    expect(change(100, 150)).toBe(50);
    expect(change(0, 5)).toBe(null);
  });
});
