#!/bin/sh
# Runs once per boot, before sshd: applies this host's seed (a tar archive on the disk with
# serial "cbseed") and makes sure the volume group exists on the data disk (serial "cbdata").
set -eu
SEED=/dev/disk/by-id/virtio-cbseed
DATA=/dev/disk/by-id/virtio-cbdata
WORK=/run/cinderblock-seed

udevadm settle || true
[ -b "$SEED" ] || { echo "cinderblock-seed: no seed disk" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK"
tar -xf "$SEED" -C "$WORK"

hostname "$(cat "$WORK/hostname")"
cat "$WORK/hostname" > /etc/hostname

rm -f /etc/ssh/ssh_host_*
install -m 600 "$WORK/ssh_host_ed25519_key" /etc/ssh/ssh_host_ed25519_key
install -m 644 "$WORK/ssh_host_ed25519_key.pub" /etc/ssh/ssh_host_ed25519_key.pub
for home in /root /home/cinder; do
  install -d -m 700 "$home/.ssh"
  install -m 600 "$WORK/authorized_keys" "$home/.ssh/authorized_keys"
done
chown -R cinder:cinder /home/cinder/.ssh
if [ -s "$WORK/cinder_password" ]; then
  printf 'cinder:%s\n' "$(cat "$WORK/cinder_password")" | chpasswd
fi

# Each host its own NVMe host identity (the image has none): initiators are told apart by it.
install -D -m 644 "$WORK/nvme_hostnqn" /etc/nvme/hostnqn
install -D -m 644 "$WORK/nvme_hostid" /etc/nvme/hostid

# LVM sees only the devices listed in its devices file (lvmlocal.conf sets use_devicesfile=1),
# so it never scans the dm gates that cinderblock stacks over volumes.
DISK=$(readlink -f "$DATA")
VG=$(cat "$WORK/volume_group")
if ! lvm pvs "$DISK" >/dev/null 2>&1; then
  lvm lvmdevices --adddev "$DISK" >/dev/null 2>&1 || true
  lvm pvcreate -q "$DISK"
  lvm vgcreate -q "$VG" "$DISK"
fi
lvm vgchange -q -ay "$VG" >/dev/null
rm -rf "$WORK"
