#!/usr/bin/env bash
# Everything cinderblock needs on a fresh Debian/Ubuntu machine, done only where missing:
# the Debian packages for the lab (QEMU, debootstrap, ...), npm dependencies, and the build.
# Safe to run again; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

# Node 20.19+ or 22 (see README: supported versions).
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (!((maj === 20 && min >= 19) || maj === 22)) {
    console.error(`[setup] Node ${process.versions.node} is not supported: use Node 20 (>= 20.19) or Node 22`);
    process.exit(1);
  }'

PACKAGES=(qemu-system-x86 qemu-utils qemu-block-extra debootstrap openssh-client e2fsprogs tar libiscsi-bin shellcheck)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "building"
npm run --silent build
