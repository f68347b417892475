#!/bin/sh
# LIO through its configfs tree, doing what rtslib-fb (and so targetcli and Cinder's
# cinder-rtstool) does for a block backstore, one iSCSI target, its TPG, portal, LUN and ACLs.
# The kernel only accepts these writes from root.
#
# Makes one target match the record.
# Arguments: target IQN, backstore name, device, listen `address:port`, unit serial, record
# path, then the initiator IQNs to grant. Stdin: the record (one line), then one
# `<initiator> <chap user> <chap secret> [<target's user> <target's secret>]` line per
# initiator, the last two for mutual CHAP. Prints `discard=0|1`.
# Exit codes: 0 done, 2 credentials for an initiator not granted, 3 no such device, 4 the
# backstore or the target's LUN 0 serves another device; anything else failed on the way.
#
# The TPG is never open: no generate_node_acls (no demo mode), authentication on, and each
# initiator gets its own ACL mapping LUN 0 with its own CHAP credentials; ACLs of initiators
# not listed are removed (LIO then closes their sessions). An existing LUN 0 that serves another
# backstore is an error (another target took this name), not something to overwrite.
set -eu
iqn=$1 so=$2 dev=$3 listen=$4 serial=$5 record=$6
shift 6
persist_record "$record"
require_device "$dev"
T=${CINDERBLOCK_CONFIGFS:-/sys/kernel/config}/target
# A host that has never served a target has not loaded LIO (configfs shows it only then).
[ -d "$T/core" ] || modprobe -a target_core_mod target_core_iblock iscsi_target_mod
so_dir=$(backstore_dir "$T" "$so")
if [ ! -d "$so_dir" ]; then
  mkdir -p "$so_dir"
  printf 'udev_path=%s' "$dev" > "$so_dir/control"
  printf '%s' "$dev" > "$so_dir/udev_path"
  printf '%s' "$serial" > "$so_dir/wwn/vpd_unit_serial"
fi
[ "$(cat "$so_dir/udev_path")" = "$dev" ] || { echo "backstore $so serves $(cat "$so_dir/udev_path"), not $dev" >&2; exit 4; }
[ "$(cat "$so_dir/enable")" = 1 ] || echo 1 > "$so_dir/enable"
discard=$(device_discard "$dev")
[ "$discard" = 0 ] || echo 1 > "$so_dir/attrib/emulate_tpu"
tpg=$T/iscsi/$iqn/tpgt_1
lun=$tpg/lun/lun_0
mkdir -p "$lun" "$tpg/np/$listen"
echo 0 > "$tpg/attrib/generate_node_acls"
echo 0 > "$tpg/attrib/cache_dynamic_acls"
echo 1 > "$tpg/attrib/demo_mode_write_protect"
echo 1 > "$tpg/attrib/authentication"
serving=
for link in "$lun"/*; do [ -L "$link" ] && serving=$(readlink -f "$link"); done
if [ -z "$serving" ]; then ln -s "$so_dir" "$lun/cinderblock"
elif [ "$serving" != "$(readlink -f "$so_dir")" ]; then echo "$iqn LUN 0 already serves $serving" >&2; exit 4; fi
while IFS=' ' read -r initiator user secret mutual_user mutual_secret; do
  listed=0
  for granted in "$@"; do [ "$granted" = "$initiator" ] && listed=1; done
  [ $listed = 1 ] || { echo "credentials for $initiator, which is not granted" >&2; exit 2; }
  acl=$tpg/acls/$initiator
  mkdir -p "$acl/lun_0"
  [ -L "$acl/lun_0/cinderblock" ] || ln -s "$lun" "$acl/lun_0/cinderblock"
  printf '%s' "$user" > "$acl/auth/userid"
  printf '%s' "$secret" > "$acl/auth/password"
  # LIO authenticates the target to the initiator once both are set; writing NULL unsets them.
  if [ -n "$mutual_user" ]; then
    printf '%s' "$mutual_user" > "$acl/auth/userid_mutual"
    printf '%s' "$mutual_secret" > "$acl/auth/password_mutual"
  elif [ "$(cat "$acl/auth/userid_mutual")" != NULL ] && [ -n "$(cat "$acl/auth/userid_mutual")" ]; then
    echo NULL > "$acl/auth/userid_mutual"
    echo NULL > "$acl/auth/password_mutual"
  fi
done
for acl in "$tpg"/acls/*; do
  [ -d "$acl" ] || continue
  for initiator in "$@"; do [ "$(basename "$acl")" = "$initiator" ] && continue 2; done
  for mapped in "$acl"/lun_*; do
    [ -d "$mapped" ] || continue
    for link in "$mapped"/*; do [ ! -L "$link" ] || rm -f "$link"; done
    rmdir "$mapped"
  done
  rmdir "$acl"
done
[ "$(cat "$tpg/enable")" = 1 ] || echo 1 > "$tpg/enable"
echo "discard=$discard"
