#!/bin/sh
# Usage: image-prepare STAGING_DIR STALE_MINUTES
# Makes the staging directory (0700), removes staged files older than STALE_MINUTES, makes this
# copy's staging file, and prints its path, then the bytes free in the directory.
set -e
# Only the staging directory itself must be private; its parents are the operator's.
# shellcheck disable=SC2174
mkdir -p -m 0700 -- "$1"
find "$1" -maxdepth 1 -type f -name 'cb-stage-*' -mmin "+$2" -exec rm -f -- {} +
mktemp -p "$1" cb-stage-XXXXXXXXXX
df -B1 --output=avail -- "$1" | tail -n 1
