#!/bin/sh
# A host's setup checks, side by side in one round trip:
#
#   host-setup.sh EXPORTS RECOVER RECOVER_ARG...
#
# Runs at once: the group-snapshot window recovery (the text of group-snapshot.sh, which the
# driver binds in front of this text as $recover_script, see hostScripts.ts, run by bash in its
# mode `recover` with RECOVER_ARG...), the three reads that verify LVM's devices file (the
# effective devices/use_devicesfile, the devices file's entries, every PV with its VG), and the
# list of export records in the directory EXPORTS whose target the kernel does not serve (all
# of them after a reboot: the kernel keeps no target configuration), one path a line. Then
# prints each part in the order recover, use_devicesfile, devices, pvs, exports as a line
# "<RS>NAME EXIT" (RS is the ASCII record separator, octal 036) followed by its stdout, then a
# line "<RS>NAME.err" followed by its stderr.
#
# RECOVER is `recover` to recover, or empty (a read-only look at the host): then nothing is
# recovered and its part is empty, with status 0.
#
# Exit status: 0 when every part ran (each part's own status is in its header); 1 when no
# scratch directory could be made.
set -u
exports=$1
recover=$2
shift 2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

part() {
  name=$1
  shift
  { "$@" >"$tmp/$name" 2>"$tmp/$name.err"; echo "$?" >"$tmp/$name.exit"; } &
}
# A record is one line of JSON written by cinderblock; a target name it cannot find counts as
# not served, so the worst a surprise costs is one needless (idempotent) restore.
configfs=${CINDERBLOCK_SYSFS:-/sys}/kernel/config
unserved_exports() {
  for record in "$1"/*.json; do
    [ -f "$record" ] || continue
    target=$(sed -n 's/.*"target":"\([^"]*\)".*/\1/p' "$record")
    if [ -n "$target" ] && { [ -d "$configfs/target/iscsi/$target" ] || [ -d "$configfs/nvmet/subsystems/$target" ]; }; then
      continue
    fi
    printf '%s\n' "$record"
  done
}
if [ "$recover" = recover ]; then
  part recover bash -c "${recover_script:?}" cinderblock-gsnap-recover recover "$@"
else
  : >"$tmp/recover"
  : >"$tmp/recover.err"
  echo 0 >"$tmp/recover.exit"
fi
part use_devicesfile lvmconfig --type current devices/use_devicesfile
part devices lvm lvmdevices
part pvs lvm pvs --reportformat json -o pv_name,vg_name
part exports unserved_exports "$exports"
wait

for name in recover use_devicesfile devices pvs exports; do
  printf '\036%s %s\n' "$name" "$(cat "$tmp/$name.exit")"
  cat "$tmp/$name"
  printf '\036%s.err\n' "$name"
  cat "$tmp/$name.err"
done
