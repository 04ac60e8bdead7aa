"""The benchmark's workloads, each against one running guest (seqos or the Linux peer):
the boot probe, the seed exchange (sequential and concurrent, by build/bench/seedload),
bulk TCP each direction, HTTP with wrk, and the guests' memory and boot lines.
Standard library only. Each returns a dict of measurements; a failure is a dict with
"error" and never an exception, so one broken workload does not end the run."""
import hashlib
import json
import os
import re
import socket
import struct
import subprocess
import threading
import time

import benchstats

EXPECT = b"Hello, world!\n"


# ------------------------------------------------------------------ boot
def seed_exchange(host, port, timeout):
    """One seed exchange; True when the server sent exactly "Hello, world!\\n" and closed."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            got = b""
            while len(got) <= len(EXPECT):
                d = s.recv(64)
                if not d:
                    break
                got += d
            return got == EXPECT
    except OSError:
        return False


def boot_probe(vm, host, port, timeout, interval=0.05, probe_timeout=2.0, in_flight=16):
    """Seconds from QEMU's start to the end of the first successful seed exchange, or
    None. A new probe starts every `interval` s while earlier ones may still wait (a SYN
    sent before the guest's NIC was up is only retransmitted seconds later), at most
    `in_flight` at a time; the first to succeed ends the wait."""
    done = threading.Event()
    first = []
    lock = threading.Lock()
    active = threading.Semaphore(in_flight)
    threads = []

    def probe():
        try:
            if seed_exchange(host, port, probe_timeout):
                t = time.monotonic()
                with lock:
                    if not first:
                        first.append(t)
                done.set()
        finally:
            active.release()

    deadline = vm.t_start + timeout
    while not done.is_set() and time.monotonic() < deadline and vm.alive():
        if active.acquire(timeout=interval):
            th = threading.Thread(target=probe, daemon=True)
            th.start()
            threads.append(th)
        done.wait(interval)
    result = (first[0] - vm.t_start) if first else None
    for th in threads:
        th.join(probe_timeout + 1)
    return result


def settle(host, port, quiet=2.0, warmup=10):
    """After the boot probe: the guest still answers the probes that gave up (their
    SYNs, retransmitted, arrive together and fill the seed's accept queue of 10), so
    wait `quiet` seconds, then run `warmup` untimed exchanges. Returns how many of them
    succeeded."""
    time.sleep(quiet)
    return sum(seed_exchange(host, port, 5.0) for _ in range(warmup))


# Guest-internal boot lines.
SEQOS_LISTEN = r"listening on TCP port 3490, (\d+)\.(\d+) ms after hand-off"
SEQOS_PROMPT = r"boot: handoff -> shell prompt in (\d+)\.(\d+) ms"
LINUX_LISTEN = r"\[\s*(\d+\.\d+)\] bench: listening on TCP port 3490"
LINUX_LINE = r"\[\s*(\d+\.\d+)\] bench: %s"


def guest_boot_times(vm, os_name, wait=10.0):
    """Guest-time boot milestones in ms: seqos counts from the loader's hand-off,
    Linux from kernel start (printk time 0)."""
    r = {}
    if os_name == "seqos":
        m = vm.wait_for(SEQOS_LISTEN, wait, consume=False)
        r["listening_ms"] = float("%s.%s" % m.groups()) if m else None
        m = vm.search(SEQOS_PROMPT)
        r["prompt_ms"] = float("%s.%s" % m.groups()) if m else None
        if r["listening_ms"] is None:
            r["note"] = "no 'listening on TCP port 3490, ... ms after hand-off' line"
    else:
        m = vm.wait_for(LINUX_LINE % "ready", wait, consume=False)
        for key, what in (("init_ms", "init"), ("eth0_ms", r"eth0 up"), ("ready_ms", "ready")):
            m = vm.search(LINUX_LINE % what)
            r[key] = float(m.group(1)) * 1000.0 if m else None
        m = vm.search(LINUX_LISTEN)
        r["listening_ms"] = float(m.group(1)) * 1000.0 if m else None
    return r


# ------------------------------------------------------------------ seed exchange
def seed_load(tool, host, port, count, conc, workdir, tag, vm, timeout_ms=10000, deadline_s=40):
    """count exchanges by `conc` threads of seedload; rate, latency percentiles (of the
    exchanges that succeeded), failures, and the QEMU process's host CPU time over the
    run. The 10 s timeout outlasts one SYN retransmission by QEMU's user networking (6 s):
    a SYN dropped on a full accept queue (the seed's backlog is 10) costs latency first.
    No exchange starts after deadline_s: a wedged guest does not hold the run."""
    lat_file = os.path.join(workdir, "seed-%s.lat" % tag)
    cpu0 = vm.cpu_seconds()
    try:
        r = subprocess.run([tool, host, str(port), str(count), str(conc), str(timeout_ms), lat_file,
                            str(deadline_s)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=deadline_s + timeout_ms / 1000.0 + 30)
    except subprocess.TimeoutExpired:
        return {"error": "seedload did not finish"}
    cpu1 = vm.cpu_seconds()
    if r.returncode:
        return {"error": "seedload: " + r.stderr.strip()}
    res = json.loads(r.stdout)
    with open(lat_file) as f:
        lat = [float(x) for x in f.read().split()]
    res.update(benchstats.summarize_latencies(lat))
    ran = count - res["not_run"]
    res["rate"] = res["ok"] / res["elapsed_s"] if res["elapsed_s"] > 0 and res["ok"] else None
    res["fail_pct"] = 100.0 * (ran - res["ok"]) / ran if ran else None
    res["cpu_s"] = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    res["latencies_file"] = lat_file
    if res["ok"] < ran:
        res["error"] = "%d of %d exchanges failed (%d timeouts, %d refused, %d resets, %d wrong data)" % (
            ran - res["ok"], ran, res["timeouts"], res["connect_failed"], res["resets"], res["bad_data"])
    if res["not_run"]:
        res["error"] = (res.get("error", "") + "; " if res.get("error") else "") + \
            "deadline of %d s: %d exchanges not started" % (deadline_s, res["not_run"])
    return res


def guest_panicked(vm):
    """The guest's panic line (seqos: "Kernel panic - not syncing: ...", Linux the
    same words), or None."""
    m = vm.search(r"Kernel panic - not syncing: ([^\n]*)\n")
    return m.group(1).strip() if m else None


def healthy(host, port, tries=2, timeout=6.0):
    """Does the guest still answer a seed exchange? (Before each workload: a guest that
    stopped answering skips the rest instead of running into every timeout.)"""
    for _ in range(tries):
        if seed_exchange(host, port, timeout):
            return True
    return False


# ------------------------------------------------------------------ bulk
_PERIOD = bytes((i * 131 + (i >> 8)) & 0xff for i in range(65536))  # bulk_byte() repeats


def pattern(n):
    """The first n bytes of the bulk stream (bulk_byte(i) has a period of 65536)."""
    return (_PERIOD * (n // 65536 + 1))[:n]


def _recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            break
        b += d
    return b


def bulk_rx(host, port, nbytes, timeout=15):
    """'S': the guest sends nbytes; MB/s (10^6) from connect to the server's close and
    the SHA-256 of what arrived checked against the pattern's (after the clock stops).
    timeout bounds each wait for progress, not the transfer."""
    buf = bytearray(nbytes + 1)
    view = memoryview(buf)
    got = 0
    try:
        t0 = time.monotonic()
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.settimeout(timeout)
            s.sendall(b"S" + struct.pack(">Q", nbytes))
            while True:
                n = s.recv_into(view[got:], min(len(buf) - got, 1 << 20))
                if n == 0:
                    break
                got += n
                if got > nbytes:
                    break
        t = time.monotonic() - t0
    except OSError as e:
        return {"error": "bulk S: %s after %d bytes" % (e, got)}
    ok = got == nbytes and hashlib.sha256(view[:got]).digest() == hashlib.sha256(pattern(nbytes)).digest()
    r = {"bytes": got, "seconds": t, "MBps": got / t / 1e6 if t > 0 else None, "sha256_ok": ok}
    if not ok:
        r["error"] = "bulk S: %d of %d bytes, SHA-256 %s" % (got, nbytes, "mismatch" if got == nbytes else "-")
        r["MBps"] = None
    return r


def bulk_tx(host, port, nbytes, verify=False, timeout=15):
    """'R' (or 'V' with verify): the host sends nbytes and shuts down its side; MB/s from
    connect to the guest's 8-byte count (checked), and with 'V' its SHA-256 (checked)."""
    data = pattern(nbytes)
    try:
        t0 = time.monotonic()
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            s.settimeout(timeout)
            s.sendall(b"V" if verify else b"R")
            # 1 MiB at a time: sendall's timeout bounds the whole call, and the guest
            # may take longer than that for 64 MiB (the 'V' digest under TCG: ~10 s).
            view = memoryview(data)
            for off in range(0, nbytes, 1 << 20):
                s.sendall(view[off:off + (1 << 20)])
            s.shutdown(socket.SHUT_WR)
            ans = _recv_exact(s, 8 + (32 if verify else 0))
        t = time.monotonic() - t0
    except OSError as e:
        return {"error": "bulk %s: %s" % ("V" if verify else "R", e)}
    count = struct.unpack(">Q", ans[:8])[0] if len(ans) >= 8 else None
    r = {"bytes": nbytes, "seconds": t, "count_ok": count == nbytes}
    if verify:
        r["sha256_ok"] = len(ans) == 40 and ans[8:] == hashlib.sha256(data).digest()
    ok = r["count_ok"] and r.get("sha256_ok", True)
    r["MBps"] = nbytes / t / 1e6 if ok and t > 0 else None
    if not ok:
        r["error"] = "bulk %s: server counted %s of %d bytes%s" % (
            "V" if verify else "R", count, nbytes, "" if r.get("sha256_ok", True) else ", SHA-256 mismatch")
    return r


# ------------------------------------------------------------------ HTTP
def _wrk_ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)$", s)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def http_wrk(host, port, seconds, conns, workdir, tag):
    """wrk -t1 -cN -dS --latency, keep-alive; requests/s, latency percentiles, errors."""
    url = "http://%s:%d/" % (host, port)
    try:
        r = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "5s",
                            "--latency", url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=seconds + 60)
    except FileNotFoundError:
        return {"error": "wrk is not installed (make deps)"}
    except subprocess.TimeoutExpired:
        return {"error": "wrk did not finish"}
    with open(os.path.join(workdir, "wrk-%s.txt" % tag), "w") as f:
        f.write(r.stdout)
    out = r.stdout
    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    for p in ("50", "99"):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % p, out, re.M)
        res["p%s_ms" % p] = _wrk_ms(m.group(1)) if m else None
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    if not res["requests"] or res["non_2xx"]:
        res["error"] = "wrk: %d requests, %d non-2xx, %d socket errors" % (
            res["requests"], res["non_2xx"], res["socket_errors"])
        res["rps"] = None
    return res


# ------------------------------------------------------------------ memory
def guest_memory(vm, os_name, timeout=20.0):
    """Memory in use, KiB: seqos's shell `mem` (pages used x 4 KiB), Linux's
    /proc/meminfo through the console shell (MemTotal - MemFree, and - MemAvailable)."""
    if os_name == "seqos":
        vm.send("mem\r")
        # The match must end after the number: serial output arrives in pieces.
        m = vm.wait_for(r"pages:\s+total (\d+)\s+free (\d+)\s+used (\d+)\s+\(", timeout)
        if not m:
            return {"error": "no answer to `mem` on the seqos shell"}
        total, free, used = (int(x) for x in m.groups())
        ram = vm.search(r"RAM:\s+(\d+) KiB")
        return {"used_kib": used * 4, "total_kib": total * 4,
                "ram_kib": int(ram.group(1)) if ram else None, "source": "seqos mem: pages used x 4 KiB"}
    vm.send("cat /proc/meminfo; echo @@MEM''END@@\n")
    m = vm.wait_for(r"MemTotal:\s+(\d+) kB\s+MemFree:\s+(\d+) kB\s+MemAvailable:\s+(\d+) kB"
                    r"[\s\S]*?@@MEMEND@@", timeout)
    if not m:
        return {"error": "no /proc/meminfo from the Linux console"}
    total, free, avail = (int(x) for x in m.groups()[:3])
    return {"used_kib": total - free, "used_minus_cache_kib": total - avail, "total_kib": total,
            "source": "Linux /proc/meminfo: MemTotal - MemFree"}


def seqos_trace_stats(vm, timeout=20.0):
    """The tracer's own figures from the seqos shell's `trace stats`: records written and
    lost so far, and the measured cost of writing one record (ns)."""
    vm.send("trace stats\r")
    m = vm.wait_for(r"written (\d+), lost (\d+), in ring (\d+) of (\d+)\s+cost per record: ([\d.]+) ns",
                    timeout)
    if not m:
        return {"error": "no answer to `trace stats` on the seqos shell"}
    return {"written": int(m.group(1)), "lost": int(m.group(2)), "ring_used": int(m.group(3)),
            "ring_capacity": int(m.group(4)), "ns_per_record": float(m.group(5))}
