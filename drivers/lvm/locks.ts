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
