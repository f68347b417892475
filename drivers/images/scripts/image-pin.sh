#!/bin/sh
# Usage: image-pin FILE
# Opens FILE and holds it open until stdin ends, so that whatever reads /proc/PID/fd/3 meanwhile
# reads that file, whatever happens to its path. Prints one line once it is open:
#   pinned PID SIZE   only its owner can write it, and the owner is root, this user or the user
#                     sudo runs this for: no one else can change it while it is read in place;
#   unpinned REASON   anyone else could change it: the caller copies it aside instead.
# Exit 66: FILE is not a regular file.
[ -f "$1" ] || { echo "$1 is not a regular file on this host" >&2; exit 66; }
exec 3<"$1"
fd=/proc/$$/fd/3
[ -f "$fd" ] || { echo "$1 is not a regular file on this host" >&2; exit 66; }
stat=$(stat -L -c '%u %a %s' -- "$fd") || exit
owner=${stat%% *} size=${stat##* } mode=${stat#* }
mode=${mode% *}
if [ $((0$mode & 022)) -ne 0 ]; then
  echo "unpinned writable by other users (mode $mode)"
elif [ "$owner" != 0 ] && [ "$owner" != "$(id -u)" ] && [ "$owner" != "${SUDO_UID:-}" ]; then
  echo "unpinned owned by another user (uid $owner)"
else
  echo "pinned $$ $size"
fi
exec cat >/dev/null
