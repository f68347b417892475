#!/bin/sh
# Usage: image-check-target PATH
# Exit 20: the target's directory is missing; 17: the target exists (EEXIST).
[ -d "$(dirname -- "$1")" ] || { echo "directory $(dirname -- "$1") does not exist" >&2; exit 20; }
if [ -e "$1" ] || [ -L "$1" ]; then echo "$1 exists" >&2; exit 17; fi
