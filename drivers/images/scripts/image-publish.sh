#!/bin/sh
# Usage: image-publish PARTIAL TARGET
# `ln` refuses an existing target, so two exports to one path cannot overwrite each other.
ln -- "$1" "$2" && rm -f -- "$1"
