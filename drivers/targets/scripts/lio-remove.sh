#!/bin/sh
# Removes one LIO target (every TPG, ACL, LUN and portal), its backstore and its record; absent
# parts are skipped. Arguments: target IQN, backstore name, record path.
set -eu
iqn=$1 so=$2 record=$3
T=${CINDERBLOCK_CONFIGFS:-/sys/kernel/config}/target
unlink_in() { for link in "$1"/*; do [ ! -L "$link" ] || rm -f "$link"; done; }
if [ -d "$T/iscsi/$iqn" ]; then
  for tpg in "$T/iscsi/$iqn"/tpgt_*; do
    [ -d "$tpg" ] || continue
    echo 0 > "$tpg/enable"
    for acl in "$tpg"/acls/*; do
      [ -d "$acl" ] || continue
      for mapped in "$acl"/lun_*; do [ ! -d "$mapped" ] || { unlink_in "$mapped"; rmdir "$mapped"; }; done
      rmdir "$acl"
    done
    for lun in "$tpg"/lun/lun_*; do [ ! -d "$lun" ] || { unlink_in "$lun"; rmdir "$lun"; }; done
    for portal in "$tpg"/np/*; do [ ! -d "$portal" ] || rmdir "$portal"; done
    rmdir "$tpg"
  done
  rmdir "$T/iscsi/$iqn"
fi
so_dir=$(backstore_dir "$T" "$so")
[ ! -d "$so_dir" ] || rmdir "$so_dir"
rm -f "$record"
