#!/bin/sh
# Removes a volume in one round trip:
#
#   volume-remove.sh LOCK WAIT_S GATE MARK UNMARK WIPE REMOVE
#
# Under flock(1) on LOCK (the gate lock, waited for at most WAIT_S seconds), runs MARK (tags the
# LV as being deleted, so that gate recovery elsewhere leaves it alone; nothing when empty) and
# removes the device-mapper device GATE. Then runs WIPE (zeroes the LV; nothing when empty),
# with the lock released since a wipe takes long (MARK is what keeps recovery away then), and
# REMOVE (lvremove), still under the lock when there was no wipe.
#
# MARK, UNMARK, WIPE and REMOVE are command lines built and quoted by the driver; they are
# evaluated, never assembled here.
#
# Exit status: 0 when the LV is removed; 75 when LOCK was not taken in time; 77 when the gate is
# held open (UNMARK has run: the volume is untouched and still in use); 78 when the gate could
# not be removed for another reason; 79 when WIPE failed; 80 when MARK failed; otherwise
# REMOVE's own status (stderr passes through in every case).
set -u
lock=$1 wait_s=$2 gate=$3 mark=$4 unmark=$5 wipe=$6 remove=$7

exec 9>"$lock" || exit 75
flock -w "$wait_s" 9 || { echo "the host lock $lock was not free within $wait_s s" >&2; exit 75; }

if [ -n "$mark" ]; then
  run_line "$mark" || exit 80
fi

if ! errors=$(dmsetup remove "$gate" 2>&1); then
  case $errors in
    *"Device or resource busy"*)
      [ -z "$unmark" ] || run_line "$unmark"
      echo "$errors" >&2
      exit 77 ;;
    *"No such device"*|*"not found"*) ;;
    *) echo "$errors" >&2; exit 78 ;;
  esac
fi

if [ -n "$wipe" ]; then
  exec 9>&-
  run_line "$wipe" || exit 79
fi
run_line "$remove"
