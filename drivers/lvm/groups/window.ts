import { VolumeBackendAPIException } from "../../interface/errors";
import { lvcreateArgv, type LvcreateRequest } from "../commands/lvcreate";
import { LOCK_WAIT_S, lockPath, type LvmHost } from "../core/host";
import { GATE_PREFIX } from "../model/names";
import { scriptArgv } from "../core/hostScripts";
import { GROUP_SNAPSHOT_LOCK } from "../core/locks";

/** Runs the host side of group snapshots (scripts/group-snapshot.sh: its header says why it works as it does) and reads what it prints. */

/** Per window: the owner's pid, the watchdog's pid, and `claim` once the window's end is decided. */
export const RUN_ROOT = "/run/cinderblock-gsnap";

/** How long to wait for a leftover snapshot command. */
const LVCREATE_WAIT_S = 120;
/** A thin pool this full (data %, metadata %) takes no group snapshot: a full pool stalls the I/O the pause must drain. */
export const POOL_DATA_MAX_PERCENT = 90;
export const POOL_METADATA_MAX_PERCENT = 80;

export interface WindowMember {
  lvName: string;
  gate: string;
  snapshotName: string;
  /** How its snapshot is made (one lvcreate, run inside the pause). */
  create: LvcreateRequest;
}

export interface WindowSettings {
  maxPauseSeconds: number;
  suspendTimeoutSeconds: number;
}

export interface MemberOutcome {
  lvName: string;
  taken: boolean;
  /** LVM's last line, when its snapshot failed. */
  error?: string | undefined;
}

/** Why a group snapshot was refused before anything was paused. */
export type RefusalKind = "lock" | "usage" | "busy" | "config" | "missing" | "state" | "exists" | "full";

export type WindowOutcome =
  | { kind: "taken"; members: MemberOutcome[]; pauseMs: number; suspendMs: number; pausedAt: number; resumedAt: number }
  | { kind: "refused"; reason: RefusalKind; message: string; lvName?: string | undefined }
  | { kind: "aborted"; message: string; members: MemberOutcome[] };

/** The script's arguments: fixed settings, the argv that marks the set complete, then each member with its lvcreate argv. */
export function windowArgs(vg: string, members: readonly WindowMember[], markArgv: readonly string[], settings: WindowSettings): string[] {
  return [
    lockPath(GROUP_SNAPSHOT_LOCK),
    String(LOCK_WAIT_S),
    RUN_ROOT,
    GATE_PREFIX,
    String(settings.maxPauseSeconds),
    String(settings.suspendTimeoutSeconds),
    String(LVCREATE_WAIT_S),
    String(POOL_DATA_MAX_PERCENT),
    String(POOL_METADATA_MAX_PERCENT),
    vg,
    String(markArgv.length),
    ...markArgv,
    String(members.length),
    ...members.flatMap((member) => {
      const argv = [...lvcreateArgv(vg, member.create), ...noUdevSync(member.create)];
      return [member.lvName, member.gate, member.snapshotName, String(argv.length), ...argv];
    }),
  ];
}

/**
 * An inactive thin snapshot makes no device, so its lvcreate need not wait inside the pause for
 * udev to process the origin's suspend and resume (the script settles udev after the pause). A
 * thick snapshot does wait: lvcreate wipes its new copy-on-write device through the /dev path
 * udev makes, and without the wait it finds none and fails.
 */
function noUdevSync(create: LvcreateRequest): string[] {
  return create.kind === "thinSnapshot" && !create.activate ? ["--noudevsync"] : [];
}

const REFUSALS: ReadonlySet<string> = new Set<RefusalKind>(["lock", "usage", "busy", "config", "missing", "state", "exists", "full"]);

/** Reads what group-snapshot.sh take printed, given its exit code (0, 3 or 4). */
export function parseWindowOutput(exitCode: number, stdout: string): WindowOutcome {
  const lines = stdout.split("\n").filter((line) => line.includes("="));
  const value = (key: string): string | undefined => lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
  const members = lines
    .filter((line) => line.startsWith("member="))
    .map((line): MemberOutcome => {
      const [lvName = "", state, ...error] = line.slice("member=".length).split("|");
      return { lvName, taken: state === "ok", error: state === "ok" ? undefined : error.join("|") };
    });
  const refused = value("refused");
  if (exitCode === 3 && refused !== undefined) {
    const [kind = "", ...rest] = refused.split("|");
    const reason = REFUSALS.has(kind) ? (kind as RefusalKind) : "state";
    // A busy refusal names the member first.
    return reason === "busy" && rest.length > 1
      ? { kind: "refused", reason, lvName: rest[0], message: rest.slice(1).join("|") }
      : { kind: "refused", reason, message: rest.join("|") };
  }
  const aborted = value("aborted");
  if (exitCode === 4 && aborted !== undefined) return { kind: "aborted", message: aborted, members };
  const [pausedAt, resumedAt, suspendUs, pauseUs] = ["paused_at", "resumed_at", "suspend_us", "pause_us"].map((key) => Number(value(key)));
  if (exitCode !== 0 || ![pausedAt, resumedAt, suspendUs, pauseUs].every(Number.isFinite)) {
    throw new VolumeBackendAPIException(`the group snapshot script ended with status ${exitCode} and unexpected output: ${stdout.slice(0, 300)}`);
  }
  return { kind: "taken", members, pauseMs: (pauseUs ?? 0) / 1000, suspendMs: (suspendUs ?? 0) / 1000, pausedAt: pausedAt ?? 0, resumedAt: resumedAt ?? 0 };
}

/**
 * Takes the set in one exec. The deadline covers queueing for the lock, waiting for a leftover
 * lvcreate, the pause and completing the set, generously: the transport's timeout kills the
 * script, which then resumes the members first.
 */
export async function runWindow(
  host: LvmHost,
  members: readonly WindowMember[],
  markArgv: readonly string[],
  settings: WindowSettings,
): Promise<WindowOutcome> {
  const args = windowArgs(host.volumeGroup, members, markArgv, settings);
  const deadlineS = LOCK_WAIT_S + LVCREATE_WAIT_S + settings.suspendTimeoutSeconds + settings.maxPauseSeconds + 60 + 10 * members.length;
  const result = await host.run(scriptArgv("group-snapshot.sh", ["take", ...args], "cinderblock-gsnap"), { timeoutMs: deadlineS * 1000, okExitCodes: [3, 4] });
  return parseWindowOutput(result.exitCode, result.stdout);
}

export interface WindowRecovery {
  /** Run directories of dead windows whose watchdogs were disarmed. */
  disarmed: string[];
  resumedGates: string[];
  /** Gates that stayed suspended (resume failed): their consumers are still blocked. */
  stillSuspended: string[];
  /** A snapshot command of a dead window was still running, and was waited for. */
  waitedForSnapshot: boolean;
}

/** The arguments of group-snapshot.sh recover; `lockHeld` when the caller holds the group-snapshot lock. */
export function recoverArgs(lockHeld: boolean): string[] {
  return ["recover", RUN_ROOT, GATE_PREFIX, String(LVCREATE_WAIT_S), lockHeld ? "" : lockPath(GROUP_SNAPSHOT_LOCK), String(LOCK_WAIT_S)];
}

/** How long the recovery may take: its lock wait and its wait for a leftover lvcreate. */
export const RECOVER_TIMEOUT_MS = (LOCK_WAIT_S + LVCREATE_WAIT_S + 60) * 1000;

/** Clears what dead windows left on the host (group-snapshot.sh recover); `lockHeld` when the caller holds the group-snapshot lock. */
export async function recoverWindows(host: LvmHost, lockHeld: boolean): Promise<WindowRecovery> {
  const result = await host.run(scriptArgv("group-snapshot.sh", recoverArgs(lockHeld), "cinderblock-gsnap-recover"), {
    timeoutMs: RECOVER_TIMEOUT_MS,
    okExitCodes: [3],
  });
  return readRecovery(host.name, result.stdout, result.exitCode);
}

/** What the recovery printed. @throws VolumeBackendAPIException when it refused (exit 3) or failed */
export function readRecovery(hostName: string, stdout: string, exitCode: number): WindowRecovery {
  const lines = stdout.split("\n");
  const values = (key: string): string[] => lines.filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
  const [refused] = values("refused");
  if (exitCode !== 0)
    throw new VolumeBackendAPIException(`recovering group snapshots on ${hostName}: ${refused?.split("|").slice(1).join("|") ?? `exit ${exitCode}`}`);
  return {
    disarmed: values("disarmed"),
    resumedGates: values("resumed"),
    stillSuspended: values("resume_failed"),
    waitedForSnapshot: values("waited").length > 0,
  };
}
