#!/usr/bin/python3
"""Runs the integration tests: every function test_* in tests/integration/test_*.py.
Each test receives its own name (for logs) and boots its own VMs. Independent tests run
in parallel (SEQOS_JOBS, default: the number of CPUs). The run ends with one summary
line "N passed, N failed" and exits non-zero on any failure.

  tests/integration/run.py                 all tests
  tests/integration/run.py boot fault      tests whose name contains a word"""
import concurrent.futures
import importlib.util
import os
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def discover():
    tests = []
    for fn in sorted(os.listdir(HERE)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fn[:-3], os.path.join(HERE, fn))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name in sorted(dir(mod)):
            if name.startswith("test_") and callable(getattr(mod, name)):
                tests.append(("%s.%s" % (fn[5:-3], name[5:]), getattr(mod, name)))
    return tests


TEST_TIMEOUT = float(os.environ.get("SEQOS_TEST_TIMEOUT", 600)) * harness.SLOW / 4


def run_one(name, fn):
    """Runs one test. A watchdog kills the test's VMs when it overruns TEST_TIMEOUT, so a
    test blocked on its guest fails (its sockets see the VM go) instead of hanging CI."""
    t0 = time.monotonic()
    done = threading.Event()

    def watchdog():
        if not done.wait(TEST_TIMEOUT):
            print("  TIMEOUT %s after %.0fs: killing its VMs" % (name, TEST_TIMEOUT), flush=True)
            harness.kill_vms(name)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        fn(name)
        return name, True, time.monotonic() - t0, ""
    except Exception:
        return name, False, time.monotonic() - t0, traceback.format_exc()
    finally:
        done.set()


def main():
    words = sys.argv[1:]
    tests = [t for t in discover() if not words or any(w in t[0] for w in words)]
    jobs = int(os.environ.get("SEQOS_JOBS", os.cpu_count() or 2))
    print("integration: %d tests, %d at a time, %s" % (len(tests), jobs,
          "KVM" if harness.KVM else "TCG (no KVM)"), flush=True)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = [ex.submit(run_one, n, f) for n, f in tests]
        for fut in concurrent.futures.as_completed(futs):
            name, ok, secs, err = fut.result()
            if ok:
                passed += 1
                print("  PASS %-40s %6.1fs" % (name, secs), flush=True)
            else:
                failed += 1
                print("  FAIL %-40s %6.1fs\n%s" % (name, secs, err), flush=True)
    harness._kill_all()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
