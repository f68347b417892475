import { copyFigures, type CopyBench } from "../../../bench/images";

const GIB = 1024 ** 3;

function bench(small: [number, number], large: [number, number], largeCopyMs = large[0]): CopyBench {
  return {
    name: "a copy",
    baseline: "by hand",
    candidate: "cinderblock",
    copyPrograms: ["dd"],
    rounds: 3,
    runs: [
      { bytes: GIB, baselineMs: small[0], candidateMs: small[1], copyMs: small[0] },
      { bytes: 4 * GIB, baselineMs: large[0], candidateMs: large[1], copyMs: largeCopyMs },
    ],
    phases: {},
  };
}

describe("copyFigures", () => {
  it("separates the pace each further GiB adds from the fixed cost paid once", () => {
    // By hand: 1.5 s per GiB, nothing else. Cinderblock: the same pace plus 4 s of fixed steps.
    const figures = copyFigures(bench([1500, 5500], [6000, 10000]));
    expect(figures.baselineSecondsPerGib).toBeCloseTo(1.5);
    expect(figures.candidateSecondsPerGib).toBeCloseTo(1.5);
    expect(figures.paceRatio).toBeCloseTo(1);
    expect(figures.fixedMs).toBeCloseTo(4000);
    expect(figures.largeRatio).toBeCloseTo(0.6);
  });

  it("shows a slower pace as a ratio below one, whatever the fixed cost", () => {
    // Cinderblock takes 2 s per GiB against 1.5 s by hand, and 1 s of fixed steps.
    const figures = copyFigures(bench([1500, 3000], [6000, 9000]));
    expect(figures.paceRatio).toBeCloseTo(0.75);
    expect(figures.fixedMs).toBeCloseTo(1000);
  });

  it("compares the copy step alone with the bare command, apart from the steps around it", () => {
    // The bytes move in 6.4 s through cinderblock against 6 s by hand; 4 s of other steps do not count here.
    const figures = copyFigures(bench([1500, 5500], [6000, 10400], 6400));
    expect(figures.copyRatio).toBeCloseTo(0.9375);
    expect(figures.largeRatio).toBeCloseTo(6000 / 10400);
  });
});
