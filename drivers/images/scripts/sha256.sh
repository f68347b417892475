#!/bin/sh
# Usage: sha256 FILE
# The file's SHA-256, with openssl where the host has it (SHA extensions), sha256sum otherwise.
if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r < "$1"; else sha256sum < "$1"; fi
