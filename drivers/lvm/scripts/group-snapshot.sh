#!/bin/bash
# The host side of group snapshots (groupSnapshotWindow.ts runs it with `bash -c TEXT NAME MODE ARG...`):
#
#   group-snapshot.sh recover RUN_ROOT GATE_PREFIX LVCREATE_WAIT LOCK LOCK_WAIT
#   group-snapshot.sh take LOCK LOCK_WAIT RUN_ROOT GATE_PREFIX MAX_PAUSE SUSPEND_TIMEOUT LVCREATE_WAIT
#                          DATA_MAX META_MAX VG MARK_COUNT MARK_ARGV... N (LV GATE SNAP COUNT LVCREATE_ARGV...)xN
#
# recover: leaves no trace of an earlier window whose script died: disarms its watchdog (claim,
# then kill it if it is still that watchdog), resumes every gate left suspended, and waits for a
# snapshot command such a window left running (it is never killed). Takes LOCK for up to
# LOCK_WAIT s unless LOCK is empty (the caller holds it). Prints `disarmed=`, `resumed=`,
# `resume_failed=` and `waited=` lines.
#
# take: one group snapshot. Everything that must not be cut off by a dropped SSH connection
# happens in this one exec: it detaches into a session of its own, ignores SIGHUP and SIGPIPE,
# prints nothing until it ends, and runs each lvcreate in a session of its own too, so neither
# the connection nor the transport's timeout can kill one between the thin pool's message and
# LVM's metadata commit (the failure that left a pool at "transaction id 5, expecting 6"). A
# watchdog in a session of its own ends the pause after MAX_PAUSE s whatever happens to the
# script; `mkdir` of `<run>/claim` decides atomically whether the script or the watchdog ends
# the window. Suspends every gate (default flags: flush, and lockfs so a filesystem on a gate is
# frozen clean; never --noflush), snapshots every member inside the pause, checks that every
# gate is still suspended, claims the window, resumes; then checks every snapshot exists and
# marks the set complete (MARK_ARGV).
#
# The pause is what a writer on the members waits for, so only the snapshots happen in it: all
# of them in one `lvm` process reading the lvcreates on stdin (one start-up instead of one per
# member); udev's work on what they changed is waited for after the pause (thin snapshots come
# with --noudevsync, see groups/window.ts). The shell goes on after a failed lvcreate; the snapshots missing after
# the pause say which failed. Its pid and start time are in <run>/lvm, so a recovery waits for
# a shell a dead window left running, as for an lvcreate.
#
# Values only ever arrive as positional arguments. Exit status:
#   0  done (take: `member=`, `paused_at=`, `resumed_at=`, `suspend_us=`, `pause_us=` lines)
#   3  refused before anything was paused: `refused=KIND|MESSAGE`, KIND one of lock, usage,
#      busy, config, missing, state, exists, full (a busy MESSAGE starts with the member's LV
#      name and `|`)
#   4  take abandoned, members resumed (`aborted=`, `member=` lines); the partial set is left
#      tagged incomplete for the caller to remove under the lock
#
# Output is buffered and printed once at the end (a closed connection must not stop the
# script with SIGPIPE).
set -u
trap '' HUP PIPE
export LVM_SUPPRESS_FD_WARNINGS=1
out=
say() { out+="$1"$'\n'; }
finish() { printf '%s' "$out"; exit "$1"; }
refuse() { say "refused=$1|$2"; finish 3; }
# Where the kernel's views are (tests point these at a temporary tree).
sys=${CINDERBLOCK_SYSFS:-/sys}
dev=${CINDERBLOCK_DEV:-/dev}

# The transport's remote timeout signals its own process group, and answers the SIGHUP of a
# dropped connection with a SIGKILL 3 s later: so `take` runs again in a session of its own
# (`setsid -f -w`: the waiting parent passes its output and status on).
if [ "${1:-}" = take ] && [ -z "${CINDERBLOCK_GSNAP_DETACHED:-}" ]; then
  export CINDERBLOCK_GSNAP_DETACHED=1
  # Run as `bash -c TEXT`, or installed as a file for a sudo host (see drivers/ssh/privilege.ts).
  if [ -n "${BASH_EXECUTION_STRING:-}" ]; then exec setsid -f -w bash -c "$BASH_EXECUTION_STRING" "$0" "$@"; fi
  exec setsid -f -w "$0" "$@"
fi

# A live process's start time (clock ticks since boot): with its pid, it names one process for
# good. Nothing for a zombie, which has finished. (The names here have no blanks: lvm, sleep.)
started_at() {
  local stat
  [ -n "$1" ] && read -r -a stat 2>/dev/null <"/proc/$1/stat" && [ "${stat[2]}" != Z ] && echo "${stat[21]}"
}
# Whether an lvm shell a dead window started (in shells, as "pid start-time") still runs.
shell_running() {
  local shell
  for shell in "${shells[@]}"; do [ "$(started_at "${shell%% *}")" = "${shell#* }" ] && return 0; done
  return 1
}

# Needs run_root, gate_prefix, lvcreate_wait. The tag is groupSnapshotSets.ts's SET_TAG.
recover_windows() {
  shells=()
  mkdir -p "$run_root"
  for run in "$run_root"/run.*; do
    [ -d "$run" ] || continue
    mkdir "$run/claim" 2>/dev/null
    wd=$(cat "$run/watchdog" 2>/dev/null)
    if [ -n "$wd" ] && { tr '\0' ' ' <"/proc/$wd/cmdline"; } 2>/dev/null | grep -qF -- "$run"; then kill -- "-$wd" 2>/dev/null; fi
    read -r lp started 2>/dev/null <"$run/lvm" && [ "$(started_at "$lp")" = "$started" ] && shells+=("$lp $started")
    rm -rf "$run"
    say "disarmed=$run"
  done
  while IFS='|' read -r name state; do
    case $name in "$gate_prefix"*) ;; *) continue ;; esac
    [ "$state" = Suspended ] || continue
    if dmsetup resume --noudevsync "$name"; then say "resumed=$name"; else say "resume_failed=$name"; fi
  done < <(dmsetup info -c --noheadings --separator '|' -o name,suspended 2>/dev/null)
  waited=0
  while pgrep -f '^lvcreate .*--addtag cb[.]gsnap=' >/dev/null || shell_running; do
    [ "$waited" -lt $((lvcreate_wait * 2)) ] || refuse state "a snapshot command of an abandoned group snapshot is still running after $lvcreate_wait s"
    sleep 0.5
    waited=$((waited + 1))
  done
  [ "$waited" -eq 0 ] || say "waited=$waited"
}

mode=${1:-}
shift
case $mode in
  recover)
    run_root=$1 gate_prefix=$2 lvcreate_wait=$3 lock=$4 lock_wait=$5
    if [ -n "$lock" ]; then
      exec 9>"$lock" || refuse lock "cannot open the lock file $lock"
      flock -w "$lock_wait" 9 || refuse lock "another group snapshot on this host held the lock for $lock_wait s"
    fi
    recover_windows
    finish 0
    ;;
  take) ;;
  *) refuse usage "unknown mode '$mode' (recover or take)" ;;
esac

# Resumes the gates one at a time: a resume of several stops at its first failure.
resume_each() {
  local gate
  for gate in "${gates[@]}"; do dmsetup resume --noudevsync "$gate" 2>/dev/null || say "resume_failed=$gate"; done
}
abort() {
  trap '' INT TERM
  say "aborted=$1"
  [ -n "$resumed" ] || resume_each
  kill -- "-$wd" 2>/dev/null
  [ -z "$lvpid" ] || wait "$lvpid" 2>/dev/null
  rm -rf "$run"
  finish 4
}
# shellcheck disable=SC2016 # the watchdog's own bash expands these: they are its arguments
WATCHDOG='sleep "$2" || exit 0
mkdir "$1/claim" 2>/dev/null || exit 0
shift 2
logger -t cinderblock "group snapshot: the maximum pause passed, resuming $*" 2>/dev/null
for gate in "$@"; do dmsetup resume --noudevsync "$gate"; done'

lock=$1 lock_wait=$2 run_root=$3 gate_prefix=$4 max_pause=$5 suspend_timeout=$6 lvcreate_wait=$7 data_max=$8 meta_max=$9 vg=${10}
shift 10
mark=("${@:2:$1}")
shift $(($1 + 1))
n=$1
shift
members=() gates=() snaps=() flat=() off=() cnt=()
for ((i = 0; i < n; i++)); do
  members+=("$1") gates+=("$2") snaps+=("$3")
  k=$4
  shift 4
  off+=("${#flat[@]}") cnt+=("$k")
  flat+=("${@:1:k}")
  shift "$k"
done
# shellcheck disable=SC2015 # either test failing refuses
[ "$n" -ge 1 ] && [ "${mark[0]:-}" = lvchange ] || refuse usage "malformed arguments"
for ((i = 0; i < n; i++)); do [ "${flat[off[i]]}" = lvcreate ] || refuse usage "malformed arguments"; done
# Each word goes single-quoted onto the lvm shell's line (LVM splits it on blanks, honouring a
# quote that opens a word): a quote or a line break in one would change the command.
for word in "${flat[@]}"; do case $word in *"'"* | *$'\n'*) refuse usage "malformed arguments" ;; esac; done
exec 9>"$lock" || refuse lock "cannot open the lock file $lock"
flock -w "$lock_wait" 9 || refuse lock "another group snapshot on this host held the lock for $lock_wait s"
recover_windows

# Nothing is paused yet, so a refusal here changes nothing.
[ "$(lvmconfig --type current devices/use_devicesfile 2>/dev/null)" = use_devicesfile=1 ] ||
  refuse config "LVM on this host does not use a devices file (devices/use_devicesfile=1): it would read the paused gates and hang"
declare -A SIZE MAJ MIN POOL DATA META TABLE STATE
while IFS='|' read -r name maj min size pool data meta; do
  name=${name// /}
  SIZE[$name]=${size// /} MAJ[$name]=${maj// /} MIN[$name]=${min// /} POOL[$name]=${pool// /} DATA[$name]=${data// /} META[$name]=${meta// /}
done < <(lvs --noheadings --separator '|' --units b --nosuffix -o lv_name,lv_kernel_major,lv_kernel_minor,lv_size,pool_lv,data_percent,metadata_percent "$vg")
while IFS= read -r line; do TABLE[${line%%: *}]=${line#*: }; done < <(dmsetup table 2>/dev/null)
while IFS='|' read -r name state; do STATE[$name]=$state; done < <(dmsetup info -c --noheadings --separator '|' -o name,suspended 2>/dev/null)
for ((i = 0; i < n; i++)); do
  lv=${members[i]} gate=${gates[i]}
  [ -n "${SIZE[$lv]:-}" ] || refuse missing "$vg/$lv does not exist"
  maj=${MAJ[$lv]} min=${MIN[$lv]}
  [ "$maj" -ge 0 ] 2>/dev/null || refuse state "$vg/$lv is not active"
  [ "${STATE[$gate]:-}" = Active ] || refuse state "the gate $gate of $vg/$lv is ${STATE[$gate]:-missing}, not Active"
  [ "${TABLE[$gate]:-}" = "0 $((SIZE[$lv] / 512)) linear $maj:$min 0" ] || refuse state "the gate $gate does not map exactly $vg/$lv"
  dm=$(basename "$(readlink -f "$dev/mapper/$gate")")
  # shellcheck disable=SC2012 # holders are kernel device names (dm-N)
  holders=$(ls "$sys/dev/block/$maj:$min/holders" 2>/dev/null | tr '\n' ' ')
  [ "$holders" = "$dm " ] || refuse busy "$lv|$vg/$lv is held by $holders; only its gate may use it"
  for try in 1 2 3 4 5 0; do
    opened=$(dmsetup info -c --noheadings -o open -j "$maj" -m "$min" 2>/dev/null)
    [ "${opened// /}" != 1 ] || break
    [ "$try" != 0 ] || refuse busy "$lv|$vg/$lv is open other than through its gate"
    sleep 0.2
  done
  [ -z "${SIZE[${snaps[i]}]:-}" ] || refuse exists "$vg/${snaps[i]} already exists"
  pool=${POOL[$lv]}
  [ -z "$pool" ] || awk -v d="${DATA[$pool]:-0}" -v m="${META[$pool]:-0}" -v dm="$data_max" -v mm="$meta_max" 'BEGIN { exit !(d < dm && m < mm) }' ||
    refuse full "the thin pool $vg/$pool is too full for a group snapshot (data ${DATA[$pool]}%, metadata ${META[$pool]}%; the limits are $data_max% and $meta_max%)"
done

mkdir -p "$run_root"
run=$(mktemp -d "$run_root/run.XXXXXX") || refuse state "cannot make a directory under $run_root"
echo "$$" >"$run/owner"
setsid bash -c "$WATCHDOG" cinderblock-gsnap-watchdog "$run" "$max_pause" "${gates[@]}" </dev/null >/dev/null 2>&1 9>&- &
wd=$!
echo "$wd" >"$run/watchdog"
lvpid='' resumed=''
trap 'abort "interrupted by a signal"' INT TERM
lines=
for ((i = 0; i < n; i++)); do
  for word in "${flat[@]:off[i]:cnt[i]}" --config devices/ignore_suspended_devices=1; do lines+="'$word' "; done
  lines+=$'\n'
done
t0=$EPOCHREALTIME
timeout "$suspend_timeout" dmsetup suspend "${gates[@]}" 2>"$run/suspend.err" ||
  abort "pausing the members failed or took longer than $suspend_timeout s: $(head -c 300 "$run/suspend.err")"
t1=$EPOCHREALTIME
setsid -w lvm < <(printf "%s" "$lines") >/dev/null 2>"$run/lvcreate.err" 9>&- &
lvpid=$!
echo "$lvpid $(started_at "$lvpid")" >"$run/lvm"
wait "$lvpid"
lvpid=
[ ! -e "$run/claim" ] || abort "the watchdog ended the pause after $max_pause s, before every member's snapshot was taken"
paused=$(dmsetup info -c --noheadings --separator '|' -o name,suspended "${gates[@]}" 2>/dev/null | grep -c '|Suspended *$')
[ "$paused" = "$n" ] || abort "a member's pause ended early (the watchdog after $max_pause s, or someone resumed a gate)"
mkdir "$run/claim" 2>/dev/null || abort "the watchdog ended the pause after $max_pause s, as the set was being completed"
dmsetup resume --noudevsync "${gates[@]}" 2>/dev/null || resume_each
t2=$EPOCHREALTIME
resumed=1
kill -- "-$wd" 2>/dev/null
trap - INT TERM
udevadm settle --timeout=30 2>/dev/null

# Outside the pause: every member's snapshot must exist (a missing one failed; LVM's last
# message says why); then one command marks the set complete.
present=$(lvs --noheadings -o lv_name "$vg" 2>/dev/null | tr -d ' ')
failed=
for ((i = 0; i < n; i++)); do
  if grep -qxF -- "${snaps[i]}" <<<"$present"; then
    say "member=${members[i]}|ok"
  else
    say "member=${members[i]}|failed|$(grep -v -e WARNING -e '^ *$' "$run/lvcreate.err" | tail -n 1 | head -c 300)"
    failed=${failed:-${members[i]}}
  fi
done
[ -z "$failed" ] || abort "the snapshot of $vg/$failed failed"
"${mark[@]}" >"$run/mark.out" 2>&1 || abort "marking the set complete failed: $(grep -v WARNING "$run/mark.out" | tail -n 1 | head -c 300)"
rm -rf "$run"
say "paused_at=$t0"
say "resumed_at=$t2"
say "suspend_us=$((${t1/./} - ${t0/./}))"
say "pause_us=$((${t2/./} - ${t0/./}))"
finish 0
