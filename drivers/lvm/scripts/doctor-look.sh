#!/bin/sh
# Usage: doctor-look STAGING_DIR RUN_ROOT GATE_PREFIX
# One read-only look for what the host report does not show (cinderblock doctor): staged image
# files with their age and whether a process holds them open, group-snapshot run directories,
# and suspended gates. Prints `staged AGE_S OPEN PATH`, `window DIR`, `suspended NAME` lines.
dir=$1 run_root=$2 prefix=$3
now=$(date +%s)
for f in "$dir"/cb-stage-*; do
  [ -f "$f" ] || continue
  open=0
  [ -z "$(find /proc/[0-9]*/fd -maxdepth 1 -lname "$f" 2>/dev/null | head -n 1)" ] || open=1
  echo "staged $(( now - $(stat -c %Y -- "$f") )) $open $f"
done
for run in "$run_root"/run.*; do [ -d "$run" ] && echo "window $run"; done
dmsetup info -c --noheadings --separator ' ' -o name,suspended 2>/dev/null | while read -r name state; do
  case $name in "$prefix"*) [ "$state" = Suspended ] && echo "suspended $name" ;; esac
done
exit 0
