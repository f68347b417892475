#!/bin/sh
# What nvmet-apply.sh printed for one host, read without changing anything: `discard=0|1`, and
# `dhchap=1` when the kernel holds a key for the host and its key is on record.
# Arguments: device, host NQN, host-keys directory.
set -eu
dev=$1 host=$2 keys=$3
probe_discard "$dev"
dhchap=0
[ ! -e "${CINDERBLOCK_CONFIGFS:-/sys/kernel/config}/nvmet/hosts/$host/dhchap_key" ] || [ ! -s "$keys/$host" ] || dhchap=1
echo "dhchap=$dhchap"
