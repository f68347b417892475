/** The host-side lock that serializes making gates with removing them, per volume group. */
export function gateLockName(vg: string): string {
  return `gates-${vg}`;
}
