"""Issue 5 (seqos 4/8): the IPv4 stack against real peers, in QEMU.

dhcp: QEMU user networking's DHCP server gives 10.0.2.15 with router 10.0.2.2 and DNS
  10.0.2.3 (`ifconfig`, `route`, `dhcp`), within about a second of guest time of the
  link coming up (the first DISCOVER used to wait a random 1..10 s).
ping: through a tap device in a namespace the test makes: the host pings the guest
  (raw ICMP socket: id, sequence, payload and checksum of every reply checked, sizes up
  to 4000 bytes so requests and replies are fragmented), the guest pings the host
  (`ping HOST count size`), and tshark finds no bad checksum or malformed frame in a
  capture of the tap.
udp_echo: the echo app (UDP port 7) answers a host client, 8000-byte datagrams
  fragmented both ways, byte-exact; the guest's `netstat -s` and the host's
  /proc/net/snmp show the reassembly and fragmentation.
dns: `host NAME` and `nc NAME PORT` resolve through a dnsmasq the test starts inside
  its namespace; an answer is cached for its TTL (no second query reaches dnsmasq).
arp: with the cache's timeouts shortened (`arp set`), an entry goes REACHABLE ->
  STALE, is re-confirmed by a unicast probe when used again, is garbage-collected when
  unused, and a new ping resolves it again with a broadcast request (seen on the tap).

All traffic stays on this machine: QEMU user networking with no forwarded names, or a
tap device inside a network namespace created and deleted by the test (run as root)."""
import contextlib
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from harness import ROOT, SLOW, VM, NetNS, free_port

sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))
import tshark_check  # noqa: E402

HOST_IP = "10.77.0.1"
GUEST_IP = "10.77.0.2"
GUEST_MAC = "52:54:00:12:34:56"
BROADCAST = "ff:ff:ff:ff:ff:ff"


# ---------------------------------------------------------------- helpers
def link_up(vm):
    """The stack saw eth0's carrier come up (before the prompt or now)."""
    if not re.search(r"\] net: eth0 link up", vm.output()):
        vm.wait_for(r"\] net: eth0 link up", 30)


def netstat(vm):
    """`netstat -s` as {"Ip.ReasmOKs": n, ...}."""
    out, section, r = vm.shell("netstat -s"), None, {}
    for line in out.splitlines():
        m = re.match(r"^(\w+):$", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^\s+(\w+)\s+(-?\d+)$", line)
        if m and section:
            r["%s.%s" % (section, m.group(1))] = int(m.group(2))
    vm.check("Ip.ReasmOKs" in r and "Udp.InDatagrams" in r, "netstat -s: %r" % out)
    return r


def delta(after, before, *keys):
    # netstat -s lists IcmpMsg types only once they are counted
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys}


def host_snmp(ns):
    """The namespace's /proc/net/snmp as {"Ip.ReasmOKs": n, ...}."""
    lines = ns.run("cat", "/proc/net/snmp").splitlines()
    r = {}
    for names, values in zip(lines[0::2], lines[1::2]):
        proto = names.split(":")[0]
        for k, v in zip(names.split()[1:], values.split()[1:]):
            r["%s.%s" % (proto, k)] = int(v)
    return r


def poll(vm, what, get, want, timeout):
    """Calls get() (a shell query) until want(result) holds: a state change the guest
    makes on its own timers. Returns the result; fails at the deadline."""
    deadline = time.monotonic() + timeout * SLOW
    while True:
        r = get()
        if want(r):
            return r
        if time.monotonic() > deadline:
            vm.fail("%s: never happened; last %r" % (what, r))
        time.sleep(0.1)  # the polling rate, not a wait for the result


def log_time(vm, pattern):
    """Guest time (s) of the kernel log line matching pattern."""
    m = re.search(r"\[ *(\d+\.\d{6})\] " + pattern, vm.output())
    vm.check(m, "no log line %r" % pattern)
    return float(m.group(1))


class Capture:
    """Every frame on the tap, both directions, from a packet socket inside the namespace,
    written as a classic pcap for tshark. (dumpcap was tried: libpcap hands frames over a
    block at a time, so those of the last second were missing when it was stopped.)"""
    ETH_P_ALL = 0x0003

    def __init__(self, ns, ifname, path):
        self.path = path
        self.sock = ns.sock(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(self.ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((ifname, self.ETH_P_ALL))
        self.sock.settimeout(0.2)
        self.pkts = []
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                self.pkts.append((time.time(), self.sock.recv(65535)))
            except socket.timeout:
                continue
            except OSError:
                return

    def stop(self):
        """Stops; what the socket holds (everything sent before the call) is kept."""
        if self.stopping:
            return
        self.stopping = True
        self.thread.join()
        self.sock.setblocking(False)
        while True:
            try:
                self.pkts.append((time.time(), self.sock.recv(65535)))
            except (BlockingIOError, OSError):
                break
        self.sock.close()
        with open(self.path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))  # Ethernet
            for t, data in self.pkts:
                f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(data), len(data)))
                f.write(data)

    def frames(self):
        return [data for _, data in self.pkts]

    def check_checksums(self, vm):
        if not tshark_check.available():
            vm.fail("tshark is not installed")
        r = tshark_check.check(self.path, timeout=120 * SLOW)
        vm.check(r.frames > 0 and r.ipv4 > 0, "empty capture: " + r.summary())
        vm.check(not r.problems, "tshark: %s: %r" % (r.summary(), r.problems[:10]))
        return r


def arp_frames(frames):
    """ARP packets in a capture as (eth dst, op, sender ip, target ip)."""
    out = []
    for f in frames:
        if len(f) >= 42 and f[12:14] == b"\x08\x06":
            dst = ":".join("%02x" % b for b in f[0:6])
            op = struct.unpack(">H", f[20:22])[0]
            out.append((dst, op, socket.inet_ntoa(f[28:32]), socket.inet_ntoa(f[38:42])))
    return out


@contextlib.contextmanager
def tap_vm(name, cmdline, nic="e1000", capture=True):
    """A namespace with a tap device (HOST_IP/24) and a VM on it (GUEST_IP/24 static),
    booted with eth0's link up; optionally a capture of the tap from before the boot.
    Yields (ns, vm, capture or None, host MAC)."""
    ifname = "sqip%d" % (free_port() % 10000)
    with NetNS("seqos-ipv4") as ns:
        ns.run("ip", "tuntap", "add", "dev", ifname, "mode", "tap")
        ns.run("ip", "addr", "add", HOST_IP + "/24", "dev", ifname)
        ns.run("ip", "link", "set", ifname, "up")
        host_mac = ns.run("cat", "/sys/class/net/%s/address" % ifname).strip()
        vm = VM(name, cmdline="ip=%s/24 %s" % (GUEST_IP, cmdline), nic=nic,
                net="tap:" + ifname, mac=GUEST_MAC, netns=ns.name)
        cap = Capture(ns, ifname, os.path.join(vm.workdir, "tap.pcap")) if capture else None
        try:
            with vm:
                vm.boot()
                link_up(vm)
                # ipconfig opens the device (link up), then adds the address, the
                # routes and the DNS server, and says so
                done = r"\] ipconfig: eth0: static %s/24 " % re.escape(GUEST_IP)
                if not re.search(done, vm.output()):
                    vm.wait_for(done, 30)
                yield ns, vm, cap, host_mac
        finally:
            if cap:
                cap.stop()


# ---------------------------------------------------------------- 1. DHCP
def test_dhcp_user_networking(name):
    # virtio: QEMU's e1000 model holds received frames for 1 s after each RCTL write
    # (its flush_queue_timer), so there the OFFER always arrives ~1 s late
    with VM(name, cmdline="app=none", nic="virtio", net="user") as vm:
        vm.boot()
        vm.wait_for(r"\] dhcp: eth0: bound to ", 30)
        took = log_time(vm, r"dhcp: eth0: bound to") - log_time(vm, r"net: eth0 link up")
        print("%s: DHCP bound %.3f s (guest time) after link up" % (name, took))
        # it took 1..10 s while the first DISCOVER waited RFC 2131's random 1..10 s
        vm.check(0 <= took < 1.0, "DHCP took %.3f s of guest time" % took)

        out = vm.shell("ifconfig eth0")
        vm.check(re.search(r"inet 10\.0\.2\.15/24\s+broadcast 10\.0\.2\.255", out), out)
        out = vm.shell("route")
        vm.check(re.search(r"^default\s+10\.0\.2\.2\s+0\.0\.0\.0\s+\d+\s+dhcp\s+eth0$", out, re.M)
                 and re.search(r"^10\.0\.2\.0\s+0\.0\.0\.0\s+255\.255\.255\.0\s.*eth0$", out,
                               re.M), "route: %r" % out)
        out = vm.shell("dhcp")
        vm.check(re.search(r"^eth0: bound addr 10\.0\.2\.15 server 10\.0\.2\.2 lease (\d+)s", out,
                           re.M), "dhcp: %r" % out)
        vm.check(re.search(r"^eth0: router 10\.0\.2\.2 dns 10\.0\.2\.3$", out, re.M),
                 "dhcp: %r" % out)
        # the router answers (QEMU's slirp itself: nothing leaves this machine)
        out = vm.shell("ping 10.0.2.2 2", 60)
        vm.check("2 packets transmitted, 2 received" in out, out)


# ---------------------------------------------------------------- 2. ping
def icmp_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def host_ping(ns, dst, count, size):
    """Echo requests from the namespace (a raw socket); checks each reply's source,
    type, id, sequence, payload and checksum. Returns the RTTs in ms."""
    s = ns.sock(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(1.0)
    ident = random.randrange(1, 0xffff)
    rtts = []
    try:
        for seq in range(1, count + 1):
            payload = bytes((seq * 7 + k) & 0xff for k in range(size))
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            s.sendto(struct.pack("!BBHHH", 8, 0, icmp_checksum(hdr + payload), ident, seq) +
                     payload, (dst, 0))
            t0 = time.monotonic()
            deadline = t0 + 10 * SLOW
            while True:
                try:
                    pkt, (src, _) = s.recvfrom(65535)
                except socket.timeout:
                    if time.monotonic() > deadline:
                        raise AssertionError("no echo reply %d (%d bytes)" % (seq, size))
                    continue
                ihl = (pkt[0] & 0xf) * 4
                icmp = pkt[ihl:]
                typ, code, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
                if src != dst or typ != 0 or rid != ident:
                    continue  # someone else's ICMP (the raw socket sees it all)
                rtts.append((time.monotonic() - t0) * 1000)
                assert rseq == seq and code == 0, "reply %d/%d to %d" % (rseq, code, seq)
                assert icmp_checksum(icmp) == 0, "bad ICMP checksum in reply %d" % seq
                assert icmp[8:] == payload, "reply %d: payload differs (%d bytes, want %d)" % (
                    seq, len(icmp) - 8, size)
                break
    finally:
        s.close()
    return rtts


def test_ping_tap(name):
    with tap_vm(name, "app=none", nic="virtio") as (ns, vm, cap, host_mac):
        before = netstat(vm)
        stats = {"first (host ARP)": host_ping(ns, GUEST_IP, 1, 56)}
        # 56: the usual; 1472: the largest unfragmented; 4000: fragmented both ways
        for size, count in ((56, 10), (1472, 3), (4000, 3)):
            rtts = host_ping(ns, GUEST_IP, count, size)
            vm.check(len(rtts) == count, "%d replies of %d" % (len(rtts), count))
            stats[size] = (min(rtts), sum(rtts) / len(rtts), max(rtts))
        after = netstat(vm)
        d = delta(after, before, "Icmp.InMsgs", "Icmp.OutMsgs", "IcmpMsg.OutType0",
                  "Ip.ReasmOKs", "Ip.FragCreates", "Icmp.InErrors", "Ip.InHdrErrors",
                  "Ip.InCsumErrors")
        vm.check(d["IcmpMsg.OutType0"] == 17 and d["Ip.ReasmOKs"] == 3 and
                 d["Ip.FragCreates"] >= 6 and d["Icmp.InErrors"] == 0 and
                 d["Ip.InHdrErrors"] == 0 and d["Ip.InCsumErrors"] == 0, "netstat: %r" % d)

        # the guest pings the host: 3 of 1000 bytes, then 2 fragmented (3000)
        for count, size in ((3, 1000), (2, 3000)):
            out = vm.shell("ping %s %d %d" % (HOST_IP, count, size), 60)
            replies = re.findall(r"^%d bytes from %s: icmp_seq=(\d+) ttl=64 time=([\d.]+) ms$"
                                 % (size + 8, re.escape(HOST_IP)), out, re.M)
            vm.check([int(s) for s, _ in replies] == list(range(1, count + 1)) and
                     "%d packets transmitted, %d received, 0%% packet loss" % (count, count)
                     in out, "guest ping: %r" % out)
            stats["guest %d" % size] = tuple(float(t) for _, t in replies)
        cap.stop()
        r = cap.check_checksums(vm)
        for k, v in stats.items():
            print("%s: %s: RTT ms %s" % (name, k, " / ".join("%.3f" % x for x in v)))
        print("%s: capture: %s" % (name, r.summary()))


# ---------------------------------------------------------------- 3. UDP echo
def test_udp_echo_fragments(name):
    with tap_vm(name, "app=echo") as (ns, vm, cap, host_mac):
        if "listening on TCP and UDP port 7" not in vm.output():
            vm.wait_for(r"echo: listening on TCP and UDP port 7", 30)
        before, host_before = netstat(vm), host_snmp(ns)
        s = ns.sock(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(10 * SLOW)
        rng = random.Random(5)
        sizes = (1, 100, 1472, 1473, 3000, 8000, 8000)
        try:
            for size in sizes:
                data = bytes(rng.randrange(256) for _ in range(size))
                s.sendto(data, (GUEST_IP, 7))
                back, src = s.recvfrom(65535)
                vm.check(src == (GUEST_IP, 7) and back == data,
                         "echo of %d bytes: %d bytes back from %r" % (size, len(back), src))
        finally:
            s.close()
        after, host_after = netstat(vm), host_snmp(ns)
        d = delta(after, before, "Ip.ReasmReqds", "Ip.ReasmOKs", "Ip.ReasmFails",
                  "Ip.FragOKs", "Ip.FragCreates", "Ip.FragFails", "Udp.InDatagrams",
                  "Udp.OutDatagrams", "Udp.InErrors", "Udp.InCsumErrors")
        h = delta(host_after, host_before, "Ip.ReasmOKs", "Ip.FragOKs", "Ip.FragCreates")
        print("%s: guest %r; host %r" % (name, d, h))
        # fragmented: 1473 (2), 3000 (3), 8000 (6) x2 -> 4 datagrams, 17 fragments each way
        vm.check(d["Udp.InDatagrams"] == len(sizes) and d["Udp.OutDatagrams"] == len(sizes) and
                 d["Udp.InErrors"] == 0 and d["Udp.InCsumErrors"] == 0, "udp: %r" % d)
        vm.check(d["Ip.ReasmOKs"] == 4 and d["Ip.ReasmReqds"] == 17 and d["Ip.ReasmFails"] == 0,
                 "guest reassembly: %r" % d)
        vm.check(d["Ip.FragOKs"] == 4 and d["Ip.FragCreates"] == 17 and d["Ip.FragFails"] == 0,
                 "guest fragmentation: %r" % d)
        vm.check(h["Ip.ReasmOKs"] == 4 and h["Ip.FragOKs"] == 4 and h["Ip.FragCreates"] == 17,
                 "host: %r" % h)
        cap.stop()
        print("%s: capture: %s" % (name, cap.check_checksums(vm).summary()))


# ---------------------------------------------------------------- 4. DNS
class Dnsmasq:
    """dnsmasq in the namespace on HOST_IP:53, answering only from its own records; its
    log (queries included) is read from stderr."""

    def __init__(self, ns, *records):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns.name, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
             "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=" + HOST_IP,
             "--port=53", "--pid-file=", "--user=root", "--local-ttl=60", "--log-queries",
             "--log-facility=-"] + list(records),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(r"started, version")

    def _read(self):
        for line in self.proc.stderr:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append("<exited>")
            self.cond.notify_all()

    def wait_for(self, pattern, timeout=20):
        deadline = time.monotonic() + timeout * SLOW
        with self.cond:
            while not any(re.search(pattern, line) for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or "<exited>" in self.lines:
                    raise AssertionError("dnsmasq: no %r in %r" % (pattern, self.lines[-20:]))
                self.cond.wait(min(left, 1.0))

    def count(self, pattern):
        with self.cond:
            return sum(1 for line in self.lines if re.search(pattern, line))

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def test_dns_dnsmasq(name):
    with tap_vm(name, "app=none dns=" + HOST_IP, nic="virtio", capture=False) as (ns, vm, _, host_mac):
        dns = Dnsmasq(ns, "--host-record=seqos.test,10.77.0.42",
                      "--address=/svc.test/" + HOST_IP)
        srv = ns.sock(socket.AF_INET, socket.SOCK_STREAM)
        try:
            srv.bind((HOST_IP, 0))
            srv.listen(1)
            srv.settimeout(30 * SLOW)
            port = srv.getsockname()[1]

            out = vm.shell("host seqos.test", 60)
            vm.check(out.strip() == "seqos.test has address 10.77.0.42", "host: %r" % out)
            q = r"query\[A\] %s from " + re.escape(GUEST_IP)
            dns.wait_for(q % r"seqos\.test")
            # cached (TTL 60 s): the second lookup sends nothing. dnsmasq logs queries in
            # order, so once the next name's query is logged, a second one would be too.
            out = vm.shell("host seqos.test", 60)
            vm.check(out.strip() == "seqos.test has address 10.77.0.42", "host again: %r" % out)
            out = vm.shell("host nope.test", 60)
            vm.check("has address" not in out, "host nope.test: %r" % out)
            dns.wait_for(q % r"nope\.test")
            vm.check(dns.count(q % r"seqos\.test") == 1, "the cached name was asked again")

            # a program that resolves by name: nc connects to the name's address
            got = {}

            def serve():
                c, peer = srv.accept()
                with c:
                    c.settimeout(30 * SLOW)
                    got["peer"] = peer[0]
                    got["data"] = c.recv(100)
                    c.sendall(b"Hello, world!\n")

            t = threading.Thread(target=serve, daemon=True)
            t.start()
            out = vm.shell("nc -w 10 www.svc.test %d ping" % port, 90)
            t.join(30 * SLOW)
            vm.check("Hello, world!" in out, "nc: %r" % out)
            vm.check(got.get("peer") == GUEST_IP and got.get("data", b"").startswith(b"ping"),
                     "server got %r" % got)
            dns.wait_for(q % r"www\.svc\.test")
        finally:
            srv.close()
            dns.stop()


def test_seed_client_resolves_server_by_name(name):
    """The seed's client (apps/client.c, gethostbyname) given the server as a name: the
    name resolves through dnsmasq, the exchange happens, the client powers off with the
    seed's status (1). dnsmasq and the server run before the machine boots."""
    ifname = "sqip%d" % (free_port() % 10000)
    with NetNS("seqos-ipv4") as ns:
        ns.run("ip", "tuntap", "add", "dev", ifname, "mode", "tap")
        ns.run("ip", "addr", "add", HOST_IP + "/24", "dev", ifname)
        ns.run("ip", "link", "set", ifname, "up")
        dns = Dnsmasq(ns, "--address=/seed.svc.test/" + HOST_IP)
        srv = ns.sock(socket.AF_INET, socket.SOCK_STREAM)
        got = {}

        def serve():
            c, peer = srv.accept()
            with c:
                got["peer"] = peer[0]
                c.sendall(b"Hello, world!\n")

        try:
            srv.bind((HOST_IP, 0))
            srv.listen(1)
            srv.settimeout(90 * SLOW)
            port = srv.getsockname()[1]
            t = threading.Thread(target=serve, daemon=True)
            t.start()
            with VM(name, cmdline="app=client server=seed.svc.test port=%d ip=%s/24 dns=%s"
                    % (port, GUEST_IP, HOST_IP), nic="virtio", net="tap:" + ifname,
                    mac=GUEST_MAC, netns=ns.name) as vm:
                status = vm.wait_exit(timeout=120)
                vm.check("Received: Hello, world!" in vm.output(), "client output")
                vm.check(status == 1, "client exit status %r" % status)
            t.join(30 * SLOW)
            vm.check(got.get("peer") == GUEST_IP, "server saw %r" % got)
            dns.wait_for(r"query\[A\] seed\.svc\.test from " + re.escape(GUEST_IP))
        finally:
            srv.close()
            dns.stop()


# ---------------------------------------------------------------- 5. ARP ageing
def arp_state(vm, ip):
    """(MAC, state) of ip in `arp`, or None."""
    m = re.search(r"^%s\s+(\S+)\s+(\w+)\s" % re.escape(ip), vm.shell("arp"), re.M)
    return m.groups() if m else None


def test_arp_ageing(name):
    with tap_vm(name, "app=none") as (ns, vm, cap, host_mac):
        vm.check(arp_state(vm, HOST_IP) is None, "an entry before any traffic")
        # REACHABLE for 0.5..1.5 s; DELAY 0.3 s; unused STALE entries go after 2 s
        for k, ms in (("base_reachable_time_ms", 1000), ("delay_first_probe_time_ms", 300),
                      ("gc_stale_time_ms", 2000)):
            out = vm.shell("arp set %s %d" % (k, ms))
            vm.check(re.search(r"^%s %d$" % (k, ms), out, re.M), "arp set: %r" % out)
        a0 = netstat(vm)

        def ping():
            out = vm.shell("ping %s 1" % HOST_IP, 60)
            vm.check("1 packets transmitted, 1 received" in out, "ping: %r" % out)

        # resolved by a broadcast request
        ping()
        vm.check(arp_state(vm, HOST_IP) == (host_mac, "REACHABLE"), vm.shell("arp"))
        entry = lambda: arp_state(vm, HOST_IP)  # noqa: E731
        # ages to STALE on its own
        poll(vm, "REACHABLE -> STALE", entry, lambda e: e == (host_mac, "STALE"), 20)
        # used while STALE: DELAY, then a unicast probe; its answer confirms the entry
        a1 = netstat(vm)
        ping()
        poll(vm, "probe answered", lambda: netstat(vm)["ArpExt.InReplies"],
             lambda n: n == a1["ArpExt.InReplies"] + 1, 20)
        vm.check(entry() in ((host_mac, "REACHABLE"), (host_mac, "STALE")), vm.shell("arp"))
        # unused: garbage-collected
        poll(vm, "STALE entry collected", entry, lambda e: e is None, 30)
        # and resolved again from scratch
        ping()
        vm.check(arp_state(vm, HOST_IP) == (host_mac, "REACHABLE"), vm.shell("arp"))
        a2 = netstat(vm)
        d = delta(a2, a0, "ArpExt.OutRequests", "ArpExt.InReplies", "ArpExt.ResolveFailed")
        vm.check(d == {"ArpExt.OutRequests": 3, "ArpExt.InReplies": 3,
                       "ArpExt.ResolveFailed": 0}, "arp counters: %r" % d)
        cap.stop()
        reqs = [(dst, tip) for dst, op, sip, tip in arp_frames(cap.frames())
                if op == 1 and sip == GUEST_IP and tip == HOST_IP]
        vm.check(reqs == [(BROADCAST, HOST_IP), (host_mac, HOST_IP), (BROADCAST, HOST_IP)],
                 "guest's requests for the host: %r" % reqs)
        cap.check_checksums(vm)
