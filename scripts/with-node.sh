#!/usr/bin/env bash
# Runs a command with Node MAJOR first on PATH, fetched from the npm registry when missing
# (the `node` package ships the official binary), so npm, npx and every `node` the command
# starts are that version:
#
#   bash scripts/with-node.sh 24 npm test
#
# For machines whose own Node is older than cinderblock needs (22 or later), and for CI, which
# runs the unit tests on Node 22 and 26 and the whole suite on Node 24.
set -euo pipefail
major=${1:?usage: with-node.sh MAJOR COMMAND [ARG...]}
shift
case $major in *[!0-9]*) echo "with-node.sh: MAJOR must be a number, not '$major'" >&2; exit 2 ;; esac
binary=$(npx --yes "node@$major" -p process.execPath)
[ -x "$binary" ] || { echo "with-node.sh: could not get Node $major from the npm registry" >&2; exit 1; }
echo "[with-node] Node $("$binary" --version) for: $*" >&2
PATH="$(dirname "$binary"):$PATH" exec "$@"
