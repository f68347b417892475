#!/bin/sh
# One LVM write to a volume and the gate that must follow it, in one round trip:
#
#   lv-write.sh LOCK WAIT_S DEVICE GATE WRITE ACTIVATE
#
# Under flock(1) on LOCK (waited for at most WAIT_S seconds; no lock when LOCK is empty, for a
# caller that holds it), runs the command line WRITE (an lvcreate, lvextend or lvchange; nothing
# when empty); then makes the device-mapper device GATE a linear map of the whole of DEVICE
# (created, or reloaded and resumed when its table differs), running ACTIVATE first when DEVICE
# is not there. It prints nothing on stdout (what the commands print goes to stderr).
#
# WRITE and ACTIVATE are command lines built and quoted by the driver (drivers/ssh/quote.ts);
# they are evaluated, never assembled here.
#
# Exit status: 0 when done; WRITE's or ACTIVATE's own when it fails (its stderr passes
# through); 75 when LOCK was not taken in time; 76 when the gate could not be made (stderr says
# why: the LV is written, and gate recovery repairs the gate).
set -u
lock=$1 wait_s=$2 device=$3 gate=$4 write=$5 activate=$6

if [ -n "$lock" ]; then
  exec 9>"$lock" || exit 75
  flock -w "$wait_s" 9 || { echo "the host lock $lock was not free within $wait_s s" >&2; exit 75; }
fi

if [ -n "$write" ]; then
  run_line "$write" >&2 || exit $?
fi

# A table with its spaces normalized: dmsetup pads some tables.
words() {
  # shellcheck disable=SC2086 # splitting into words is the point
  set -- $1
  echo "$*"
}

# Sets major, minor, sectors and uuid from sysfs for the device-mapper device named $1, without
# starting a process; returns 1 when there is no such device. (The sysfs root can be moved for
# tests only.)
dm_device() {
  for dir in "${CINDERBLOCK_SYSFS:-/sys}"/block/dm-*; do
    read -r name 2>/dev/null < "$dir/dm/name" || continue
    [ "$name" = "$1" ] || continue
    IFS=: read -r major minor < "$dir/dev" && read -r sectors < "$dir/size" && read -r uuid < "$dir/dm/uuid" && return 0
  done
  return 1
}

gate_failed() { echo "gate $gate: $1" >&2; exit 76; }
if ! dm_device "${device##*/}"; then
  run_line "$activate" >&2 || exit $?
  dm_device "${device##*/}" || gate_failed "$device is not there after activation"
fi
wanted="0 $sectors linear $major:$minor 0"
# A new volume has no gate yet: try that first, one command. Otherwise (a retry, a resize, or
# another process just made it) the gate only has to map the LV as it is now.
if ! failure=$(dmsetup create "$gate" --uuid "CBGATE-${uuid#LVM-}" --table "$wanted" 2>&1); then
  current=$(dmsetup table "$gate" 2>/dev/null) || gate_failed "$failure"
  if [ "$(words "$current")" != "$wanted" ]; then
    dmsetup reload "$gate" --table "$wanted" || gate_failed "reload failed"
    dmsetup resume "$gate" || gate_failed "resume failed"
  fi
fi
