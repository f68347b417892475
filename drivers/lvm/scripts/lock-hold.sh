#!/bin/sh
# Usage: lock-hold WAIT_S LOCK_FILE
# Holds the lock file (waiting WAIT_S s for it) until stdin ends, printing `locked` once held.
# A script rather than `flock ... sh -c`, so that a sudo host grants this and not flock running
# any command; it takes only cinderblock's lock files. Exit 2: not a cinderblock lock file.
case $2 in /run/lock/cinderblock-*.lock) ;; *) echo "not a cinderblock lock file: $2" >&2; exit 2 ;; esac
case ${2#/run/lock/} in */*) echo "not a cinderblock lock file: $2" >&2; exit 2 ;; esac
exec flock -w "$1" "$2" sh -c 'echo locked; exec cat >/dev/null'
