"""gdb helpers for seqos (loaded by tools/gdb/seqos.gdb; needs gdb with Python).

Commands:
  seqos-threads            the threads on the scheduler's all_threads list (kernel/sched.c)
  seqos-ctx                the execution context now: cpu0.ctx as the tracer names it
                           (thread:shell(4), hardirq:e1000(81), softirq:NET_RX, ...),
                           cpu0.preempt_count decoded, the current thread
  seqos-sockets            UDP sockets (init_net.ipv4.udp_socks) and TCP ones when the
                           TCP table exists
  seqos-skb ADDR           one struct sk_buff: ids, lengths, headers, the frame decoded
  seqos-steps [FUNC...]    breakpoints on the seed article's steps (or on FUNCs) that log
                           "seqos-step N function context preempt" at each hit and
                           continue; prints which steps do not exist in this kernel
  seqos-steps-stop FUNC [N] stop (instead of continuing) at the N-th hit of FUNC
  seqos-steps-log          the hits so far, in order
  seqos-steps-clear        delete the step breakpoints
  seqos-steps-file PATH    also append each hit line to PATH

The context is read from the kernel's own bookkeeping (struct cpu in
include/seqos/sched.h), the same values the tracer records, so a breakpoint log and a
trace of the same run name contexts the same way."""
import gdb

# The seed article's gdb session (shared/seed), in the order of a send then a receive.
SEED_STEPS = ("__sys_sendto", "sock_sendmsg", "tcp_sendmsg", "tcp_write_xmit", "tcp_transmit_skb",
              "ip_queue_xmit", "ip_local_out", "ip_finish_output", "dev_queue_xmit",
              "net_rx_action", "<poll>", "netif_receive_skb", "ip_rcv", "ip_local_deliver",
              "tcp_v4_rcv", "tcp_data_queue", "__sys_recvfrom", "sock_recvmsg")
# The driver's NAPI poll function, whichever driver is built in.
POLL_CANDIDATES = ("e1000_poll", "e1000_clean", "e1000e_poll", "virtnet_poll", "process_backlog")
CTX_KINDS = {1: "thread", 2: "hardirq", 3: "softirq", 4: "tasklet", 5: "work", 6: "timer", 7: "vector"}
SOFTIRQS = ("HI", "TIMER", "NET_TX", "NET_RX", "TASKLET")
STATES = ("running", "ready", "blocked", "sleeping", "dead")


def _val(expr):
    try:
        return gdb.parse_and_eval(expr)
    except gdb.error:
        return None


def _str(v, n=64):
    try:
        return v.string(length=n).split("\0", 1)[0]
    except (gdb.error, gdb.MemoryError, UnicodeDecodeError):
        return "?"


def _list(head, type_name, field):
    """Entries of a struct list_head list: container_of(node, type_name, field)."""
    t = gdb.lookup_type(type_name)
    off = None
    for f in t.fields():
        if f.name == field:
            off = f.bitpos // 8
    if off is None:
        raise gdb.GdbError("%s has no field %s" % (type_name, field))
    ptr_t = t.pointer()
    char_p = gdb.lookup_type("char").pointer()
    start = head.address
    node = head["next"]
    for _ in range(100000):
        if int(node) == int(start) or int(node) == 0:
            return
        yield (node.cast(char_p) - off).cast(ptr_t)
        node = node["next"]


def _names():
    """The tracer's name registry (kernel/trace.c): {(kind, id): name}."""
    out = {}
    for expr in ("'kernel/trace.c'::names", "names"):
        arr, n = _val(expr), _val(expr.replace("names", "nr_names"))
        if arr is None or n is None:
            continue
        try:
            for i in range(min(int(n), 1024)):
                e = arr[i]
                out[(int(e["kind"]), int(e["id"]))] = _str(e["name"], 32)
            return out
        except gdb.error:
            continue
    return out


def ctx_label(kind, cid, names=None):
    """The tracer's text form of a context (kernel/trace.c format_ctx)."""
    if kind == 3 and cid < len(SOFTIRQS):
        return "softirq:" + SOFTIRQS[cid]
    names = _names() if names is None else names
    name = names.get((7 if kind == 2 else kind, cid), "")
    return "%s:%s(%d)" % (CTX_KINDS.get(kind, "?"), name, cid)


def preempt_text(pc):
    parts = []
    if pc & 0xf0000:
        parts.append("in_hardirq %d" % ((pc & 0xf0000) >> 16))
    if pc & 0x100:
        parts.append("in_softirq")
    if (pc & 0xff00) >> 9:
        parts.append("bh_disabled %d" % ((pc & 0xfe00) >> 9))
    if pc & 0xff:
        parts.append("preempt_disabled %d" % (pc & 0xff))
    return ", ".join(parts) or "preemptible"


def current_ctx():
    """(label, preempt_count, current thread name, tid)."""
    cpu = _val("cpu0")
    if cpu is None:
        raise gdb.GdbError("no symbol cpu0: is build/kernel.elf loaded?")
    kind, cid = int(cpu["ctx"]["kind"]), int(cpu["ctx"]["id"])
    cur = cpu["current"]
    name, tid = ("?", -1) if int(cur) == 0 else (_str(cur["name"], 24), int(cur["tid"]))
    if kind == 0:  # before the first context was recorded: the thread itself
        kind, cid = 1, max(tid, 0)
    return ctx_label(kind, cid), int(cpu["preempt_count"]), name, tid


class Threads(gdb.Command):
    """List seqos threads (all_threads in kernel/sched.c): seqos-threads"""

    def __init__(self):
        super().__init__("seqos-threads", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        head = _val("'kernel/sched.c'::all_threads") or _val("all_threads")
        if head is None:
            raise gdb.GdbError("no all_threads list in this kernel")
        cur = int(_val("cpu0.current") or 0)
        print("  %5s %-20s %-9s %4s %12s %9s  %s" % ("TID", "NAME", "STATE", "PRIO", "CPU_MS", "SWITCHES", "WAITING ON"))
        rows = [_val("cpu0.idle")] if _val("cpu0.idle") is not None and int(_val("cpu0.idle")) else []
        rows += list(_list(head, "struct thread", "all"))
        seen = set()
        for t in rows:
            if int(t) in seen:
                continue
            seen.add(int(t))
            st = int(t["state"])
            wchan = t["wchan"]
            print("%s %5d %-20s %-9s %4d %12.3f %9d  %s" % (
                "*" if int(t) == cur else " ", int(t["tid"]), _str(t["name"], 24),
                STATES[st] if 0 <= st < len(STATES) else st, int(t["prio"]),
                int(t["cpu_ns"]) / 1e6, int(t["switches"]), _str(wchan) if int(wchan) else ""))


class Ctx(gdb.Command):
    """Show the current execution context: seqos-ctx"""

    def __init__(self):
        super().__init__("seqos-ctx", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        label, pc, name, tid = current_ctx()
        print("context: %s  preempt_count=%#x (%s)  current thread: %s(%d)%s" % (
            label, pc, preempt_text(pc), name, tid,
            "  need_resched" if int(_val("cpu0.need_resched") or 0) else ""))
        pend = int(_val("cpu0.softirq_pending") or 0)
        if pend:
            print("softirqs pending: %s" % " ".join(SOFTIRQS[i] for i in range(len(SOFTIRQS)) if pend >> i & 1))


def _ip4(be):
    v = int(be["v"]) if be.type.code == gdb.TYPE_CODE_STRUCT else int(be)
    b = v.to_bytes(4, "little")  # stored in network order, read as a little-endian u32
    return "%d.%d.%d.%d" % tuple(b)


def _port(be):
    v = int(be["v"]) if be.type.code == gdb.TYPE_CODE_STRUCT else int(be)
    return ((v & 0xff) << 8) | (v >> 8)


def _print_sock(kind, sk):
    q = sk["receive_queue"]
    print("  %-4s id %-4d %s:%d -> %s:%d  state %d  rx queued %d (%d bytes of %d)  drops %d%s" % (
        kind, int(sk["id"]), _ip4(sk["rcv_saddr"]), _port(sk["sport"]), _ip4(sk["daddr"]),
        _port(sk["dport"]), int(sk["state"]), int(q["qlen"]), int(sk["rmem_alloc"]),
        int(sk["rcvbuf"]), int(sk["drops"]), "  dead" if bool(sk["dead"]) else ""))


class Sockets(gdb.Command):
    """List sockets (UDP table, and TCP when present): seqos-sockets"""

    def __init__(self):
        super().__init__("seqos-sockets", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        head = _val("init_net.ipv4.udp_socks")
        if head is None:
            raise gdb.GdbError("no init_net.ipv4.udp_socks in this kernel")
        n = 0
        for sk in _list(head, "struct sock", "node"):
            _print_sock("udp", sk)
            n += 1
        found = False
        for expr in ("init_net.ipv4.tcp.bound", "tcp_hashinfo.bound", "'net/ipv4/tcp_ipv4.c'::tcp_hashinfo.bound"):
            head = _val(expr)
            if head is None:
                continue
            found = True
            try:
                for tp in _list(head, "struct tcp_sock", "bind_node"):
                    _print_sock("tcp", tp["sk"] if "sk" in [f.name for f in tp.type.target().fields()] else tp.cast(gdb.lookup_type("struct sock").pointer()))
                    n += 1
            except gdb.error as e:
                print("  tcp: %s" % e)
            break
        if not found:
            print("  (no TCP socket table in this kernel)")
        print("%d sockets" % n)


def _hexdump(addr, n):
    inf = gdb.selected_inferior()
    data = bytes(inf.read_memory(addr, n))
    for i in range(0, len(data), 16):
        chunk = data[i:i + 16]
        print("  %04x  %-48s %s" % (i, " ".join("%02x" % c for c in chunk),
                                    "".join(chr(c) if 32 <= c < 127 else "." for c in chunk)))
    return data


class Skb(gdb.Command):
    """Show one struct sk_buff: seqos-skb ADDR"""

    def __init__(self):
        super().__init__("seqos-skb", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: seqos-skb ADDR")
        skb = gdb.parse_and_eval(arg).cast(gdb.lookup_type("struct sk_buff").pointer())
        head, data = int(skb["head"]), int(skb["data"])
        dev = skb["dev"]
        print("sk_buff %#x  id %d  parent %d  len %d  truesize %d  dev %s  sk %#x" % (
            int(skb), int(skb["id"]), int(skb["parent_id"]), int(skb["len"]), int(skb["truesize"]),
            _str(dev["name"], 16) if int(dev) else "-", int(skb["sk"])))
        print("  headroom %d  tailroom %d  mac %s  network %s  transport %s  pkt_type %d  ip_summed %d  cloned %d" % (
            data - head, int(skb["end"]) - int(skb["tail"]),
            *("-" if int(skb[h]) == 0xffff else int(skb[h]) for h in ("mac_header", "network_header", "transport_header")),
            int(skb["pkt_type"]), int(skb["ip_summed"]), int(skb["cloned"])))
        n = min(int(skb["len"]), 64)
        if n <= 0:
            return
        b = _hexdump(data, n)
        nh = int(skb["network_header"])
        ip = None
        if nh != 0xffff and head + nh >= data:
            ip = b[head + nh - data:]
        elif len(b) >= 14 and b[12:14] == b"\x08\x00":
            ip = b[14:]
        if ip is not None and len(ip) >= 20 and ip[0] >> 4 == 4:
            ihl = (ip[0] & 15) * 4
            proto = ip[9]
            s = "  IPv4 %d.%d.%d.%d -> %d.%d.%d.%d id %d len %d proto %d" % (
                *ip[12:16], *ip[16:20], ip[4] << 8 | ip[5], ip[2] << 8 | ip[3], proto)
            l4 = ip[ihl:]
            if proto in (6, 17) and len(l4) >= 4:
                s += "  ports %d -> %d" % (l4[0] << 8 | l4[1], l4[2] << 8 | l4[3])
                if proto == 6 and len(l4) >= 8:
                    s += "  seq %d" % int.from_bytes(l4[4:8], "big")
            print(s)


# ---------------------------------------------------------------------- steps
class _State:
    bps = []
    hits = []
    counts = {}
    stop_at = {}
    logfile = None
    names = None


def _log(func):
    label, pc, _, _ = current_ctx_cached()
    _State.counts[func] = _State.counts.get(func, 0) + 1
    line = "seqos-step %4d %-22s %-28s preempt=%#x" % (len(_State.hits) + 1, func, label, pc)
    _State.hits.append(line)
    print(line)
    if _State.logfile:
        with open(_State.logfile, "a") as f:
            f.write(line + "\n")
    want = _State.stop_at.get(func)
    return want is not None and _State.counts[func] >= want


def current_ctx_cached():
    """current_ctx() with the name registry read once per arming (it rarely changes and
    reading it at every hit costs a round trip per name)."""
    cpu = _val("cpu0")
    kind, cid = int(cpu["ctx"]["kind"]), int(cpu["ctx"]["id"])
    cur = cpu["current"]
    tid = int(cur["tid"]) if int(cur) else 0
    if kind == 0:
        kind, cid = 1, tid
    if (7 if kind == 2 else kind, cid) not in _State.names and kind != 3:
        _State.names = _names()
    return ctx_label(kind, cid, _State.names), int(cpu["preempt_count"]), None, tid


class StepBreakpoint(gdb.Breakpoint):
    """Logs the hit with the context and lets the target run on (unless told to stop)."""

    def __init__(self, func):
        super().__init__(func, gdb.BP_BREAKPOINT, internal=False)
        self.func = func
        self.silent = True

    def stop(self):
        try:
            return _log(self.func)
        except gdb.error as e:
            print("seqos-step: cannot read the context: %s" % e)
            return False


def _exists(func):
    """True when `break func` would find it (a function, or a static one inlined)."""
    try:
        _, sals = gdb.decode_line(func)
        return bool(sals)
    except gdb.error:
        return False


def _clear():
    for bp in _State.bps:
        try:
            bp.delete()
        except RuntimeError:
            pass
    _State.bps = []


def _arm(funcs):
    _clear()
    _State.names = _names()
    missing, armed = [], []
    for f in funcs:
        cands = POLL_CANDIDATES if f == "<poll>" else (f,)
        found = [c for c in cands if _exists(c)]
        if not found:
            missing.append("the driver's poll (%s)" % "|".join(cands) if f == "<poll>" else f)
            continue
        for c in found:
            if c not in armed:
                _State.bps.append(StepBreakpoint(c))
                armed.append(c)
    print("seqos-steps: armed %d breakpoints: %s" % (len(armed), " ".join(armed)))
    if missing:
        print("seqos-steps: missing: %s" % " ".join(missing))
    return armed


class Steps(gdb.Command):
    """Log the seed article's steps with their context: seqos-steps [FUNC...]"""

    def __init__(self):
        super().__init__("seqos-steps", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        _State.hits, _State.counts = [], {}
        _arm(arg.split() or SEED_STEPS)


class StepsStop(gdb.Command):
    """Stop at the N-th hit of FUNC (default 1): seqos-steps-stop FUNC [N]"""

    def __init__(self):
        super().__init__("seqos-steps-stop", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        a = arg.split()
        if not a:
            raise gdb.GdbError("usage: seqos-steps-stop FUNC [N]")
        n = int(a[1]) if len(a) > 1 else 1
        if not any(bp.func == a[0] for bp in _State.bps):
            if not _exists(a[0]):
                raise gdb.GdbError("no function %s" % a[0])
            _State.bps.append(StepBreakpoint(a[0]))
        _State.stop_at[a[0]] = n
        print("seqos-steps: stopping at hit %d of %s" % (n, a[0]))


class StepsLog(gdb.Command):
    """Print the logged step hits: seqos-steps-log"""

    def __init__(self):
        super().__init__("seqos-steps-log", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        print("seqos-steps: %d hits" % len(_State.hits))
        for line in _State.hits:
            print("  " + line)


class StepsClear(gdb.Command):
    """Delete the step breakpoints: seqos-steps-clear"""

    def __init__(self):
        super().__init__("seqos-steps-clear", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        _clear()
        _State.stop_at = {}
        print("seqos-steps: cleared")


class StepsFile(gdb.Command):
    """Append every step hit to a file: seqos-steps-file PATH"""

    def __init__(self):
        super().__init__("seqos-steps-file", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        _State.logfile = arg.strip() or None
        print("seqos-steps: logging to %s" % (_State.logfile or "the console only"))


for _cmd in (Threads, Ctx, Sockets, Skb, Steps, StepsStop, StepsLog, StepsClear, StepsFile):
    _cmd()
