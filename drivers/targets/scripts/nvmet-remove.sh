#!/bin/sh
# Removes one nvmet subsystem (port links, allowed hosts, namespaces), then every host entry it
# allowed that no other subsystem still allows (with its stored key), then its record.
# Arguments: subsystem NQN, record path, host-keys directory.
set -eu
nqn=$1 record=$2 keys=$3
N=${CINDERBLOCK_CONFIGFS:-/sys/kernel/config}/nvmet
sub=$N/subsystems/$nqn
if [ -d "$sub" ]; then
  for listener in "$N"/ports/*; do [ ! -L "$listener/subsystems/$nqn" ] || rm -f "$listener/subsystems/$nqn"; done
  hosts=
  for link in "$sub"/allowed_hosts/*; do [ ! -L "$link" ] || { hosts="$hosts $(basename "$link")"; rm -f "$link"; }; done
  for ns in "$sub"/namespaces/*; do [ ! -d "$ns" ] || { echo 0 > "$ns/enable"; rmdir "$ns"; }; done
  rmdir "$sub"
  for host in $hosts; do release_host "$N" "$keys" "$host"; done
fi
rm -f "$record"
