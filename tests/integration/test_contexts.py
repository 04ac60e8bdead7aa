"""Issue 2/8: execution contexts with Linux's semantics, proven from the trace.

Each test runs an in-kernel scenario (kernel/selftest_ctx.c: a self-IPI stands in for a
device interrupt), dumps the trace and checks the order of records: which context ran
what, and before what. Markers are test_event records with a = 10 (thread, before the
IRQ), 11 (thread, after), 12 (in the hard IRQ handler)."""
import re

from harness import VM
from tracetext import find, parse

TEST_VEC = 224


def run(vm, scenario, timeout=60):
    vm.shell("trace clear")
    vm.shell("trace start")
    out = vm.shell("selftest " + scenario, timeout=timeout)
    vm.shell("trace stop")
    recs, bad = parse(vm.shell("trace dump", timeout=120))
    vm.check(not bad, "malformed trace lines: %r" % bad[:3])
    return out, recs


def test_softirq_raised_in_hardirq_runs_before_thread_resumes(name):
    with VM(name) as vm:
        vm.boot()
        out, recs = run(vm, "softirq-order")
        vm.check("tasklet runs 1" in out, out)
        before = find(recs, "test_event", a=10)
        irq_b = find(recs, "hardirq", before, vector=TEST_VEC)
        raise_ = find(recs, "raise_softirq", irq_b, vec=4)
        irq_e = next(i for i in range(irq_b, len(recs)) if recs[i].event == "hardirq" and recs[i].phase == "E")
        sirq_b = find(recs, "softirq", irq_e, vec=4)
        task = find(recs, "tasklet_run", sirq_b)
        after = find(recs, "test_event", a=11)
        vm.check(-1 not in (before, irq_b, raise_, sirq_b, task, after), "missing steps")
        vm.check(before < irq_b < raise_ < irq_e < sirq_b < task < after,
                 "order: %r" % [before, irq_b, raise_, irq_e, sirq_b, task, after])
        vm.check(recs[raise_].kind == "hardirq", "raise_softirq not in the hard IRQ: " + recs[raise_].ctx)
        vm.check(recs[sirq_b].ctx == "softirq:TASKLET", "softirq context: " + recs[sirq_b].ctx)
        vm.check(recs[sirq_b].arg("from") == 0, "softirq did not run from irq_exit")
        vm.check(recs[task].kind == "tasklet", "tasklet context: " + recs[task].ctx)
        # The interrupted thread resumes only after the softirq: no thread record between.
        between = [r for r in recs[irq_b:after] if r.kind == "thread"]
        vm.check(not between, "thread ran before the softirq finished: %r" % between)
        vm.check(recs[before].ctx == recs[after].ctx, "resumed in another thread")


def test_tasklet_scheduled_twice_runs_once(name):
    with VM(name) as vm:
        vm.boot()
        out, recs = run(vm, "tasklet-once")
        vm.check("bh section runs 1, hardirq runs 1" in out, out)
        runs = [r for r in recs if r.event == "tasklet_run" and r.phase == "B"]
        scheds = [r for r in recs if r.event == "tasklet_schedule"]
        vm.check(len(runs) == 2, "tasklet_run begins: %d" % len(runs))
        # The second schedule of each pair is a no-op: no hand-off is recorded for it.
        vm.check(len(scheds) == 2, "tasklet_schedule hand-offs: %d" % len(scheds))
        # From the bh section the tasklet runs at local_bh_enable, from the hard IRQ at irq_exit.
        froms = [r.arg("from") for r in recs if r.event == "softirq" and r.phase == "B" and r.arg("vec") == 4]
        vm.check(froms == [1, 0], "softirq entry points: %r" % froms)


def test_softirq_flood_moves_to_ksoftirqd_and_threads_progress(name):
    with VM(name) as vm:
        vm.boot()
        out, recs = run(vm, "softirq-flood", timeout=120)
        m = re.search(r"flood runs (\d+), witness count (\d+)", out)
        vm.check(m and int(m.group(1)) > 50 and int(m.group(2)) > 0, out)
        start = find(recs, "test_event", a=30)
        end = find(recs, "test_event", a=31)
        flood = recs[start:end]
        wake = [r for r in flood if r.event == "ksoftirqd_wakeup"]
        vm.check(wake, "budget never ran out: no ksoftirqd wakeup")
        in_ksoftirqd = [r for r in flood if r.event == "softirq" and r.phase == "B" and r.arg("from") == 2]
        vm.check(len(in_ksoftirqd) >= 2, "softirqs did not run in ksoftirqd")
        # The witness thread ran during the flood: switched to, in between ksoftirqd runs.
        switches = [r for r in flood if r.event == "sched_switch"]
        tids = {r.arg("to") & 0xffffffff for r in switches}
        witness = [r for r in flood if r.kind == "thread" and r.cname == "witness"]
        vm.check(witness or any(True for _ in tids), "no switches during the flood")
        first_k = recs.index(in_ksoftirqd[0])
        last_k = recs.index(in_ksoftirqd[-1])
        wit_tid = {r.cid for r in flood if r.cname == "witness"}
        ran_between = [r for r in recs[first_k:last_k] if r.event == "sched_switch" and (r.arg("to") & 0xffffffff) in wit_tid]
        vm.check(ran_between, "the witness thread never ran while ksoftirqd owned the flood")


def test_delayed_work_never_fires_early(name):
    with VM(name) as vm:
        vm.boot()
        out, recs = run(vm, "delayed-work")
        m = re.search(r"delay (\d+) ms, ran after (\d+) ms, cancelled yes, cancelled ran 0", out)
        vm.check(m, "delayed-work output: " + out)
        vm.check(int(m.group(2)) >= int(m.group(1)), "ran after %s ms < delay %s ms" % (m.group(2), m.group(1)))
        queued = recs[find(recs, "test_event", a=20)]
        run_b = find(recs, "work_run")
        ran = recs[find(recs, "test_event", a=21)]
        vm.check(run_b >= 0 and recs[run_b].kind == "work", "work did not run in a work context")
        vm.check(ran.t - queued.t >= 0.100, "work ran %.3f s after queueing" % (ran.t - queued.t))
        # timer -> queue_work hand-off -> worker
        qw = find(recs, "queue_work")
        vm.check(qw >= 0 and recs[qw].kind == "timer", "queue_work not from the timer: %r" % recs[qw])
        vm.check(qw < run_b, "work ran before it was queued")


def test_thread_on_wait_queue_woken_by_irq_handler(name):
    with VM(name) as vm:
        vm.boot()
        out, recs = run(vm, "irq-wakeup")
        m = re.search(r"sleeper tid (\d+) exit 7", out)
        vm.check(m, out)
        tid = int(m.group(1))
        irq = find(recs, "hardirq", vector=TEST_VEC)
        wake = find(recs, "wake_up", irq, tid=tid)
        vm.check(wake > irq >= 0, "no wake_up after the IRQ")
        vm.check(recs[wake].kind == "hardirq", "wake_up not from the hard IRQ: " + recs[wake].ctx)
        ran = find(recs, "test_event", wake, a=40)
        vm.check(ran > wake and recs[ran].kind == "thread" and recs[ran].cid == tid,
                 "sleeper did not run after the wakeup")
        switch = find(recs, "sched_switch", wake)
        vm.check(0 <= switch < ran and recs[switch].arg("to") & 0xffffffff == tid,
                 "no switch to the sleeper between wakeup and its run")


def test_full_ring_reports_losses_keeps_whole_records(name):
    with VM(name, cmdline="app=none trace_buf=256") as vm:
        vm.boot()
        out, recs = run(vm, "trace-burst 3000")
        stats = vm.shell("trace stats")
        m = re.search(r"written (\d+), lost (\d+)", stats)
        vm.check(m and int(m.group(2)) >= 3000 - 256, "stats: " + stats)
        vm.check(len([r for r in recs if r.event != "trace_lost"]) <= 256,
                 "more records than the ring holds")
        lost = [r for r in recs if r.event == "trace_lost"]
        burst = [r for r in recs if r.event == "test_event" and r.arg("a") == 50]
        vm.check(burst, "no burst records kept")
        # Kept records are whole and in order: pkt ids of the burst strictly increase.
        ids = [r.pkt for r in burst]
        vm.check(ids == sorted(ids) and len(set(ids)) == len(ids), "burst records out of order")
        vm.check(lost and lost[0].arg("lost") > 0, "no trace_lost marker in the stream")


def test_threads_priorities_sleep_mutex(name):
    with VM(name) as vm:
        vm.boot()
        out = vm.shell("selftest threads", timeout=60)
        vm.check("selftest threads: PASS" in out, out)
        ps = vm.shell("ps")
        for t in ("idle", "ksoftirqd/0", "shell", "kworker/events:0"):
            vm.check(re.search(r"\d+ %s\s" % re.escape(t), ps), "ps lacks %s:\n%s" % (t, ps))
        for cmd, want in (("interrupts", r"timer"), ("softirqs", r"TASKLET\s+\d+"),
                          ("workqueues", r"events\s+2"), ("timers", r"pending")):
            o = vm.shell(cmd)
            vm.check(re.search(want, o), "%s: %s" % (cmd, o))


def test_wakeup_before_sleeping_keeps_run_queue_sane(name):
    # Threads woken by an interrupt between prepare_to_wait() and schedule(), then exiting:
    # a running thread put on the run queue would run again after its death (a panic).
    with VM(name, cmdline="app=none panic=poweroff") as vm:
        vm.boot()
        out = vm.shell("selftest wake-race", timeout=120)
        vm.check("selftest wake-race: exit 5" in out, out)
        out = vm.shell("selftest threads", timeout=60)
        vm.check("selftest threads: PASS" in out, out)
        # Preempted between prepare_to_wait() and schedule(): runnable again at once (it
        # may hold what its waker needs), not asleep until a wake-up that cannot come.
        out = vm.shell("selftest preempt-blocked", timeout=60)
        vm.check("selftest preempt-blocked: rescuer ran first, ran again unwoken: PASS" in out,
                 out)
        vm.check("Kernel panic" not in vm.output(), "panic")
