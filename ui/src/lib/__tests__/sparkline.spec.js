// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { change, sparkline } from "../sparkline.js";

describe("sparkline", () => {
  test("a rising line goes up (SVG y grows downwards) from a baseline at 0; gaps are skipped", () => {
    const s = sparkline([1, null, 4], 100, 20, 0);
    expect(s.d).toBe("M0 15 L100 0");
    expect(s).toMatchObject({ min: 1, max: 4, first: 1, count: 2, last: { x: 100, y: 0, value: 4 } });
  });
  test("an honest scale: a 0.1 % change is not a cliff (issue #21)", () => {
    const s = sparkline([1000, 999], 100, 20, 0);
    const [, y0, y1] = s.d.match(/M0 ([\d.]+) L100 ([\d.]+)/);
    expect(Math.abs(Number(y1) - Number(y0))).toBeLessThan(0.1);
  });
  test("flat lines sit at the top, zeros at the bottom, single values too; nothing to draw is null", () => {
    expect(sparkline([5, 5], 100, 20, 0).d).toBe("M0 0 L100 0");
    expect(sparkline([0, 0], 100, 20, 0).d).toBe("M0 20 L100 20");
    expect(sparkline([7], 100, 20, 0).d).toBe("M0 0");
    expect(sparkline([null, undefined])).toBe(null);
    expect(sparkline([])).toBe(null);
  });
  test("failed runs are marks, not values of 0", () => {
    const s = sparkline([10, null, 10], 100, 20, 0, [1]);
    expect(s.d).toBe("M0 0 L100 0");
    expect(s.marks).toEqual([{ x: 50 }]);
    expect(s.min).toBe(10);
    const onlyFailures = sparkline([null, null], 100, 20, 0, [0, 1]);
    expect(onlyFailures).toMatchObject({ count: 0, marks: [{ x: 0 }, { x: 100 }] });
  });
  test("change in percent", () => {
    expect(change(100, 150)).toBe(50);
    expect(change(0, 5)).toBe(null);
  });
});
