#!/usr/bin/env bash
# Everything cinderblock needs on a fresh Debian/Ubuntu machine, done only where missing:
# the Debian packages for the lab (QEMU, debootstrap, ...), npm dependencies, and the build.
# Safe to run again; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

# Node 22 or later (see README: supported versions).
node -e '
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) {
    console.error(`[setup] Node ${process.versions.node} is too old: cinderblock needs Node 22, 24 or 26.`);
    const event = process.env.npm_lifecycle_event;
    const command = !event || event === "test" ? "npm test" : `npm run ${event}`;
    console.error(`[setup] Install one, or run this command with one fetched for it: bash scripts/with-node.sh 24 ${command}`);
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
