#!/usr/bin/python3
"""Runs the host tools' tests (tests/tools/test_*.py, unittest, standard library only):
the trace stream decoder and the converters of tools/seqtrace, against streams built
byte by byte (streambuild.py). Ends with "tools: N passed, N failed, N skipped" and exits
non-zero on any failure. `make tools-test` runs it; `make test` includes it.

  tests/tools/run.py            all tests
  tests/tools/run.py -v         one line per test"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    t0 = time.monotonic()
    stream = open(os.devnull, "w") if verbosity == 1 else sys.stderr
    res = unittest.TextTestRunner(stream=stream, verbosity=verbosity).run(suite)
    for what, items in (("FAIL", res.failures), ("ERROR", res.errors)):
        for test, tb in items:
            print("  %s %s\n%s" % (what, test.id(), tb))
    for test, why in res.skipped:
        print("  skip %s: %s" % (test.id(), why))
    bad = len(res.failures) + len(res.errors)
    print("tools: %d passed, %d failed, %d skipped (%.1fs)" % (
        res.testsRun - bad - len(res.skipped), bad, len(res.skipped), time.monotonic() - t0))
    return 1 if bad or not res.testsRun else 0


if __name__ == "__main__":
    sys.exit(main())
