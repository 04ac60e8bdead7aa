"""Issue 4 (seqos 3/8): the NIC drivers under traffic, for each QEMU model: e1000 (82540EM,
INTx), e1000e (82574L, MSI) and virtio-net (modern virtio, MSI-X vector per queue).

pair: two seqos VMs joined by a QEMU socket netdev on 127.0.0.1 exchange raw Ethernet
  frames (ethertype 0x88b5, kernel/ethtest.c) both ways at once, small (copied) and full
  size (zero copy), every frame counted and its bytes checked by the receiver; a burst
  larger than the RX ring, sent with bottom halves off so the sender's TX ring fills,
  while the receiver is paused, after which NAPI drains it with fewer interrupts than
  frames and every frame is received or counted as lost by the device; lengths no frame
  can have, as a broken device might report them (the driver's test hook), dropped and
  counted; a link flap from the QEMU monitor, logged by the driver, after which traffic
  flows again; and at the end the buffer pools are back at their baseline on both VMs.
tap: the host exchanges frames with a VM through a tap device inside a network namespace
  the test creates and deletes (run as root), with pci=nomsi (INTx) for e1000e and virtio,
  and config space through ports 0xCF8/0xCFC for one model; then `ifconfig eth0 down`
  returns every buffer (pools at 0) and `up` brings the device back.

Frame layout (kernel/ethtest.c): Ethernet header, "SQET", seq (u32), frame length (u16),
run (u16), then byte k = (seq * 31 + k) & 0xff."""
import re
import socket
import struct
import time

from harness import QMP, VM, NetNS, free_port, wait_tcp_listen

MAC_A = "52:54:00:00:00:0a"
MAC_B = "52:54:00:00:00:0b"
ETH_P_ETHTEST = 0x88b5
RX_RING = 256


def wait_link_up(vm):
    """The carrier came up at boot (possibly before the prompt) or comes up now."""
    # "] net:", the stack's message: "virtio_net: eth0 link up" is the driver's, which
    # comes first
    if not re.search(r"\] net: eth0 link up", vm.output()):
        vm.wait_for(r"\] net: eth0 link up", 30)


def ethtest_rx(vm, out):
    m = re.search(r"ethtest: rx ok (\d+) bad (\d+) ooo (\d+) drops (\d+)", out)
    vm.check(m, "no ethtest counters in %r" % out)
    return dict(zip(("ok", "bad", "ooo", "drops"), map(int, m.groups())))


def ethtool(vm):
    out = vm.shell("ethtool -S eth0")
    return {k: int(v) for k, v in re.findall(r"^\s+(\w+): (\d+)$", out, re.M)}


def nic_irqs(vm):
    """Interrupts delivered to eth0's vectors (one line per vector in `interrupts`)."""
    out = vm.shell("interrupts")
    return sum(int(n) for n, name in re.findall(r"^\s*\d+:\s+(\d+)\s.*\s(eth0\S*)$", out, re.M))


def softnet(vm):
    out = vm.shell("softnet")
    m = re.search(r"^\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    vm.check(m, "softnet: %r" % out)
    return dict(zip(("processed", "dropped", "squeeze", "rx_runs", "polls"), map(int, m.groups())))


def pools(vm):
    m = re.search(r"pools in use (\d+)", vm.shell("ethtest pools"))
    vm.check(m, "ethtest pools")
    return int(m.group(1))


def pool_table(vm):
    """`mem`'s buffer pools: name -> objects in use."""
    out = vm.shell("mem")
    return {n: int(u) for n, u in re.findall(r"^(skb\w+)\s+\d+\s+\d+\s+(\d+)", out, re.M)}


def sent_ok(vm, out, n):
    m = re.search(r"ethtest: sent (\d+) frames of \d+ bytes in \d+ us, (\d+) dropped", out)
    vm.check(m and int(m.group(1)) == n and int(m.group(2)) == 0, "send: %r" % out)


def exchange(a, b, n, size, mac_a=MAC_A, mac_b=MAC_B, timeout=60):
    """Both VMs send n frames of size bytes to each other at the same time; each checks
    it received all n, intact and in order."""
    for vm in (a, b):
        vm.shell("ethtest reset eth0")
    cmds = {a: "ethtest send eth0 %s %d %d" % (mac_b, n, size),
            b: "ethtest send eth0 %s %d %d" % (mac_a, n, size)}
    for vm, cmd in cmds.items():
        vm.shell_start(cmd)
    for vm, cmd in cmds.items():
        sent_ok(vm, vm.shell_finish(cmd, timeout), n)
    for vm in (a, b):
        rx = ethtest_rx(vm, vm.shell("ethtest wait %d 20000" % n, timeout))
        vm.check(rx == {"ok": n, "bad": 0, "ooo": 0, "drops": 0},
                 "%d frames of %d bytes: %r" % (n, size, rx))


def check_vectors(vm, nic):
    """Which interrupts the driver got: e1000 an IOAPIC line (q35 routes PCI INTx to GSI
    16-23), e1000e one MSI, virtio an MSI-X vector each for config, RX and TX."""
    out = vm.shell("interrupts")
    lines = re.findall(r"^\s*\d+:\s+(\d+)\s+(\S+)\s+(?:(\d+)-fasteoi\s+)?(eth0\S*)$", out, re.M)
    got = sorted((chip, name) for _, chip, _, name in lines)
    want = {"e1000": [("IO-APIC", "eth0")], "e1000e": [("MSI", "eth0")],
            "virtio": [("MSI", "eth0-config"), ("MSI", "eth0-rx-0"), ("MSI", "eth0-tx-0")]}[nic]
    vm.check(got == want, "interrupts: %r, want %r" % (got, want))
    gsis = [int(g) for _, _, g, _ in lines if g]
    vm.check(all(16 <= g <= 23 for g in gsis), "INTx GSI %r" % gsis)
    vm.check(sum(int(n) for n, _, _, name in lines if "config" not in name) > 0, out)


def boot_pair(name, nic):
    port = free_port()
    a = VM(name + "-a", cmdline="app=none ip=10.9.0.1/24", nic=nic,
           net="socket-listen:%d" % port, mac=MAC_A)
    b = VM(name + "-b", cmdline="app=none ip=10.9.0.2/24", nic=nic,
           net="socket-connect:%d" % port, mac=MAC_B)
    return port, a, b


def pair(name, nic):
    port, a, b = boot_pair(name, nic)
    with a:
        wait_tcp_listen(port)  # B's connect= must find A's listen= socket
        with b:
            a.boot()
            b.boot()
            for vm in (a, b):
                wait_link_up(vm)
            # warm up, then the baseline: every ring full, nothing in flight
            exchange(a, b, 10, 60)
            check_vectors(a, nic)
            base = {vm: (pools(vm), pool_table(vm)) for vm in (a, b)}

            # 1. both ways at once: copied (small) and zero-copy (full-size) frames
            exchange(a, b, 200, 60)
            exchange(a, b, 60, 1514)

            # 2. a burst of nearly 2 RX rings at a receiver that is not polling
            #    (`ethtest rxhold`: NAPI disabled, the machine running): its ring fills,
            #    then the device drops (e1000) or holds frames back (virtio); the sender's
            #    TX ring fills too. What the receiver's ring cannot take waits in the
            #    host's socket buffers, which hold only a few dozen frames, so the burst
            #    is what A's TX ring and queue (255 + 256) hold by themselves: A's send
            #    must not wait for B, which is released only after it.
            n = 2 * RX_RING - 32
            irq0, sn0, tx0 = nic_irqs(b), softnet(b), ethtool(a)
            b.shell("ethtest reset eth0")
            b.shell("ethtest rxhold eth0 on")
            out = a.shell("ethtest send eth0 %s %d 60 burst" % (MAC_B, n), 120)
            b.shell("ethtest rxhold eth0 off")
            sent_ok(a, out, n)
            rx = ethtest_rx(b, b.shell("ethtest wait %d 30000" % n, 120))
            irq1, sn1, tx1 = nic_irqs(b), softnet(b), ethtool(a)
            # every frame received intact, or counted as lost by the device (QEMU's e1000
            # drops what its ring cannot take, counting MPC); gaps only where frames were lost
            b.check(rx["ok"] + rx["drops"] == n and rx["bad"] == 0 and
                    (rx["ooo"] == 0 or rx["drops"] > 0), "burst of %d: %r" % (n, rx))
            b.check(rx["ok"] >= RX_RING - 1, "burst: fewer frames than one ring: %r" % rx)
            irqs, processed = irq1 - irq0, sn1["processed"] - sn0["processed"]
            polls = sn1["polls"] - sn0["polls"]
            b.check(processed >= rx["ok"] and irqs < processed and polls > irqs / 2,
                    "NAPI: %d interrupts, %d polls for %d frames" % (irqs, polls, processed))
            stops = tx1["tx_stops"] - tx0["tx_stops"]
            wakes = tx1["tx_wakes"] - tx0["tx_wakes"]
            a.check(stops >= 1, "TX ring never filled: %r" % tx1)
            a.check(stops == wakes and tx1["tx_busy"] == tx0["tx_busy"],
                    "TX queue stops %d, wakes %d, busy %d" % (stops, wakes, tx1["tx_busy"]))
            print("%s: burst of %d frames: %d received, %d dropped by the device, "
                  "%d interrupts, %d NAPI polls; sender's TX queue stopped %d times"
                  % (name, n, rx["ok"], rx["drops"], irqs, polls, stops))

            # 3. bad lengths reported by the device (the driver's test hook): each such
            #    frame is dropped and counted, its buffer goes back to the ring
            b.shell("ethtest reset eth0")
            b.shell("ethtest inject eth0 badlen 4")
            sent_ok(a, a.shell("ethtest send eth0 %s 20 100" % MAC_B), 20)
            rx = ethtest_rx(b, b.shell("ethtest wait 20 20000", 60))
            b.check(rx["ok"] == 16 and rx["drops"] == 4 and rx["bad"] == 0, "bad lengths: %r" % rx)
            exchange(a, b, 20, 100)

            # 4. link flap from the monitor: logged, then traffic resumes
            qa = QMP(a.qmp_path)
            qa.cmd("set_link", **{"name": "n0", "up": False})
            a.wait_for(r"eth0 (NIC Link is Down|link down)", 30)
            a.wait_for(r"\] net: eth0 link down", 30)
            qa.cmd("set_link", **{"name": "n0", "up": True})
            a.wait_for(r"\] net: eth0 link up", 30)
            qa.close()
            a.check("carrier on" in a.shell("ifconfig eth0"), "carrier still off")
            exchange(a, b, 50, 300)

            # 5. nothing leaked: the pools are where they started
            for vm in (a, b):
                want, table = base[vm]
                out = vm.shell("ethtest pools wait %d 5000" % want, 60)
                vm.check("pools in use %d" % want in out, "pools %r, baseline %d" % (out, want))
                vm.check(pool_table(vm) == table, "mem: %r, baseline %r" % (pool_table(vm), table))


def test_e1000_pair(name):
    pair(name, "e1000")


def test_e1000e_pair(name):
    pair(name, "e1000e")


def test_virtio_pair(name):
    pair(name, "virtio")


# ---------------------------------------------------------------- host <-> VM over a tap
def frame(dst, src, seq, size):
    payload = bytes((seq * 31 + k) & 0xff for k in range(size - 14 - 12))
    return (dst + src + struct.pack(">H", ETH_P_ETHTEST) + b"SQET" +
            struct.pack(">IHH", seq, size, 0) + payload)


def check_frame(data):
    """The seq of a good ethtest frame, else None."""
    if len(data) < 26 or data[12:14] != struct.pack(">H", ETH_P_ETHTEST) or data[14:18] != b"SQET":
        return None
    seq, size, _ = struct.unpack(">IHH", data[18:26])
    if size < 26 or size > len(data):
        return None
    if any(data[26 + k] != (seq * 31 + k) & 0xff for k in range(size - 26)):
        return None
    return seq


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def tap(name, nic, cmdline):
    ifname = "sqtap%d" % (free_port() % 10000)
    vm_mac = "52:54:00:00:01:%02x" % (free_port() % 256)
    with NetNS("seqos-nic") as ns:
        ns.run("ip", "tuntap", "add", "dev", ifname, "mode", "tap")
        ns.run("ip", "link", "set", ifname, "up")
        host_mac = ns.run("cat", "/sys/class/net/%s/address" % ifname).strip()
        s = ns.sock(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ETHTEST))
        s.bind((ifname, ETH_P_ETHTEST))
        with VM(name, cmdline="app=none ip=10.8.0.2/24 " + cmdline, nic=nic,
                net="tap:" + ifname, mac=vm_mac, netns=ns.name) as vm:
            vm.boot()
            wait_link_up(vm)
            lspci = vm.shell("lspci -v")
            vm.check(re.search(r"Ethernet controller.*(e1000|virtio) eth0", lspci), lspci)
            if "nomsi" in cmdline:
                vm.check("IRQ: INTx GSI" in lspci and "Enable+" not in lspci,
                         "pci=nomsi but: %r" % lspci)
            if "nommconf" in cmdline:
                vm.check(re.search(r"pci: \d+ functions via ports", vm.output()), "ECAM used")
            vm.shell("ethtest reset eth0")
            base = pools(vm)

            # host -> VM: sizes from 60 to 1514
            n = 200
            for seq in range(n):
                size = 60 + (seq * 97) % (1514 - 60 + 1)
                s.send(frame(mac_bytes(vm_mac), mac_bytes(host_mac), seq, size))
            rx = ethtest_rx(vm, vm.shell("ethtest wait %d 20000" % n, 60))
            vm.check(rx == {"ok": n, "bad": 0, "ooo": 0, "drops": 0}, "host -> VM: %r" % rx)

            # VM -> host
            cmd = "ethtest send eth0 %s %d 300" % (host_mac, n)
            vm.shell_start(cmd)
            got, bad = [], 0
            s.settimeout(1.0)
            deadline = time.monotonic() + 60
            while len(got) < n and time.monotonic() < deadline:
                try:
                    data = s.recv(2048)
                except socket.timeout:
                    continue
                if data[0:6] != mac_bytes(host_mac):
                    continue
                seq = check_frame(data)
                if seq is None:
                    bad += 1
                else:
                    got.append(seq)
            sent_ok(vm, vm.shell_finish(cmd, 60), n)
            vm.check(got == list(range(n)) and bad == 0,
                     "VM -> host: %d frames, %d bad, out of order: %s" %
                     (len(got), bad, got != sorted(got)))
            out = vm.shell("ethtest pools wait %d 5000" % base, 60)
            vm.check("pools in use %d" % base in out, "pools %r, baseline %d" % (out, base))

            # down gives every buffer back and frees the vectors' handlers; up works again
            vm.shell("ifconfig eth0 down")
            out = vm.shell("ethtest pools wait 0 5000", 60)
            vm.check("pools in use 0" in out, "after down: %r" % out)
            vm.check("eth0" not in vm.shell("interrupts"), "a handler left after down")
            vm.shell("ifconfig eth0 up")
            vm.check("carrier on" in vm.shell("ifconfig eth0"), "no carrier after up")
            vm.shell("ethtest reset eth0")
            for seq in range(20):
                s.send(frame(mac_bytes(vm_mac), mac_bytes(host_mac), seq, 1000))
            rx = ethtest_rx(vm, vm.shell("ethtest wait 20 20000", 60))
            vm.check(rx == {"ok": 20, "bad": 0, "ooo": 0, "drops": 0}, "after up: %r" % rx)
            out = vm.shell("ethtest pools wait %d 5000" % base, 60)
            vm.check("pools in use %d" % base in out, "pools %r, baseline %d" % (out, base))
        s.close()


def test_e1000_tap(name):
    tap(name, "e1000", "pci=nommconf")


def test_e1000e_tap_intx(name):
    tap(name, "e1000e", "pci=nomsi")


def test_virtio_tap_intx(name):
    tap(name, "virtio", "pci=nomsi")
