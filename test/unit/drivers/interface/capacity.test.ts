import { bytesToGib, fitsIn, formatCapacity, GIB, sumCapacity } from "../../../../drivers/interface/capacity";
import type { Capacity } from "../../../../drivers/interface/types";

describe("sumCapacity", () => {
  it.each<[Capacity[], Capacity]>([
    [[], 0],
    [[1.5, 2.25], 3.75],
    [[0.1, 0.2], 0.3],
    [[15.96, 3.88], 19.84],
    [[1, "unknown"], "unknown"],
    [[1, "infinite"], "infinite"],
    [["infinite", "unknown"], "unknown"],
    [["unknown", "infinite", 2], "unknown"],
  ])("sums %p to %p", (values, total) => {
    expect(sumCapacity(values)).toBe(total);
  });
});

describe("fitsIn", () => {
  it.each<[Capacity, number, boolean]>([
    [10, 10, true],
    [10, 11, false],
    [0, 1, false],
    [0.5, 1, false],
    ["unknown", 1_000_000, true],
    ["infinite", 1_000_000, true],
  ])("says a request fits in %p free when asking %p GiB: %p", (free, gib, fits) => {
    expect(fitsIn(free, gib)).toBe(fits);
  });
});

describe("formatCapacity", () => {
  it.each<[Capacity, string]>([
    [1.5, "1.50 GiB"],
    [0, "0.00 GiB"],
    [15.956, "15.96 GiB"],
    ["unknown", "unknown"],
    ["infinite", "infinite"],
  ])("prints %p as %p", (value, text) => {
    expect(formatCapacity(value)).toBe(text);
  });
});

describe("bytesToGib", () => {
  it.each([
    [GIB, 1],
    [1.5 * GIB, 1.5],
    [1, 0],
    [64 * 1024 * 1024, 0.06],
    [17_142_120_448, 15.96],
  ])("turns %p bytes into %p GiB, to two decimals", (bytes, gib) => {
    expect(bytesToGib(bytes)).toBe(gib);
  });
});
