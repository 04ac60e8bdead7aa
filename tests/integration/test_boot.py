"""Issue 1/8: boot, console, memory, exceptions, W^X, power, USB boot, command line."""
import random
import re

from harness import VM


def test_banner_prompt_and_boot_time(name):
    with VM(name) as vm:
        vm.wait_for(r"seqos \S+ \(\S+\) booting")
        m = vm.wait_for(r"boot: handoff -> shell prompt in (\d+)\.(\d+) ms")
        ms = int(m.group(1)) + int(m.group(2)) / 1000
        vm.check(0 < ms < 10000, "implausible boot time %s ms" % ms)
        vm.boot()
        out = vm.shell("version")
        vm.check(re.search(r"seqos \S+ .*x86-64, HZ=250", out), "version: " + out)
        out = vm.shell("echo hello  world")
        vm.check(out.strip() == "hello world", "echo: %r" % out)
        out = vm.shell("nosuchcommand")
        vm.check("unknown command" in out, "unknown command: " + out)


def test_mem_numbers_are_sane(name):
    with VM(name, mem="256M") as vm:
        vm.boot()
        out = vm.shell("mem")
        m = re.search(r"pages:\s+total (\d+)\s+free (\d+)\s+used (\d+)", out)
        vm.check(m, "no page line in: " + out)
        total, free, used = map(int, m.groups())
        # 256 MiB = 65536 pages; firmware and the kernel keep some.
        vm.check(40000 < total <= 65536, "total pages %d" % total)
        vm.check(0 < used < total and free + used == total, "free %d used %d" % (free, used))
        classes = re.findall(r"^\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
        vm.check([int(c[0]) for c in classes] == [16 << i for i in range(8)],
                 "kmalloc classes: %r" % classes)
        for size, inuse, peak, total_objs, allocs, frees in classes:
            vm.check(int(inuse) <= int(peak) <= int(total_objs), "class %s counts" % size)
            vm.check(int(allocs) - int(frees) == int(inuse), "class %s allocs-frees" % size)


FAULTS = {
    "pf": (r"#PF page fault", "fault_page", r"not present read"),
    "gp": (r"#GP general protection", "fault_gp", None),
    "ud": (r"#UD invalid opcode", "fault_ud", None),
    # W^X: writing the kernel's text and executing its data both fault.
    "wx": (r"#PF page fault", "fault_write_text", r"protection violation write"),
    "nx": (r"#PF page fault", "fault_exec_data", r"protection violation instruction fetch"),
}


def _fault(name, kind):
    exc, func, detail = FAULTS[kind]
    with VM(name, cmdline="panic=poweroff") as vm:
        vm.boot()
        vm.send("fault %s\r" % kind)
        vm.wait_for(r"\*\*\* EXCEPTION \d+ " + exc + r".*\n")
        if detail:
            vm.check(re.search(detail, vm.output()), "missing %r" % detail)
        vm.wait_for(r"RIP: [0-9a-f]{16} ")
        vm.wait_for(r"CR2: [0-9a-f]{16}")
        vm.wait_for(r"Kernel panic - not syncing: fatal exception")
        out = vm.output()
        bt = out[out.index("Backtrace:"):out.index("Kernel panic")]
        vm.check(re.search(r"#\d+\s+[0-9a-f]{16} (\? )?%s\+0x[0-9a-f]+" % func, bt),
                 "backtrace does not name %s:\n%s" % (func, bt))
        vm.check(re.search(r"cmd_fault\+0x", bt), "backtrace does not reach cmd_fault:\n" + bt)
        vm.check(re.search(r"shell_(run_line|thread)\+0x", bt), "backtrace does not reach the shell:\n" + bt)
        vm.check(vm.wait_exit() == 99, "panic=poweroff did not exit with 99")


def test_fault_pf(name):
    _fault(name, "pf")


def test_fault_gp(name):
    _fault(name, "gp")


def test_fault_ud(name):
    _fault(name, "ud")


def test_fault_write_text(name):
    _fault(name, "wx")


def test_fault_exec_data(name):
    _fault(name, "nx")


def test_stack_overflow_hits_guard_page(name):
    with VM(name, cmdline="panic=poweroff") as vm:
        vm.boot()
        vm.send("fault stack\r")
        vm.wait_for(r"\*\*\* EXCEPTION (8|14) ")
        vm.wait_for(r"stack guard page: kernel stack overflow")
        vm.check(re.search(r"recurse\+0x", vm.output()), "backtrace does not name recurse")
        vm.check(vm.wait_exit() == 99, "no panic exit")


def test_poweroff_status_reaches_host(name):
    status = random.randint(1, 120)
    with VM(name) as vm:
        vm.boot()
        vm.send("poweroff %d\r" % status)
        vm.check(vm.wait_exit() == status, "exit status is not %d" % status)


def test_usb_boot(name):
    with VM(name, usb=True) as vm:
        vm.boot(timeout=90)
        vm.check("UEFI" in vm.output() or "seqos" in vm.output(), "no output")
        vm.send("poweroff 7\r")
        vm.check(vm.wait_exit() == 7, "no clean poweroff after USB boot")


def test_fw_cfg_cmdline_and_unknown_keys(name):
    token = "%08x" % random.getrandbits(32)
    with VM(name, cmdline="app=none hostname=t%s bogus_key=1 loglevel=7" % token) as vm:
        vm.boot()
        out = vm.shell("cmdline")
        vm.check("hostname=t" + token in out, "cmdline does not show the fw_cfg text: " + out)
        vm.check("fw_cfg opt/seqos/cmdline" in out, "source not fw_cfg: " + out)
        log = vm.output()
        vm.check(log.count("unknown key 'bogus_key'") == 1, "unknown key not reported once")
        vm.check("unknown key 'hostname'" not in log, "a known key was reported")
