#!/bin/sh
# What lio-apply.sh printed, read without changing anything: `discard=0|1`. Argument: device.
set -eu
probe_discard "$1"
