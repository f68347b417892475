import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../lab/packageRoot";

/**
 * Drives the crash-consistency harness (test/lab/groupWriter.py) on a host: the ordered
 * O_DIRECT writer, the invariant check of a snapshot set, and the stall measurement. The lab
 * tests run it through the system's ssh client (independent of the code under test), the
 * bench through cinderblock's pool; both give a function that runs one shell command line on
 * the host and returns its stdout (failing when it fails). Every value put into a command line
 * here is a device path, a number or a path of our own, never free text.
 */
export type HostCommand = (command: string) => Promise<string>;

export interface SetCheck {
  /** Records of this run found in the set. */
  records: number;
  max_seq: number;
  /** Sequence numbers below max_seq that are absent: each is a later write kept without an earlier one. */
  missing: number;
  first_missing: number[];
  bad: unknown[];
  violation: boolean;
}

export interface StallReport {
  writes: number;
  /** The writer's gaps between completed writes outside every window: its normal write latency. */
  normal_gap_ms: { p50: number | null; p99: number | null; n: number };
  /** Per window: the longest write stall that overlaps it, and the writes completed at its start and end. */
  windows: Array<{ longest_stall_ms: number; completed_at_start: number; completed_at_end: number }>;
}

const SCRIPT_PATH = "/run/cinderblock-groupwriter.py";
const SAFE = /^[A-Za-z0-9_./:+-]+$/;

function safe(values: readonly string[]): string {
  for (const value of values) if (!SAFE.test(value)) throw new Error(`refusing to put '${value}' into a command line`);
  return values.join(" ");
}

export class GroupWriter {
  private constructor(
    private readonly run: HostCommand,
    /** The members in the writer's order: member i got records i, i+M, i+2M, ... */
    readonly devices: readonly string[],
    readonly runId: number,
    private readonly prefix: string,
  ) {}

  /** Copies the harness to the host and starts the writer on `devices` (the members' gates), returning once it writes. */
  static async start(run: HostCommand, devices: readonly string[]): Promise<GroupWriter> {
    const source = readFileSync(join(packageRoot(), "test", "lab", "groupWriter.py")).toString("base64");
    await run(`echo ${source} | base64 -d > ${SCRIPT_PATH}`);
    const runId = Math.floor(Math.random() * 2 ** 48);
    const prefix = `/run/cinderblock-groupwriter-${runId}`;
    await run(
      `nohup setsid python3 ${SCRIPT_PATH} write ${prefix} ${runId} ${safe(devices)} >${prefix}.log 2>&1 </dev/null & ` +
        `for i in $(seq 200); do [ -e ${prefix}.ready ] && exit 0; sleep 0.1; done; cat ${prefix}.log >&2; exit 1`,
    );
    return new GroupWriter(run, devices, runId, prefix);
  }

  /** Stops the writer; how many records it wrote and at what rate. */
  async stop(): Promise<{ count: number; rate: number }> {
    const out = await this.run(
      `kill -TERM $(cat ${this.prefix}.pid); for i in $(seq 600); do [ -e ${this.prefix}.json ] && break; sleep 0.1; done; cat ${this.prefix}.json`,
    );
    return JSON.parse(out) as { count: number; rate: number };
  }

  /** The longest stall in each window (host clock, seconds), and the writer's normal latency. Call after stop. */
  async stalls(windows: ReadonlyArray<readonly [number, number]>): Promise<StallReport> {
    const spans = windows.map(([from, to]) => `${from.toFixed(6)}:${to.toFixed(6)}`);
    return JSON.parse(await this.run(`python3 ${SCRIPT_PATH} stalls ${this.prefix} ${safe(spans)}`)) as StallReport;
  }

  /**
   * Checks sets, in one command: each set's `devices` are its snapshots in the writer's member
   * order, readable (thin snapshots activated); `completed` is how many records the writer had
   * completed when the set was done, so slots beyond that (plus a margin) hold none of this run.
   */
  async check(sets: ReadonlyArray<{ devices: readonly string[]; completed: number }>): Promise<SetCheck[]> {
    if (sets.length === 0) return [];
    const commands = sets.map(
      (set) => `python3 ${SCRIPT_PATH} check ${this.runId} ${Math.ceil(set.completed / this.devices.length) + 64} ${safe(set.devices)}`,
    );
    const lines = (await this.run(commands.join(" && "))).trim().split("\n");
    return lines.map((line) => JSON.parse(line) as SetCheck);
  }

  async remove(): Promise<void> {
    await this.run(`rm -f ${this.prefix}.*`);
  }
}
