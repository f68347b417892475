import { inOperation } from "../../../../../drivers/lvm/core/operation";
import { SharedRead } from "../../../../../drivers/lvm/core/sharedRead";

/** A few turns of the event loop: enough for any read that is due to start. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** A report source whose reads the test completes by hand, counting how many went to the "host". */
function source(): { reads: SharedRead<number>; started: () => number; finish: (value?: number) => Promise<void> } {
  const pending: Array<(value: number) => void> = [];
  let started = 0;
  const reads = new SharedRead<number>(
    () =>
      new Promise<number>((resolve) => {
        started++;
        pending.push(resolve);
      }),
  );
  return {
    reads,
    started: () => started,
    // A read starts one turn after it is asked for: let it start, then complete it.
    finish: async (value = started) => {
      await settle();
      pending.shift()?.(value);
    },
  };
}

describe("SharedRead", () => {
  it("serves many operations asking at once with one read, and those arriving during it with one more", async () => {
    const { reads, started, finish } = source();
    const first = Array.from({ length: 100 }, () => inOperation(() => reads.get()));
    await settle();
    const second = Array.from({ length: 100 }, () => inOperation(() => reads.get()));
    await settle();
    expect(started()).toBe(1);
    await finish(1);
    await settle();
    expect(started()).toBe(2);
    await finish(2);
    expect(new Set(await Promise.all(first))).toEqual(new Set([1]));
    expect(new Set(await Promise.all(second))).toEqual(new Set([2]));
  });

  it("reuses a finished read within the operation that made it", async () => {
    const { reads, started, finish } = source();
    await inOperation(async () => {
      const a = reads.get();
      await finish(7);
      expect(await a).toBe(7);
      expect(await reads.get()).toBe(7);
    });
    expect(started()).toBe(1);
  });

  it("never gives an operation a read that began before it did", async () => {
    const { reads, started, finish } = source();
    const early = inOperation(async () => {
      const value = reads.get();
      await finish(1);
      return value;
    });
    expect(await early).toBe(1);
    const late = inOperation(() => reads.get());
    await settle();
    expect(started()).toBe(2);
    await finish(2);
    expect(await late).toBe(2);
  });

  it("does not reuse a read after a write, even within one operation", async () => {
    const { reads, started, finish } = source();
    await inOperation(async () => {
      const before = reads.get();
      await finish(1);
      expect(await before).toBe(1);
      await reads.write(async () => undefined);
      const after = reads.get();
      await settle();
      expect(started()).toBe(2);
      await finish(2);
      expect(await after).toBe(2);
    });
  });

  it("does not reuse a read that was in flight while a write ran", async () => {
    const { reads, started, finish } = source();
    await inOperation(async () => {
      const during = reads.get();
      await settle(); // The read is on its way to the host when the write starts.
      await reads.write(async () => undefined);
      await finish(1);
      expect(await during).toBe(1);
      const after = reads.get();
      await settle();
      expect(started()).toBe(2);
      await finish(2);
      expect(await after).toBe(2);
    });
  });

  it("does not reuse a read after invalidate (a host lock just taken), even within one operation", async () => {
    const { reads, started, finish } = source();
    await inOperation(async () => {
      const before = reads.get();
      await finish(1);
      expect(await before).toBe(1);
      reads.invalidate();
      const after = reads.get();
      await finish(2);
      expect(await after).toBe(2);
      expect(started()).toBe(2);
    });
  });

  it("does not keep a failed read", async () => {
    let calls = 0;
    const reads = new SharedRead<number>(async () => {
      calls++;
      if (calls === 1) throw new Error("host down");
      return calls;
    });
    await inOperation(async () => {
      await expect(reads.get()).rejects.toThrow("host down");
      await expect(reads.get()).resolves.toBe(2);
    });
  });

  it("outside any operation, reads afresh each time", async () => {
    let calls = 0;
    const reads = new SharedRead<number>(async () => ++calls);
    expect(await reads.get()).toBe(1);
    expect(await reads.get()).toBe(2);
  });
});
