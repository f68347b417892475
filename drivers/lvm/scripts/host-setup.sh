#!/bin/sh
# A host's setup checks, side by side in one round trip:
#
#   host-setup.sh RECOVER RECOVER_ARG...
#
# Runs at once: the group-snapshot window recovery (the bash script in $recover_script, which
# the driver sets in front of this text, see hostScripts.ts; with the arguments after RECOVER) and the three reads that verify LVM's devices file (the effective
# devices/use_devicesfile, the devices file's entries, every PV with its VG). Then prints each
# part in the order recover, use_devicesfile, devices, pvs as a line "<RS>NAME EXIT" (RS is the
# ASCII record separator, octal 036) followed by its stdout, then a line "<RS>NAME.err"
# followed by its stderr.
#
# RECOVER is `recover` to recover, or empty (a read-only look at the host): then nothing is
# recovered and its part is empty, with status 0.
#
# Exit status: 0 when every part ran (each part's own status is in its header); 1 when no
# scratch directory could be made.
set -u
recover=$1
shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

part() {
  name=$1
  shift
  { "$@" >"$tmp/$name" 2>"$tmp/$name.err"; echo "$?" >"$tmp/$name.exit"; } &
}
if [ "$recover" = recover ]; then
  part recover bash -c "${recover_script:?}" cinderblock-gsnap-recover "$@"
else
  : >"$tmp/recover"
  : >"$tmp/recover.err"
  echo 0 >"$tmp/recover.exit"
fi
part use_devicesfile lvmconfig --type current devices/use_devicesfile
part devices lvm lvmdevices
part pvs lvm pvs --reportformat json -o pv_name,vg_name
wait

for name in recover use_devicesfile devices pvs; do
  printf '\036%s %s\n' "$name" "$(cat "$tmp/$name.exit")"
  cat "$tmp/$name"
  printf '\036%s.err\n' "$name"
  cat "$tmp/$name.err"
done
