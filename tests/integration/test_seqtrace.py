"""Issue 8: tools/seqtrace on a real trace stream, and the gdb helpers on a real VM.

test_stream_to_outputs: boots a VM with COM2 saved to a file, streams the trace while
`selftest softirq-order` runs (a self-IPI stands in for a device IRQ: the hard IRQ
schedules a tasklet and raises TASKLET_SOFTIRQ, which runs at irq_exit) and one ping to
127.0.0.1 crosses the loopback device (thread -> dev_hard_start_xmit -> netif_rx ->
NET_RX softirq -> netif_receive_skb -> ICMP), powers off so the kernel ends the stream,
then runs tools/seqtrace with --check and checks what it made of it.

test_gdb_helpers: boots a VM with a gdbstub on a free port, attaches gdb with
tools/gdb/seqos.gdb, and checks seqos-threads and seqos-ctx, then the breakpoint log of
the seed article's steps for one ping over loopback (send path in the shell thread,
receive path in NET_RX softirq)."""
import json
import os
import re
import shutil
import subprocess
import sys

from harness import ROOT, VM, free_port

sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))
from seqtrace import check, model, packets, stream  # noqa: E402

TOOL = os.path.join(ROOT, "tools", "seqtrace")


def test_stream_to_outputs(name):
    stream_to_outputs(name, "virtio")


def test_stream_to_outputs_com2(name):
    """The same through COM2, the way out on a PC without virtio."""
    stream_to_outputs(name, "com2")


def stream_to_outputs(name, via):
    with VM(name, cmdline="app=none", trace=True, trace_via=via) as vm:
        vm.boot()
        vm.shell("trace start")
        out = vm.shell("tracestream on")
        vm.check("streaming" in out, out)
        out = vm.shell("selftest softirq-order")
        vm.check("tasklet runs 1" in out, out)
        out = vm.shell("ping 127.0.0.1 1", timeout=60)
        vm.check("1 received" in out, out)
        # Power off while the streamer thread may be in the middle of a chunk: the kernel
        # finishes that chunk, drains the rest and ends the stream (trace_stream_final).
        vm.send("poweroff\r")
        vm.check(vm.wait_exit() == 0, "poweroff status")
        outdir = os.path.join(vm.workdir, "out")
        res = subprocess.run([sys.executable, TOOL, vm.trace_path, "-o", outdir, "-n", "t", "--check"],
                             capture_output=True, text=True, timeout=120)
        vm.check(res.returncode == 0, "seqtrace failed:\n%s%s" % (res.stdout, res.stderr))
        vm.check("check: ok" in res.stdout, res.stdout)

        # The stream itself: complete, nothing lost, the firmware's COM2 noise skipped.
        t = stream.read(vm.trace_path)
        vm.check(t.end is not None and not t.problems and t.lost == 0, "stream problems: %r" % t.problems)
        h = model.build(t)
        vm.check(h.repairs == {"orphan_end": 0, "repair": 0, "stale": 0, "eof": 0}, "repairs %r" % h.repairs)

        # Chrome JSON: the hard IRQ -> softirq -> tasklet chain as flow arrows.
        with open(os.path.join(outdir, "t.json")) as f:
            doc = json.load(f)
        errs, st = check.check_chrome_json(doc)
        vm.check(not errs, "JSON: %r" % errs[:5])
        ev = doc["traceEvents"]
        names = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
        flows = {}
        for e in ev:
            if e["ph"] in "sf":
                flows.setdefault(e["id"], {})[e["ph"]] = e
        arrows = {(f["s"]["name"], names[f["s"]["tid"]], names[f["f"]["tid"]]) for f in flows.values()}
        for want in (("raise_softirq", "cpu0 hardirq:selftest(224)", "cpu0 softirq:TASKLET"),
                     ("tasklet_schedule", "cpu0 hardirq:selftest(224)", "cpu0 tasklet:st_tasklet_fn(1)")):
            vm.check(want in arrows, "no %s arrow %s -> %s" % want)
        sirq = [e for e in ev if e["ph"] == "B" and names[e["tid"]] == "cpu0 softirq:TASKLET"]
        task = [e for e in ev if e["ph"] == "B" and e["name"] == "tasklet_run"]
        irq = [e for e in ev if e["ph"] == "B" and names[e["tid"]] == "cpu0 hardirq:selftest(224)"]
        vm.check(irq and sirq and task and irq[0]["ts"] < sirq[0]["ts"] < task[0]["ts"],
                 "hardirq, softirq, tasklet not in that order")

        # The ping: one packet id from the shell thread through loopback to ICMP in
        # NET_RX softirq, with the same wire identity leaving and arriving.
        packets.find_packets(h)
        echo = [p for p in h.packets.values() if any(r.ev.name == "icmp_reply" for r in p.recs)]
        vm.check(echo, "no echo request packet in the trace")
        p = echo[0]
        text = packets.chain_text(p.chain())
        vm.check(re.search(r"^thread:shell\(\d+\) .*ip_queue_xmit -> .*dev_hard_start_xmit -> skb_wire -> "
                           r"netif_rx -> .*softirq:NET_RX softirq -> net_rx_action -> napi_poll -> "
                           r"netif_receive_skb -> skb_wire -> ip_rcv -> .*icmp_rcv -> icmp_reply", text),
                 "echo request chain: " + text)
        tx, rx = p.tx_wires(), p.rx_wires()
        vm.check(len(tx) == 1 and len(rx) == 1, "skb_wire records: %r" % p.wires)
        vm.check(packets.wire_key(tx[0][1]) == packets.wire_key(rx[0][1]) and tx[0][1].proto == 1,
                 "wire identities differ: %r %r" % (tx[0][1], rx[0][1]))

        # Mermaid: the hand-off diagram shows the same chain; every diagram is valid.
        with open(os.path.join(outdir, "t.md")) as f:
            md = f.read()
        blocks = check.mermaid_blocks(md)
        vm.check(len(blocks) >= 2 and not any(check.check_mermaid(b) for b in blocks), "mermaid")
        hand = [b for b in blocks if "hand-offs between contexts" in b][0]
        vm.check(re.search(r"as hardirq:selftest\(224\)", hand) and
                 re.search(r"-->>h0_ctx_tasklet_st_tasklet_fn_1_: tasklet_schedule \+", hand) and
                 re.search(r"-->>h0_ctx_softirq_TASKLET: raise_softirq \+", hand), "hand-off diagram:\n" + hand)
        vm.check("ICMP echo id" in md, "no ICMP connection diagram")

        # The timeline marks the hand-offs and the contexts they started.
        with open(os.path.join(outdir, "t.timeline.txt")) as f:
            tl = f.read()
        vm.check("==> tasklet_schedule to tasklet:st_tasklet_fn(1) (runs after" in tl, "timeline hand-off")
        vm.check("<== raise_softirq from hardirq:selftest(224)" in tl, "timeline cause")


def _gdb(vm, port, cmds, timeout=300):
    argv = ["gdb", "-q", "-nx", "-batch", os.path.join(ROOT, "build", "kernel.elf"),
            "-ex", "set pagination off", "-ex", "target remote 127.0.0.1:%d" % port,
            "-x", os.path.join(ROOT, "tools", "gdb", "seqos.gdb")]
    for c in cmds:
        argv += ["-ex", c]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_gdb_helpers(name):
    if shutil.which("gdb") is None:
        raise AssertionError("gdb is not installed (make deps)")
    port = free_port()
    with VM(name, cmdline="app=none", extra=["-gdb", "tcp:127.0.0.1:%d" % port]) as vm:
        vm.boot()
        # Attach while the shell waits for input: list threads and the context, detach.
        g = _gdb(vm, port, ["seqos-threads", "seqos-ctx", "detach"])
        out, _ = g.communicate(timeout=120)
        vm.check(g.returncode == 0, "gdb failed:\n" + out)
        for t in ("idle", "ksoftirqd/0", "shell", "kworker/events:0"):
            vm.check(re.search(r"^\s*\*?\s*\d+\s+%s\s" % re.escape(t), out, re.M), "seqos-threads lacks %s:\n%s" % (t, out))
        vm.check(re.search(r"context: thread:\S+\(\d+\)", out), "seqos-ctx:\n" + out)
        vm.check(vm.shell("echo alive").strip().endswith("alive"), "the VM did not resume after detach")

        # The seed article's breakpoints, logged and continued, for one ping over lo;
        # stop at icmp_rcv of the reply (the second one), then look at the context.
        g = _gdb(vm, port, ["seqos-steps", "seqos-steps-stop icmp_rcv 2", "continue",
                            "seqos-steps-log", "seqos-ctx", "seqos-steps-clear", "detach"])
        # gdb prints this before it continues the target; the ping typed now waits in
        # the serial line until the VM runs.
        line = ""
        while "seqos-steps: armed" not in line:
            line = g.stdout.readline()
            vm.check(line != "", "gdb ended before arming the breakpoints")
        vm.send("ping 127.0.0.1 1\r")
        out, _ = g.communicate(timeout=300)
        vm.check(g.returncode == 0, "gdb failed:\n" + out)
        hits = re.findall(r"^seqos-step\s+\d+\s+(\S+)\s+(\S+)", out, re.M)
        order = [f for f, _ in hits]
        ctx = {}
        for f, c in hits:
            ctx.setdefault(f, c)  # the first hit: the request (the reply goes out from NET_RX)
        # send path, in the shell thread
        want_tx = ["ip_local_out", "ip_finish_output", "dev_queue_xmit"]
        want_rx = ["net_rx_action", "netif_receive_skb", "ip_rcv", "ip_local_deliver"]
        for f in want_tx + want_rx:
            vm.check(f in order, "breakpoint %s not hit:\n%s" % (f, out))
        first = [order.index(f) for f in want_tx + want_rx]
        vm.check(first == sorted(first), "steps out of order: %r" % order)
        vm.check(ctx["ip_local_out"].startswith("thread:shell"), "ip_local_out in %s" % ctx["ip_local_out"])
        vm.check(ctx["netif_receive_skb"] == "softirq:NET_RX", "netif_receive_skb in %s" % ctx["netif_receive_skb"])
        vm.check(re.search(r"context: softirq:NET_RX .*in_softirq", out), "seqos-ctx at icmp_rcv:\n" + out)
        # Every step of the seed article is either armed or reported missing.
        armed = set(re.search(r"seqos-steps: armed \d+ breakpoints: (.*)", out).group(1).split())
        m = re.search(r"seqos-steps: missing: (.*)", out)
        missing = set(m.group(1).split()) if m else set()
        seed = {"__sys_sendto", "sock_sendmsg", "tcp_sendmsg", "tcp_write_xmit", "tcp_transmit_skb",
                "ip_queue_xmit", "ip_local_out", "ip_finish_output", "dev_queue_xmit", "net_rx_action",
                "netif_receive_skb", "ip_rcv", "ip_local_deliver", "tcp_v4_rcv", "tcp_data_queue",
                "__sys_recvfrom", "sock_recvmsg"}
        vm.check(seed <= armed | missing and not armed & missing, "armed %r missing %r" % (armed, missing))
        out = vm.shell("ping 127.0.0.1 1", timeout=60)
        vm.check("1 received" in out, "the VM did not run on after gdb detached: " + out)
