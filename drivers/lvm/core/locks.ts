/**
 * Every host-side lock cinderblock takes (flock(1) on \`lockPath(name)\`, host.ts), in the one
 * order they may nest: a process holding one takes only locks further down this file, so two
 * processes can never wait for each other.
 *
 *   create-<uuid>            a create from a source, from its first look at the host to its end
 *   image-<vg>-<lv>          an image copy into or out of one volume
 *   groups                   group membership tags
 *   group-snapshots          the group-snapshot window and its recovery (scripts/group-snapshot.sh)
 *   targets                  export records and the kernel's targets
 *   thin-<vg>                a thin create's last over-subscription check and its write (scripts/thin-create.sh)
 *   gates-<vg>               making and removing gates (scripts/lv-write.sh, scripts/volume-remove.sh)
 */

/**
 * Held by a thin create from its last look at the pool's provisioned total to its lvcreate:
 * LVM never refuses an over-subscribing thin create, so two processes placing on one host would
 * otherwise both pass a check their schedulers made apart.
 */
export function thinLockName(vg: string): string {
  return `thin-${vg}`;
}

/** The host-side lock that serializes making gates with removing them, per volume group. */
export function gateLockName(vg: string): string {
  return `gates-${vg}`;
}

/**
 * Held by a create from a source (a copy, possibly long) from its first look at the host to its
 * end: an identical create waits for it and then finds the volume made, instead of taking the
 * half-made LV for a crashed attempt's; doctor leaves an incomplete LV alone while it is held.
 */
export function createLockName(uuid: string): string {
  return `create-${uuid}`;
}

/** How long an identical create waits for the first one: a copy of a large volume takes a while (a lock is held 30 minutes at most, see LvmHost.withLock). */
export const CREATE_LOCK_WAIT_S = 25 * 60;

/** One image copy at a time per volume, across processes: a second would tear the first. */
export function imageLock(host: { volumeGroup: string }, lvName: string): string {
  return `image-${host.volumeGroup}-${lvName}`;
}

/** Group membership changes, per host: two processes cannot give one name to two groups. */
export const MEMBERSHIP_LOCK = "groups";

/** One group snapshot at a time per host (the gates of all its volume groups). Also taken by recovery. */
export const GROUP_SNAPSHOT_LOCK = "group-snapshots";

/** LIO and nvmet configurations are host-wide: every export change on a host runs under this one lock. */
export const TARGETS_LOCK = "targets";
