#!/bin/sh
# The last capacity check of a thin write (a create, a thin clone, an extend) and the write
# itself, in one round trip:
#
#   thin-create.sh LOCK WAIT_S VG POOL RATIO SIZE_BYTES  then lv-write.sh's six arguments
#
# Thin writes are not refused by LVM when they over-subscribe the pool, and each process's
# scheduler counts only its own reservations; so under flock(1) on LOCK (the thin lock of VG,
# waited for at most WAIT_S seconds, held until this script ends), the pool's size and what its
# thin volumes provision are read, and the write goes on only when SIZE_BYTES more stays
# within RATIO (a number, may have decimals) times the pool. The driver appends lv-write.sh to
# this text, which then runs with the remaining arguments (the write and the volume's gate).
#
# Exit status: 75 when LOCK was not taken in time; 81 when the write would over-subscribe the
# pool (stderr gives the figures: nothing was written); 82 when POOL is not in VG; the lvs's own
# when it fails; otherwise lv-write.sh's.
set -u
thin_lock=$1 thin_wait_s=$2 thin_vg=$3 thin_pool=$4 thin_ratio=$5 thin_size=$6
shift 6

exec 8>"$thin_lock" || exit 75
flock -w "$thin_wait_s" 8 || { echo "the host lock $thin_lock was not free within $thin_wait_s s" >&2; exit 75; }

thin_report=$(lvs --noheadings --units b --nosuffix --separator ' ' -o lv_name,lv_size,pool_lv "$thin_vg") || exit $?
# Sizes in bytes are summed as doubles: exact far beyond any real pool (2^53 bytes is 8 PiB).
printf '%s\n' "$thin_report" | awk -v pool="$thin_pool" -v ratio="$thin_ratio" -v size="$thin_size" '
  $1 == pool { pool_bytes = $2 }
  $3 == pool { provisioned += $2 }
  END {
    if (pool_bytes == "") { printf "thin pool %s is not in the volume group\n", pool > "/dev/stderr"; exit 82 }
    if (provisioned + size > pool_bytes * ratio) {
      printf "%.0f bytes more would over-subscribe thin pool %s beyond %sx its %.0f bytes (%.0f bytes provisioned)\n", size, pool, ratio, pool_bytes, provisioned > "/dev/stderr"
      exit 81
    }
  }' || exit $?
