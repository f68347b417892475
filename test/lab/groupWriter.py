#!/usr/bin/env python3
"""The crash-consistency harness of group snapshots; runs ON the lab host (python3, no packages).

  groupWriter.py write PREFIX RUNID DEV...
      Ordered writer. Record n (n = 0, 1, ...) goes to member n % M at slot n // M (512-byte
      slots), written with O_DIRECT|O_DSYNC; record n+1 is issued only after the write of
      record n has returned. Each record holds a magic, the run id, n, the member, the slot
      and a CRC32. Runs as fast as it can until SIGTERM, then writes PREFIX.times (float64
      completion time of record n at index n) and PREFIX.json (count, rate). PREFIX.pid holds
      its pid, PREFIX.ready appears once every device is open.

  groupWriter.py check RUNID MAXSLOTS DEV...
      Reads slots 0..MAXSLOTS-1 of every member (same order as the writer's) and checks the
      invariant of a crash-consistent set: the sequence numbers present are exactly {0..max}
      (no record without every earlier one). Records of another run count as empty; a record
      that is torn or in the wrong place is "bad". Prints one JSON line.

  groupWriter.py stalls PREFIX T0:T1...
      For each window [T0, T1] (host clock): the longest gap between two consecutive
      completed writes that overlaps it, and how many writes had completed at T0 and at T1;
      plus the gaps outside every window (the writer's normal latency). Prints one JSON line.
"""
import array
import bisect
import json
import mmap
import os
import signal
import struct
import sys
import time
import zlib

RS = 512
MAGIC = b"CBGSREC1"
HEADER = struct.Struct("<8sQQIQ")  # magic, run id, sequence, member, slot
CHUNK = 1 << 20
FILLER = bytes(range(256)) * 2


def record(run_id, seq, member, slot):
    body = HEADER.pack(MAGIC, run_id, seq, member, slot)
    body += FILLER[: RS - len(body) - 4]
    return body + struct.pack("<I", zlib.crc32(body))


def write(prefix, run_id, devices):
    fds = [os.open(d, os.O_WRONLY | os.O_DIRECT | os.O_DSYNC) for d in devices]
    slots = min(os.lseek(fd, 0, os.SEEK_END) for fd in fds) // RS
    buf = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT needs
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(prefix + ".pid", "w") as f:
        f.write(str(os.getpid()))
    open(prefix + ".ready", "w").close()
    times = array.array("d")
    members = len(devices)
    n = 0
    started = time.time()
    while not stop and n // members < slots:
        member, slot = n % members, n // members
        buf[0:RS] = record(run_id, n, member, slot)
        os.pwrite(fds[member], memoryview(buf)[:RS], slot * RS)
        times.append(time.time())
        n += 1
    ended = time.time()
    with open(prefix + ".times", "wb") as f:
        times.tofile(f)
    with open(prefix + ".json", "w") as f:
        json.dump({"count": n, "members": devices, "seconds": ended - started, "rate": n / max(ended - started, 1e-9)}, f)


def check(run_id, max_slots, devices):
    members = len(devices)
    seqs, bad, stale = set(), [], 0
    buf = mmap.mmap(-1, CHUNK)
    for member, device in enumerate(devices):
        fd = os.open(device, os.O_RDONLY | os.O_DIRECT)
        offset, end = 0, max_slots * RS
        while offset < end:
            want = (min(CHUNK, end - offset) + 4095) // 4096 * 4096
            got = os.preadv(fd, [memoryview(buf)[:want]], offset)
            if got <= 0:
                break
            data = buf[:got]
            if data.count(0) != got:
                for i in range(0, got, RS):
                    rec = data[i:i + RS]
                    slot = (offset + i) // RS
                    if rec[:8] != MAGIC:
                        if rec.count(0) != RS:
                            bad.append([member, slot, "garbage"])
                        continue
                    _, rid, seq, mem, rslot = HEADER.unpack_from(rec)
                    if rid != run_id:
                        stale += 1
                        continue
                    crc_ok = zlib.crc32(rec[:-4]) == struct.unpack("<I", rec[-4:])[0]
                    if not crc_ok or mem != member or rslot != slot or seq != slot * members + member:
                        bad.append([member, slot, "torn or misplaced"])
                        continue
                    seqs.add(seq)
            offset += got
        os.close(fd)
    top = max(seqs) if seqs else -1
    missing = [s for s in range(top + 1) if s not in seqs]
    print(json.dumps({
        "records": len(seqs), "max_seq": top, "missing": len(missing), "first_missing": missing[:5],
        "bad": bad[:5], "stale": stale, "violation": bool(missing or bad),
    }))


def stalls(prefix, windows):
    times = array.array("d")
    with open(prefix + ".times", "rb") as f:
        times.frombytes(f.read())
    gaps = [times[k + 1] - times[k] for k in range(len(times) - 1)]
    inside = [False] * len(gaps)
    out = []
    for t0, t1 in windows:
        lo = max(bisect.bisect_left(times, t0) - 1, 0)
        hi = min(bisect.bisect_right(times, t1), len(gaps))
        for k in range(lo, hi):
            inside[k] = True
        longest = max(gaps[lo:hi], default=0.0)
        out.append({"longest_stall_ms": longest * 1e3, "completed_at_start": bisect.bisect_right(times, t0),
                    "completed_at_end": bisect.bisect_right(times, t1)})
    normal = sorted(g for g, hidden in zip(gaps, inside) if not hidden)
    pick = lambda q: normal[min(int(len(normal) * q), len(normal) - 1)] * 1e3 if normal else None
    print(json.dumps({"writes": len(times), "normal_gap_ms": {"p50": pick(0.5), "p99": pick(0.99), "n": len(normal)}, "windows": out}))


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "write":
        write(args[0], int(args[1]), args[2:])
    elif mode == "check":
        check(int(args[0]), int(args[1]), args[2:])
    elif mode == "stalls":
        stalls(args[0], [tuple(map(float, w.split(":"))) for w in args[1:]])
    else:
        sys.exit("usage: groupWriter.py write|check|stalls ...")


if __name__ == "__main__":
    main()
