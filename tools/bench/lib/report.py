"""The benchmark's outputs: results.json, results.md, PNG plots and the printed summary.
Plots use Debian's python3-matplotlib when it is there; without it the run still
writes the JSON and the Markdown and says the plots were skipped."""
import json
import os

import benchstats
from benchstats import METRICS, fmt

ROW_ORDER = ["boot_exchange_s", "boot_exchange_ovmf_s", "boot_listening_ms",
             "seed_seq_rate", "seed_seq_p50_ms", "seed_seq_p99_ms", "seed_seq_fail_pct",
             "seed_conc_rate", "seed_conc_p50_ms", "seed_conc_p99_ms", "seed_conc_fail_pct",
             "cpu_s_per_1000_conn", "bulk_rx_MBps", "bulk_tx_MBps", "http_rps", "http_p99_ms",
             "mem_used_kib", "image_bytes"]
EXTRA = {"boot_exchange_ovmf_s": ("s", "lower", "boot through OVMF: QEMU start -> first seed exchange")}


def metric_info(name):
    return METRICS.get(name) or EXTRA[name]


def write_json(path, results):
    with open(path + ".tmp", "w") as f:
        json.dump(results, f, indent=1, sort_keys=False)
    os.replace(path + ".tmp", path)


def _target_mark(metric, tstates):
    marks = [t for t in tstates if t["metric"] == metric]
    return "; ".join("%s %s %s: **%s**" % ("ratio" if t["kind"] == "ratio" else "value", t["op"],
                                        fmt(t["value"]), t["status"]) for t in marks)


def config_table(cfg):
    lines = ["| metric | unit | seqos | Linux | seqos/Linux | better | target |",
             "|---|---|---:|---:|---:|---|---|"]
    for name in ROW_ORDER:
        m = cfg["metrics"].get(name)
        if not m:
            continue
        unit, better, label = metric_info(name)
        r = m.get("ratio")
        b = benchstats.better(name, m.get("seqos"), m.get("linux")) if name in METRICS else (
            None if r is None else r < 1.0)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, unit, fmt(m.get("seqos"), unit), fmt(m.get("linux"), unit),
            "-" if r is None else "%.2fx" % r, {True: "seqos", False: "Linux", None: "-"}[b],
            _target_mark(name, cfg.get("targets", []))))
    return "\n".join(lines)


def tracecost_table(cfg):
    """Tracing on vs off: the medians, each round's pair, and what the tracer said."""
    tc = cfg["tracecost"]
    lines = ["| | tracing off | tracing on (%s) | on/off | target |" % "trace=all trace_stream=1",
             "|---|---:|---:|---:|---|",
             "| seed exchange, sequential, conn/s (median) | %s | %s | %s | %s |" % (
                 fmt(tc["off"]), fmt(tc["on"]), "-" if tc["ratio"] is None else "%.2fx" % tc["ratio"],
                 _target_mark("seed_seq_rate_traced", cfg.get("targets", [])))]
    lines.append("| rounds, conn/s | %s | %s | %s | |" % (
        ", ".join(fmt(x) for x in tc["off_rounds"]), ", ".join(fmt(x) for x in tc["on_rounds"]),
        ", ".join("-" if x is None else "%.2f" % x for x in tc["round_ratios"])))
    for st, nbytes in zip(tc["trace_stats"], tc["stream_bytes"]):
        st = st or {}
        lines.append("| tracer (`trace stats`) | | %s records written, %s lost, %s ns per record; %s bytes "
                     "streamed | | |" % (st.get("written", "-"), st.get("lost", "-"),
                                         st.get("ns_per_record", "-"), "-" if nbytes is None else nbytes))
    return "\n".join(lines)


def write_md(path, results):
    meta = results["meta"]
    out = ["# seqos vs Linux: benchmark results", "",
           "Run %s on %s (%d cores, load average %.1f at the start, %.1f at the end), QEMU %s, "
           "accel=tcg, q35, 256 MiB, 1 vCPU; %d round(s), seqos and Linux alternating; medians "
           "of the rounds; ratio = seqos / Linux; took %.0f s." % (
               meta["date"], meta["host"], meta["cores"], meta.get("loadavg_start", 0),
               meta.get("loadavg_end", 0), meta["qemu"], meta["rounds"], meta.get("duration_s", 0)), "",
           "seqos: `%s` (%s), %s; Linux: %s." % (
               meta["seqos_commit"], meta["seqos_image"], meta["seqos_cmdline"],
               "%s %s (%s boot), busybox %s" % (
                   meta["linux"]["kernel_package"], meta["linux"]["kernel_version"], "direct -kernel",
                   meta["linux"]["busybox_version"]) if meta["linux"] else "not run"), ""]
    if meta.get("seqos_note"):
        out += ["**seqos:** %s" % meta["seqos_note"], ""]
    for cfg in results["configs"]:
        out += ["## NIC %s, %s networking" % (cfg["nic"], cfg["backend"]), "", config_table(cfg), ""]
        if cfg.get("tracecost"):
            out += ["### Tracing cost (seqos, sequential seed exchanges)", "", tracecost_table(cfg), ""]
        errs = cfg.get("errors") or []
        if errs:
            out += ["Errors:", ""] + ["- %s" % e for e in errs[:20]] + [""]
    out += ["## Targets", "", "| target | config | measured | status |", "|---|---|---:|---|"]
    for t in results["targets"]:
        out.append("| %s | %s | %s | %s |" % (t["name"], t["config"],
                                             "-" if t["measured"] is None else (
                                                 "%.2fx" % t["measured"] if t["kind"] in ("ratio", "trace")
                                                 else fmt(t["measured"])),
                                             t["status"]))
    plots_made = ", ".join("`%s`" % os.path.basename(p) for p in results.get("plots", []))
    out += ["", "Plots: " + (plots_made or "none"), ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def print_summary(results, write=print):
    meta = results["meta"]
    write("")
    write("bench: seqos vs Linux, %d round(s), medians, ratio = seqos/Linux (%s)" % (
        meta["rounds"], meta["date"]))
    for cfg in results["configs"]:
        write("")
        write("  NIC %s, %s networking" % (cfg["nic"], cfg["backend"]))
        write("  %-52s %12s %12s %9s  %s" % ("metric", "seqos", "Linux", "ratio", "target"))
        for name in ROW_ORDER:
            m = cfg["metrics"].get(name)
            if not m:
                continue
            unit, _, label = metric_info(name)
            r = m.get("ratio")
            write("  %-52s %12s %12s %9s  %s" % (
                (label + " [" + unit + "]")[:52], fmt(m.get("seqos"), unit), fmt(m.get("linux"), unit),
                "-" if r is None else "%.2fx" % r, _target_mark(name, cfg.get("targets", [])).replace("**", "")))
        tc = cfg.get("tracecost")
        if tc:
            write("  %-52s %12s %12s %9s  %s" % ("seed exchange, sequential [conn/s]", "trace on", "trace off",
                                                "on/off", _target_mark("seed_seq_rate_traced", cfg.get("targets", []))
                                                .replace("**", "")))
            write("  %-52s %12s %12s %9s  rounds on/off: %s" % (
                "", fmt(tc["on"]), fmt(tc["off"]), "-" if tc["ratio"] is None else "%.2fx" % tc["ratio"],
                ", ".join("-" if x is None else "%.2f" % x for x in tc["round_ratios"])))
    write("")
    write("  targets:")
    for t in results["targets"]:
        meas = "-" if t["measured"] is None else ("%.2fx" % t["measured"] if t["kind"] in ("ratio", "trace")
                                                  else fmt(t["measured"]))
        write("    %-44s %-12s %10s  %s" % (t["name"], t["config"], meas, t["status"].upper()))
    if meta.get("seqos_note"):
        write("")
        write("  seqos: " + meta["seqos_note"])
    write("")


# ------------------------------------------------------------------ plots
def plots(results, outdir):
    """ratios.png (every ratio against 1 and the targets), seed_latency.png (CDF of the
    seed exchange latencies, last round), absolute.png (values side by side)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "python3-matplotlib is not installed: no plots"
    made = []
    cfgs = results["configs"]

    # 1. ratios, one bar group per metric, one bar per config
    names = [n for n in ROW_ORDER if any(c["metrics"].get(n, {}).get("ratio") is not None for c in cfgs)]
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(names), 3) + 1.5))
    h = 0.8 / max(len(cfgs), 1)
    for i, c in enumerate(cfgs):
        vals = [c["metrics"].get(n, {}).get("ratio") or 0 for n in names]
        ys = [k + i * h for k in range(len(names))]
        ax.barh(ys, vals, height=h, label="%s/%s" % (c["nic"], c["backend"]))
    for t in results["targets"]:
        if t["kind"] == "ratio" and t["metric"] in names:
            k = names.index(t["metric"])
            ax.plot([t["value"]] * 2, [k - 0.1, k + 0.9], color="red", lw=2)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks([k + 0.4 - h / 2 for k in range(len(names))])
    ax.set_yticklabels([metric_info(n)[2] + (" (lower better)" if metric_info(n)[1] == "lower" else "")
                        for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("seqos / Linux (log scale; red: target)")
    ax.set_title("seqos vs Linux in the same QEMU (TCG), medians of %d round(s)" % results["meta"]["rounds"],
                 fontsize=10)
    if len(cfgs) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    p = os.path.join(outdir, "ratios.png")
    fig.savefig(p, dpi=100)
    plt.close(fig)
    made.append(p)

    # 2. seed latency CDF per config and OS
    fig, ax = plt.subplots(figsize=(8, 4.5))
    any_line = False
    for c in cfgs:
        for osn, style in (("seqos", "-"), ("linux", "--")):
            f = c.get("latency_files", {}).get(osn)
            if not f or not os.path.exists(f):
                continue
            with open(f) as fh:
                lat = sorted(float(x) / 1000.0 for x in fh.read().split())
            if not lat:
                continue
            ys = [(i + 1) / len(lat) for i in range(len(lat))]
            ax.plot(lat, ys, style, label="%s %s/%s" % (osn, c["nic"], c["backend"]))
            any_line = True
    if any_line:
        ax.set_xscale("log")
        ax.set_xlabel("seed exchange latency, ms (connect -> server's close), sequential")
        ax.set_ylabel("fraction of exchanges")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        p = os.path.join(outdir, "seed_latency.png")
        fig.savefig(p, dpi=100)
        made.append(p)
    plt.close(fig)

    # 3. absolute values, one small panel per metric, first config
    c = cfgs[0]
    names = [n for n in ROW_ORDER if n in c["metrics"] and n != "image_bytes"]
    if names:
        cols = 4
        rows = (len(names) + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(12, 2.6 * rows))
        axes = [a for row in (axes if rows > 1 else [axes]) for a in row]
        for a, n in zip(axes, names):
            m = c["metrics"][n]
            unit, better, label = metric_info(n)
            vals = [m.get("seqos") or 0, m.get("linux") or 0]
            a.bar(["seqos", "Linux"], vals, color=["tab:blue", "tab:gray"])
            a.set_title("%s\n[%s, %s better]" % (label, unit, better), fontsize=7)
            a.tick_params(labelsize=7)
            if m.get("seqos") is None:
                a.text(0, 0, "pending", ha="center", va="bottom", fontsize=7, color="red")
        for a in axes[len(names):]:
            a.axis("off")
        fig.suptitle("NIC %s, %s networking (medians)" % (c["nic"], c["backend"]), fontsize=9)
        fig.tight_layout()
        p = os.path.join(outdir, "absolute.png")
        fig.savefig(p, dpi=100)
        plt.close(fig)
        made.append(p)
    return made, None
