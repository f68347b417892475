#!/bin/sh
# Usage: export-record-read RECORD
# Prints an export record; nothing (exit 0) when there is none, a failure when it cannot be read.
cat -- "$1" 2>/dev/null || [ ! -e "$1" ]
