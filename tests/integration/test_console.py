"""Issue 1/8: console editing, framebuffer console, reboot, and gdb on the kernel."""
import os
import re
import struct
import subprocess

from harness import QMP, ROOT, SLOW, VM, free_port


def test_line_editing_and_history(name):
    with VM(name) as vm:
        vm.boot()
        # Backspace, Ctrl-U and the left arrow edit the line before it runs.
        vm.send("echo abX\x7fc\r")
        vm.wait_for(r"\nabc\n")
        vm.send("garbage\x15echo fresh\r")
        vm.wait_for(r"\nfresh\n")
        vm.send("echo wrld\x1b[D\x1b[D\x1b[Do\r")  # insert 'o' three places from the end
        vm.wait_for(r"\nworld\n")
        # Up arrow recalls the previous line.
        vm.send("\x1b[A\r")
        vm.wait_for(r"\nworld\n")
        # Tab completes a unique command name.
        vm.send("uptim\t\r")
        vm.wait_for(r"up \d+\.\d+ s, jiffies \d+")


def _ppm_lit_pixels(path):
    data = open(path, "rb").read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    w, h = int(m.group(1)), int(m.group(2))
    pix = data[m.end():]
    lit = sum(1 for i in range(0, len(pix), 3) if pix[i] or pix[i + 1] or pix[i + 2])
    return w, h, lit


def test_framebuffer_console_draws_printk(name):
    with VM(name, vga=True) as vm:
        vm.boot()
        vm.shell("dmesg")
        q = QMP(vm.qmp_path)
        shot = os.path.join(vm.workdir, "screen.ppm")
        q.cmd("screendump", filename=shot)
        q.close()
        w, h, lit = _ppm_lit_pixels(shot)
        # Text drawn in 8x16 glyphs covers a few percent of the screen: more than a
        # cursor, less than a cleared or garbage screen.
        vm.check(w >= 640 and h >= 400, "screen %dx%d" % (w, h))
        vm.check(2000 < lit < w * h // 3, "lit pixels %d of %d" % (lit, w * h))


def test_reboot_restarts_the_machine(name):
    with VM(name) as vm:
        vm.boot()
        vm.send("reboot\r")
        vm.wait_for(r"reboot\n")
        vm.wait_for(r"seqos \S+ \(\S+\) booting", timeout=120)
        vm.boot(timeout=120)
        vm.check(vm.output().count(" booting") == 2, "did not boot twice")


def test_gdb_breaks_in_kernel_main_with_backtrace(name):
    port = free_port()
    with VM(name, extra=["-gdb", "tcp:127.0.0.1:%d" % port, "-S"]) as vm:
        elf = os.path.join(ROOT, "build", "kernel.elf")
        out = subprocess.run(
            ["gdb", "-q", "-batch", "-nx", elf,
             "-ex", "target remote 127.0.0.1:%d" % port,
             "-ex", "break kernel_main", "-ex", "continue", "-ex", "bt",
             "-ex", "info registers rip", "-ex", "kill"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=180 * SLOW).stdout
        vm.check(re.search(r"Breakpoint 1, kernel_main \(boot_info_phys=", out), "no stop in kernel_main:\n" + out)
        vm.check(re.search(r"#0\s+kernel_main .* at \S+\.[ch]:\d+", out), "no source-level frame:\n" + out)
        vm.check(re.search(r"#1\s+0x[0-9a-f]+ in _start", out), "bt does not reach _start:\n" + out)
        vm.check(re.search(r"rip\s+0xffffffff8", out), "rip not in the kernel:\n" + out)
