#!/bin/sh
# Usage: image-remove-if-unchanged PATH SHA256
# Removes the file only if its checksum is still SHA256; prints absent, changed or removed.
[ -e "$1" ] || { echo absent; exit 0; }
sum=$(sha256sum < "$1") || exit 1
[ "${sum%% *}" = "$2" ] || { echo changed; exit 0; }
rm -f -- "$1" && echo removed
