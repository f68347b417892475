#!/bin/sh
# The kernel's NVMe-oF target (nvmet) through its configfs tree, as nvmetcli (and Cinder's
# nvmet target) configure it, but closed by default: no `allow_any_host`, only listed hosts.
#
# Makes one subsystem match the record.
# Arguments: subsystem NQN, device, namespace id, listen address, listen port, namespace uuid
# (or empty), record path, host-keys directory, then the host NQNs to allow. Stdin: the record
# (one line), then one `<host nqn> <candidate key>` line per host. Prints `discard=0|1` and
# `dhchap=0|1`. Exit codes: 0 done, 3 no such device; anything else failed on the way.
#
# A host's key is its stored one when there is one (the candidate is only used for a host
# that has none yet), so a host keeps its key across volumes and reboots. Keys are written to
# the kernel only where it supports DH-HMAC-CHAP (a `dhchap_key` attribute in the host's
# directory: CONFIG_NVME_TARGET_AUTH). The subsystem is linked to the TCP port listening on the
# address and port, which is created when missing.
#
# nvmet checks allowed_hosts only when a host connects: a revoked host's live controllers would
# keep reading and writing. So when a host was revoked, the subsystem's port links are cut and
# made again, which deletes every controller of this subsystem (nvmet_port_del_ctrls; other
# subsystems on the port are untouched). Hosts still allowed reconnect by themselves after their
# reconnect_delay (10 s by default), their I/O queued meanwhile, not failed; a revoked host's
# reconnects are refused.
set -eu
nqn=$1 dev=$2 nsid=$3 address=$4 port=$5 uuid=$6 record=$7 keys=$8
shift 8
persist_record "$record"
require_device "$dev"
N=${CINDERBLOCK_CONFIGFS:-/sys/kernel/config}/nvmet
# A host that has never served a subsystem has not loaded nvmet (configfs shows it only then).
[ -d "$N" ] || modprobe -a nvmet nvmet_tcp
sub=$N/subsystems/$nqn
ns=$sub/namespaces/$nsid
mkdir -p "$ns"
echo 0 > "$sub/attr_allow_any_host"
if [ "$(cat "$ns/device_path")" != "$dev" ] || [ "$(cat "$ns/enable")" != 1 ]; then
  echo 0 > "$ns/enable"
  printf '%s' "$dev" > "$ns/device_path"
  [ -z "$uuid" ] || printf '%s' "$uuid" > "$ns/device_uuid"
  echo 1 > "$ns/enable"
fi
discard=$(device_discard "$dev")
dhchap=0
mkdir -p "$keys"
while IFS=' ' read -r host candidate; do
  mkdir -p "$N/hosts/$host"
  [ -L "$sub/allowed_hosts/$host" ] || ln -s "$N/hosts/$host" "$sub/allowed_hosts/$host"
  [ -e "$N/hosts/$host/dhchap_key" ] || continue
  dhchap=1
  [ -s "$keys/$host" ] || printf '%s' "$candidate" > "$keys/$host"
  cat "$keys/$host" > "$N/hosts/$host/dhchap_key"
done
revoked=0
for link in "$sub"/allowed_hosts/*; do
  [ -L "$link" ] || continue
  for host in "$@"; do [ "$(basename "$link")" = "$host" ] && continue 2; done
  rm -f "$link"
  revoked=1
  release_host "$N" "$keys" "$(basename "$link")"
done
listener=
for candidate in "$N"/ports/*; do
  [ -d "$candidate" ] || continue
  if [ "$(cat "$candidate/addr_trtype")" = tcp ] && [ "$(cat "$candidate/addr_traddr")" = "$address" ] && [ "$(cat "$candidate/addr_trsvcid")" = "$port" ]; then listener=$candidate; break; fi
done
if [ -z "$listener" ]; then
  id=1
  while [ -e "$N/ports/$id" ]; do id=$((id + 1)); done
  listener=$N/ports/$id
  mkdir "$listener"
  case $address in *:*) family=ipv6 ;; *) family=ipv4 ;; esac
  echo tcp > "$listener/addr_trtype"
  echo $family > "$listener/addr_adrfam"
  printf '%s' "$address" > "$listener/addr_traddr"
  printf '%s' "$port" > "$listener/addr_trsvcid"
fi
if [ $revoked = 1 ]; then
  for linked in "$N"/ports/*/subsystems/"$nqn"; do [ ! -L "$linked" ] || { rm -f "$linked"; ln -s "$sub" "$linked"; }; done
fi
[ -L "$listener/subsystems/$nqn" ] || ln -s "$sub" "$listener/subsystems/$nqn"
echo "discard=$discard"
echo "dhchap=$dhchap"
