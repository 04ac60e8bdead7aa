"""Text outputs: a timeline like ftrace's function_graph, and time per context.

The timeline lists every record of each CPU in order, one line each:

  time (µs since boot)  CPU)  context  |  duration  steps, indented by nesting

A step whose end follows directly is one line "name();" with its duration; otherwise
"name() {" opens it and "} /* name */" closes it with the duration. A context that
interrupts another (a hard IRQ over a thread, a softirq at irq_exit) is indented one
level deeper than what it interrupted. Hand-offs are marked "==>" with the context they
start and how long that took to run; the start of a context caused by a hand-off is
marked "<==". sched_switch prints a separator line as function_graph does
("------ shell-4 => idle-0 ------"); lost records print "!!! N records lost".

The summary gives, per context: activations (runs of a thread, top-level slices of the
others), busy time (inclusive of what interrupted it), self time (while it was the
innermost context on its CPU), the longest activation, and per-step counts and times."""
from .stream import BEGIN, END, HANDOFF, CTX_THREAD
from .model import target_ctx
from .mermaid import fmt_ns


def _us(ns):
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    return "%s%d.%03d" % (sign, ns // 1000, ns % 1000)


def _dur(ns):
    return ("%.3f us" % (ns / 1000.0)).rjust(12)


def _args(r):
    a = r.args_text()
    txt = " ".join("%s=%s" % kv for kv in a.items())
    if r.pkt:
        txt = ("pkt=%d " % r.pkt) + txt
    return txt


def _thread_short(host, tid):
    return "%s-%d" % (host.trace.ctx_name(CTX_THREAD, tid) or "?", tid)


def timeline(host, cpu=None):
    """The function_graph-like text for one Host (all CPUs, or one)."""
    lines = ["# seqos %s (%s): timeline of every context, function_graph style" % (
        host.label, host.trace.source),
        "# %14s %4s  %-30s | %12s   %s" % ("TIME(us)", "CPU", "CONTEXT", "DURATION", "STEPS")]
    cpus = sorted({r.cpu for r in host.records}) if cpu is None else [cpu]
    for c in cpus:
        recs = [r for r in host.records if r.cpu == c]
        ctx_stack = []
        for i, r in enumerate(recs):
            key = r.ctx
            if key in ctx_stack:
                del ctx_stack[ctx_stack.index(key) + 1:]
            elif r.ctx_kind == CTX_THREAD:
                ctx_stack = [key]
            else:
                ctx_stack.append(key)
            cdepth = max(len(ctx_stack) - 1, 0)
            sdepth = r.slice.depth if r.slice is not None and r.phase != 0 else 0
            if r.phase not in (BEGIN, END) and r.slice is not None:
                sdepth = r.slice.depth + 1
            indent = "  " * (cdepth * 2 + sdepth)
            head = "%16s %3d)  %-30s |" % (_us(r.ns), c, host.label_of(r)[:30])
            if r.cause:
                h = r.cause[0]
                lines.append("%s %12s   %s<== %s from %s (+%s)" % (
                    head, "", indent, h.ev.name, host.label_of(h), fmt_ns(r.ns - h.ns)))
            causes = host.switch_causes.get(r)
            name = r.ev.name
            if name == "sched_switch":
                kind, tid = target_ctx(r.a0)
                sep = "-" * 40
                lines.append(" %s" % sep)
                lines.append(" %3d)  %s => %s   (prev_state %d)" % (
                    c, _thread_short(host, r.ctx_id), _thread_short(host, tid), r.a1))
                for h in causes or ():
                    lines.append(" %3d)  <== %s from %s (+%s)" % (c, h.ev.name, host.label_of(h),
                                                                  fmt_ns(r.ns - h.ns)))
                lines.append(" %s" % sep)
                continue
            if name == "trace_lost":
                lines.append("%s %12s   %s!!! %d records lost" % (head, "", indent, r.a0))
                continue
            if (r.phase == END and r.slice is not None and r.slice.depth == 0 and
                    r.ctx_kind != CTX_THREAD and ctx_stack and ctx_stack[-1] == key):
                ctx_stack.pop()  # the interrupt-level context returned
            if r.phase == BEGIN:
                s = r.slice
                nxt = recs[i + 1] if i + 1 < len(recs) else None
                if nxt is not None and nxt.phase == END and nxt.slice is s:
                    lines.append("%s %s   %s%s();  %s" % (head, _dur(s.dur), indent, name, _args(r)))
                else:
                    lines.append("%s %12s   %s%s() {  %s" % (head, "", indent, name, _args(r)))
            elif r.phase == END:
                s = r.slice
                if s is None:
                    lines.append("%s %12s   %s} /* %s: no begin */" % (head, "", indent, name))
                    continue
                prev = recs[i - 1] if i else None
                if prev is not None and prev.phase == BEGIN and prev.slice is s:
                    continue  # printed as one line
                lines.append("%s %s   %s} /* %s */" % (head, _dur(s.dur), indent, name))
            elif r.ev.kind == HANDOFF:
                tgt = host.target_label(r)
                after = ("runs after %s" % fmt_ns(r.target.ns - r.ns)) if r.target is not None else \
                    ("continues here" if target_ctx(r.a0) == r.ctx else "did not run in the trace")
                lines.append("%s %12s   %s==> %s to %s (%s)  %s" % (head, "", indent, name, tgt, after,
                                                                   _args(r)))
            else:
                lines.append("%s %12s   %s%s  %s" % (head, "", indent, name, _args(r)))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- summary
def summary(host):
    """Per context (track): dict with activations, busy_ns, self_ns, max_ns and steps
    {name: [count, total_ns, max_ns]}; keyed by track label (cpuN prefix when N > 0)."""
    out = {}

    def entry(label):
        if label not in out:
            out[label] = {"activations": 0, "busy_ns": 0, "self_ns": 0, "max_ns": 0, "steps": {}}
        return out[label]

    def label(track_or_run_cpu, lab):
        return lab if track_or_run_cpu == 0 else "cpu%d %s" % (track_or_run_cpu, lab)

    intervals = {}  # cpu -> [(start, end, label)]
    for t in host.tracks.values():
        lab = label(t.cpu, t.label)
        e = entry(lab)
        for s in t.slices:
            st = e["steps"].setdefault(s.name, [0, 0, 0])
            st[0] += 1
            st[1] += s.dur
            st[2] = max(st[2], s.dur)
            if s.depth == 0 and t.kind != CTX_THREAD:
                e["activations"] += 1
                e["busy_ns"] += s.dur
                e["max_ns"] = max(e["max_ns"], s.dur)
                intervals.setdefault(t.cpu, []).append((s.start_ns, s.end_ns, 1, lab))
    for u in host.runs:
        lab = label(u.cpu, u.label)
        e = entry(lab)
        e["activations"] += 1
        e["busy_ns"] += u.dur
        e["max_ns"] = max(e["max_ns"], u.dur)
        intervals.setdefault(u.cpu, []).append((u.start_ns, u.end_ns, 0, lab))
    # Self time: sweep each CPU; the innermost running context is the latest started
    # interrupt-level activation still open, else the running thread.
    for cpu, ivs in intervals.items():
        points = []
        for st, en, level, lab in ivs:
            points.append((st, 1, level, lab))
            points.append((en, 0, level, lab))
        points.sort(key=lambda p: (p[0], p[1]))
        stack, thread, last = [], None, None
        for ns, is_start, level, lab in points:
            if last is not None and ns > last:
                cur = stack[-1] if stack else thread
                if cur is not None:
                    out[cur]["self_ns"] += ns - last
            last = ns
            if level == 0:
                thread = lab if is_start else (None if thread == lab else thread)
            elif is_start:
                stack.append(lab)
            elif lab in stack:
                stack.reverse()
                stack.remove(lab)
                stack.reverse()
    return out


def summary_text(host):
    """The summary as an aligned text table."""
    s = summary(host)
    total = sum(v["self_ns"] for v in s.values()) or 1
    lines = ["# time per context on %s (%s)" % (host.label, host.trace.source),
             "%-34s %8s %13s %13s %6s %13s" % ("context", "runs", "busy", "self", "self%", "longest")]
    for lab, v in sorted(s.items(), key=lambda kv: -kv[1]["self_ns"]):
        lines.append("%-34s %8d %13s %13s %5.1f%% %13s" % (
            lab[:34], v["activations"], fmt_ns(v["busy_ns"]), fmt_ns(v["self_ns"]),
            100.0 * v["self_ns"] / total, fmt_ns(v["max_ns"])))
        for name, (n, tot, mx) in sorted(v["steps"].items(), key=lambda kv: -kv[1][1])[:12]:
            lines.append("    %-30s %8d %13s %13s %6s %13s" % (name[:30], n, fmt_ns(tot), "", "",
                                                              fmt_ns(mx)))
    if host.trace.lost:
        lines.append("# %d records were lost: times around the losses are incomplete" % host.trace.lost)
    return "\n".join(lines) + "\n"


def summary_markdown(host):
    """The summary as a Markdown table (contexts only)."""
    s = summary(host)
    total = sum(v["self_ns"] for v in s.values()) or 1
    lines = ["| context | runs | busy | self | self % | longest |", "|---|---:|---:|---:|---:|---:|"]
    for lab, v in sorted(s.items(), key=lambda kv: -kv[1]["self_ns"]):
        lines.append("| `%s` | %d | %s | %s | %.1f | %s |" % (
            lab, v["activations"], fmt_ns(v["busy_ns"]), fmt_ns(v["self_ns"]),
            100.0 * v["self_ns"] / total, fmt_ns(v["max_ns"])))
    return "\n".join(lines) + "\n"
