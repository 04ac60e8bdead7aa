"""Statistics for tools/bench: medians, nearest-rank percentiles, ratios and targets.

Every comparison is seqos / Linux of the medians over rounds run alternately in one
session. Whether a ratio is good depends on the metric: a rate is better higher (a
ratio of 3 means seqos does three times as much), a latency or a size is better lower
(a ratio of 0.5 means seqos takes half). Standard library only; tested by
tools/bench/test_benchstats.py (make bench-selftest)."""
import math

# name -> (unit, better, label). better is "higher" or "lower".
METRICS = {
    "boot_exchange_s": ("s", "lower", "boot: QEMU start -> first seed exchange (wall)"),
    "boot_listening_ms": ("ms", "lower", "boot: guest start -> seed server listening (guest)"),
    "seed_seq_rate": ("conn/s", "higher", "seed exchange, sequential"),
    "seed_seq_p50_ms": ("ms", "lower", "seed latency p50, sequential"),
    "seed_seq_p99_ms": ("ms", "lower", "seed latency p99, sequential"),
    "seed_seq_fail_pct": ("%", "lower", "seed exchanges failed, sequential"),
    "seed_conc_rate": ("conn/s", "higher", "seed exchange, 32 concurrent"),
    "seed_conc_p50_ms": ("ms", "lower", "seed latency p50, 32 concurrent"),
    "seed_conc_p99_ms": ("ms", "lower", "seed latency p99, 32 concurrent"),
    "seed_conc_fail_pct": ("%", "lower", "seed exchanges failed, 32 concurrent"),
    "cpu_s_per_1000_conn": ("s", "lower", "host CPU of QEMU per 1000 seed exchanges"),
    "bulk_rx_MBps": ("MB/s", "higher", "bulk guest -> host ('S')"),
    "bulk_tx_MBps": ("MB/s", "higher", "bulk host -> guest ('R')"),
    "http_rps": ("req/s", "higher", "HTTP keep-alive (wrk)"),
    "http_p99_ms": ("ms", "lower", "HTTP latency p99 (wrk)"),
    "mem_used_kib": ("KiB", "lower", "guest memory in use after the run"),
    "image_bytes": ("bytes", "lower", "image size"),
}

# The targets. kind "ratio": seqos/Linux of the metric; "absolute": seqos's own value.
TARGETS = [
    {"name": "seed exchange rate >= 3x Linux", "metric": "seed_seq_rate", "kind": "ratio", "op": ">=", "value": 3.0},
    {"name": "seed rate, 32 concurrent >= 3x Linux", "metric": "seed_conc_rate", "kind": "ratio", "op": ">=", "value": 3.0},
    {"name": "bulk guest -> host >= 1.5x Linux", "metric": "bulk_rx_MBps", "kind": "ratio", "op": ">=", "value": 1.5},
    {"name": "bulk host -> guest >= 1.5x Linux", "metric": "bulk_tx_MBps", "kind": "ratio", "op": ">=", "value": 1.5},
    {"name": "seed p99 latency <= 0.5x Linux", "metric": "seed_seq_p99_ms", "kind": "ratio", "op": "<=", "value": 0.5},
    {"name": "seqos.efi <= 256 KB", "metric": "image_bytes", "kind": "absolute", "op": "<=", "value": 256 * 1024},
    {"name": "hand-off -> listening <= 20 ms (guest)", "metric": "boot_listening_ms", "kind": "absolute", "op": "<=", "value": 20.0},
]

# Checked in the tracecost workload: seqos's sequential seed rate with tracing on (as
# `make run` records) over the rate with tracing off, both seqos.
TRACE_TARGETS = [
    {"name": "tracing on costs < 10% of the seed rate", "metric": "seed_seq_rate_traced", "kind": "trace",
     "op": ">=", "value": 0.9},
]


def _clean(xs):
    return sorted(float(x) for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x)))


def median(xs):
    """Median of the values that are not None; None for none. Even counts average the
    two middle values."""
    s = _clean(xs)
    if not s:
        return None
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def percentile(xs, p):
    """Nearest-rank percentile: the smallest value with at least p% of the values at or
    below it (p99 of 1000 samples is the 990th smallest). None for no values."""
    if not 0 < p <= 100:
        raise ValueError("percentile p must be in (0, 100]")
    s = _clean(xs)
    if not s:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(s) - 1e-9))
    return s[rank - 1]


def ratio(seqos, linux):
    """seqos / Linux, or None when either is missing or Linux's is zero."""
    if seqos is None or linux is None or linux == 0:
        return None
    return float(seqos) / float(linux)


def better(metric, seqos, linux):
    """True when seqos's value is better than Linux's for this metric, None if unknown."""
    r = ratio(seqos, linux)
    if r is None:
        return None
    return r > 1.0 if METRICS[metric][1] == "higher" else r < 1.0


def evaluate(target, seqos, linux=None):
    """(measured, status) for one target: measured is the ratio or seqos's own value;
    status "pass", "miss" or "pending" (not measured)."""
    measured = ratio(seqos, linux) if target["kind"] == "ratio" else (None if seqos is None else float(seqos))
    if measured is None:
        return None, "pending"
    ok = measured >= target["value"] if target["op"] == ">=" else measured <= target["value"]
    return measured, "pass" if ok else "miss"


def summarize_latencies(us):
    """p50/p99/mean/max in milliseconds of a list of latencies in microseconds."""
    s = _clean(us)
    if not s:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "mean_ms": None, "max_ms": None}
    return {"n": len(s), "p50_ms": percentile(s, 50) / 1000.0, "p99_ms": percentile(s, 99) / 1000.0,
            "mean_ms": sum(s) / len(s) / 1000.0, "max_ms": s[-1] / 1000.0}


def fmt(v, unit=""):
    """A compact human form of a number (3 significant digits), '-' for None."""
    if v is None:
        return "-"
    if unit == "bytes":
        return "%d" % v
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 10:
        return "%.2f" % v
    return "%.3g" % v
