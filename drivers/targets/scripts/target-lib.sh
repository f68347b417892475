#!/bin/sh
# Functions shared by the LIO and nvmet scripts beside this file; the driver puts this file
# before each of them (drivers/targets/scripts.ts). The scripts drive the kernel's configfs
# (LIO under target/, nvmet under nvmet/) below $CINDERBLOCK_CONFIGFS (/sys/kernel/config
# unless set: tests point it at a temporary tree). Values reach a script only as positional
# arguments and secrets only on stdin, never in argv where `ps` and logs would show them.
# A shell script costs a fraction of a second on the host; python3 with rtslib costs seconds,
# which every attachment would pay while holding the host's target lock.

# Writes the export record (the first line of stdin) to the path $1 atomically, readable by
# root only. It is written before the kernel is configured, so a crash in between leaves a
# record that the next call (or ensureExport) completes. The file is synced before the rename:
# ext4 can otherwise leave a renamed new file empty after a power loss (seen in the lab), which
# would lose the export's initiators and credentials. The umask stays for the rest of the script.
persist_record() {
  umask 077
  mkdir -p "$(dirname "$1")"
  IFS= read -r line
  printf '%s\n' "$line" > "$1.tmp"
  sync -- "$1.tmp"
  mv -f "$1.tmp" "$1"
  sync -- "$(dirname "$1")"
}

# The backstore must be the volume's gate ($1); it is recreated at host setup after a boot. Exit 3 otherwise.
require_device() {
  [ -b "$1" ] || { echo "device $1 does not exist (the volume's gate is not set up)" >&2; exit 3; }
}

# Prints 1 when the device $1 accepts discards (thin volumes reclaim space then), else 0.
device_discard() {
  if [ "$(lsblk -bdno DISC-MAX "$1" | tr -d ' ')" = 0 ]; then echo 0; else echo 1; fi
}

# Prints `discard=0|1` for the device $1 without changing anything; a missing device (a lost gate) offers none.
probe_discard() {
  if [ -b "$1" ]; then echo "discard=$(device_discard "$1")"; else echo "discard=0"; fi
}

# LIO: the directory of backstore $2 under the LIO tree $1. cinderblock's backstores live under
# an HBA of their own (rtslib numbers its own from 0), so that nothing else's numbering ever meets them.
backstore_dir() {
  printf '%s/core/iblock_203/%s' "$1" "$2"
}

# nvmet: drops the entry of host $3 under the nvmet tree $1 (and its stored key in the
# directory $2) when no subsystem allows it any more, so a later attach starts with a new key.
# Entries other subsystems still allow are left alone.
release_host() {
  ls "$1"/subsystems/*/allowed_hosts/"$3" >/dev/null 2>&1 && return 0
  [ ! -d "$1/hosts/$3" ] || rmdir "$1/hosts/$3"
  rm -f "$2/$3"
}
