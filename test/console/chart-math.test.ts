/** The traffic chart's arithmetic: a readable axis maximum and the SVG path, with gaps where an interval had no data. */
import { describe, expect, test } from "bun:test";
import { linePath, niceCeiling } from "../../console/src/ui/chart-math";

describe("line chart", () => {
  test("the axis maximum is the next 1, 2 or 5 × 10^n at or above the largest value (1 for none)", () => {
    expect([0, -3, Number.NaN, 0.3, 1, 1.2, 3, 7, 10, 11, 240, 999].map(niceCeiling)).toEqual([1, 1, 1, 0.5, 1, 2, 5, 10, 10, 20, 500, 1000]);
  });

  test("a null value breaks the line: the next point starts a new segment", () => {
    const x = (i: number) => i * 10;
    const y = (v: number) => 100 - v;
    expect(linePath([1, 2, null, 4, 5], x, y)).toBe("M0.0 99.0 L10.0 98.0 M30.0 96.0 L40.0 95.0");
    expect(linePath([null, null], x, y)).toBe("");
  });
});
