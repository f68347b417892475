/**
 * Finding and clearing what an interrupted operation left on a backend: the `cinderblock
 * doctor` capability. A driver reports only objects it made itself (for LVM: tagged LVs, its
 * gate devices, its staging files, its group-snapshot windows), so a fix can never touch
 * anything else.
 */

/** What was left, each kind with its own safe action. */
export type LeftoverKind =
  /** A create stopped part-way: the object is marked incomplete. */
  | "incomplete"
  /** A delete stopped part-way: the object is marked as being deleted. */
  | "deleting"
  /** A temporary snapshot a copy made, left when the copy stopped. */
  | "temporary"
  /** A volume device (gate) whose volume no longer exists. */
  | "orphanGate"
  /** A volume without its device, or whose device maps less or other than the volume. */
  | "missingGate"
  /** A staged image file no running copy uses. */
  | "stagedFile"
  /** The snapshots of a group snapshot that did not complete. */
  | "groupSnapshotSet"
  /** A group snapshot's pause window whose process died: devices may still be paused. */
  | "groupSnapshotWindow"
  /** A host that could not be examined. */
  | "unreachable";

export interface Leftover {
  kind: LeftoverKind;
  backend: string;
  host: string;
  /** What it is on the host: an LV name, a device name, a file path. */
  object: string;
  /** Why it is inconsistent, in words an operator can check. */
  reason: string;
  /** What `fix` does with it. */
  action: string;
}

export interface LeftoverFix extends Leftover {
  /** Gone (or repaired) when the host was examined again after the fix. */
  fixed: boolean;
  /** Why it was not fixed (an operation still running on it, a device held open, an error). */
  error?: string | undefined;
}

export interface LeftoverSweeper {
  /** Everything left inconsistent, on every configured host; changes nothing. */
  findLeftovers(): Promise<Leftover[]>;
  /**
   * Finishes or removes each leftover (an object an operation still works on is left alone),
   * then examines the hosts again: each one found, with whether it is gone now.
   */
  fixLeftovers(): Promise<LeftoverFix[]>;
}
