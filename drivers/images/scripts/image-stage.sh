#!/bin/sh
# Usage: image-stage url|path SOURCE DEST MAX_BYTES
# Fetches a URL (mode url) or copies a host file (mode path) to DEST, at most MAX_BYTES,
# printing `progress DONE TOTAL` every second and `size BYTES` at the end. Exit 63 (curl's
# "maximum file size exceeded") when the source is larger than MAX_BYTES, 66 when the host path
# is not a regular file, 64 for an unknown mode.
mode=$1 src=$2 dest=$3 max=$4 total=
case $mode in
url)
  curl --fail --silent --show-error --location --proto =http,https --proto-redir =http,https \
    --connect-timeout 30 --max-filesize "$max" --dump-header "$dest.headers" --output "$dest" "$src" &
  ;;
path)
  [ -f "$src" ] || { echo "$src is not a regular file on this host" >&2; exit 66; }
  total=$(stat -L -c %s -- "$src") || exit 66
  [ "$total" -le "$max" ] || { echo "the image file is $total bytes" >&2; exit 63; }
  cp -- "$src" "$dest" &
  ;;
*) exit 64 ;;
esac
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  [ "$mode" = url ] && total=$(sed -n 's/^[Cc]ontent-[Ll]ength:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$dest.headers" 2>/dev/null | tail -n 1)
  printf 'progress %s %s\n' "$(stat -c %s -- "$dest" 2>/dev/null || echo 0)" "$total"
done
wait "$pid" || exit
printf 'size %s\n' "$(stat -c %s -- "$dest")"
