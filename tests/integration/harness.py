"""Integration test harness: boot seqos in QEMU and talk to it (standard library only).

    with VM(test, cmdline="app=echo", nic="e1000", net="user") as vm:
        vm.wait_for(r"seqos> ")
        out = vm.shell("mem")
        assert "free" in out

A VM always dies with its test: the context manager, an atexit hook and SIGINT/SIGTERM
handlers kill QEMU. Each test gets a work directory under build/test-logs/<test>/ with
the serial log; on success it is deleted, on failure it stays. Ports come from
free_port(), so VMs of parallel tests never collide."""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))
import seqos_qemu  # noqa: E402

LOG_ROOT = os.path.join(ROOT, "build", "test-logs")
PROMPT = "seqos> "
KVM = seqos_qemu.kvm_usable()
# Guest time is slow under TCG: timeouts scale, the assertions do not.
SLOW = 1.0 if KVM else 4.0

_live = set()
_live_lock = threading.Lock()


def _kill_all(*_):
    with _live_lock:
        vms = list(_live)
    for vm in vms:
        vm.kill()


atexit.register(_kill_all)


def kill_vms(prefix):
    """Kills the running VMs whose name starts with prefix (a test's name)."""
    with _live_lock:
        vms = [vm for vm in _live if vm.name.startswith(prefix)]
    for vm in vms:
        vm.kill()


def _on_signal(signum, frame):
    _kill_all()
    raise SystemExit(128 + signum)


if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Whole kernel log lines ("[    0.047279] net: ...\n"), which printk may write in the
# middle of the shell's echo of a command being typed.
PRINTK_LINES = r"(?:\[ *\d+\.\d{6}\] [^\n]*\n)*"


class TestFailure(AssertionError):
    pass


def wait_tcp_listen(port, timeout=30):
    """Waits until something listens on 127.0.0.1:port (a QEMU socket netdev with listen=),
    so a second VM's connect= cannot race it. Reads /proc/net/tcp: probing with a connect
    would itself become the netdev's one peer."""
    want = "0100007F:%04X" % port
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] == want and fields[3] == "0A":  # 0A = LISTEN
                    return
        time.sleep(0.02)  # QEMU is starting; nothing to be told by
    raise TestFailure("nothing listens on 127.0.0.1:%d" % port)


class NetNS:
    """A network namespace for the test's own tap devices (run as root); deleted on exit,
    also when the test fails. sock() opens a socket inside it (from this thread)."""
    _seq = 0

    def __init__(self, prefix="seqos"):
        NetNS._seq += 1
        self.name = "%s-%d-%d" % (prefix, os.getpid(), NetNS._seq)

    def __enter__(self):
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "delete", self.name], check=False)
        return False

    def run(self, *cmd):
        """Runs a command inside the namespace; returns its stdout."""
        return subprocess.run(["ip", "netns", "exec", self.name] + list(cmd), check=True,
                              stdout=subprocess.PIPE, text=True).stdout

    def sock(self, family, kind, proto=0):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        CLONE_NEWNET = 0x40000000
        with open("/proc/thread-self/ns/net") as home, \
                open("/run/netns/" + self.name) as ns:
            if libc.setns(ns.fileno(), CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns " + self.name)
            try:
                return socket.socket(family, kind, proto)
            finally:
                libc.setns(home.fileno(), CLONE_NEWNET)


class VM:
    def __init__(self, name, cmdline="app=none", nic=None, net=None, mac="52:54:00:12:34:56",
                 usb=False, trace=False, pcap=False, mem="256M", extra=None, vga=False,
                 workdir=None, echo=None, netns=None, trace_via="virtio"):
        """workdir: keep files there (default: build/test-logs/<name>, deleted when the test
        passes). echo: a function called with each line of serial output as it arrives.
        netns: run QEMU inside this network namespace (its tap devices live there).
        trace_via: "virtio" (a virtio console) or "com2" carries the trace stream."""
        self.name = name
        self.keep = workdir is not None
        self.workdir = workdir or os.path.join(LOG_ROOT, name)
        self.echo = echo
        self.partial = ""
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir, exist_ok=True)
        self.log_path = os.path.join(self.workdir, "serial.log")
        self.trace_path = os.path.join(self.workdir, "trace.bin") if trace else None
        self.pcap_path = os.path.join(self.workdir, "capture.pcap") if pcap else None
        self.argv, self.qmp_path = seqos_qemu.build_argv(
            self.workdir, cmdline=cmdline, serial="stdio", trace_file=self.trace_path,
            nic=nic, net=net, mac=mac, pcap=self.pcap_path, mem=mem, usb=usb, vga=vga,
            extra=extra, trace_via=trace_via)
        if netns:
            self.argv = ["ip", "netns", "exec", netns] + self.argv
        self.buf = ""
        self.pos = 0  # how far wait_for has consumed
        self.cond = threading.Condition()
        self.proc = None
        self.rc = None
        self.failed = False

    # -------------------------------------------------------------- lifecycle
    def start(self):
        self.log = open(self.log_path, "w")
        self.log.write("# " + " ".join(self.argv) + "\n")
        self.log.flush()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        with _live_lock:
            _live.add(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                break
            text = data.decode("utf-8", "replace").replace("\r", "")
            self.log.write(text)
            self.log.flush()
            if self.echo:
                lines = (self.partial + text).split("\n")
                self.partial = lines.pop()
                for line in lines:
                    self.echo(line)
            with self.cond:
                self.buf += text
                self.cond.notify_all()
        with self.cond:
            self.rc = self.proc.wait()
            self.cond.notify_all()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        with _live_lock:
            _live.discard(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, etype, e, tb):
        self.kill()
        if hasattr(self, "reader"):
            self.reader.join(timeout=5)
        if hasattr(self, "log"):
            self.log.close()
        if etype is None and not self.failed and not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    # -------------------------------------------------------------- console
    def wait_for(self, pattern, timeout=30, consume=True):
        """Waits until pattern (a regex) appears in serial output not yet consumed;
        returns the match. Fails the test (keeping the log) on timeout or QEMU exit."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout * SLOW
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    if consume:
                        self.pos = m.end()
                    return m
                if self.rc is not None:
                    self.fail("QEMU exited (rc %s) before %r appeared" % (self.rc, pattern))
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail("timeout waiting for %r" % pattern)
                self.cond.wait(min(left, 1.0))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def boot(self, timeout=60):
        self.wait_for(re.escape(PROMPT), timeout)
        return self

    def shell(self, cmd, timeout=30):
        """Runs a shell command; returns its output (the text between the echoed command
        line and the next prompt)."""
        self.shell_start(cmd)
        return self.shell_finish(cmd, timeout)

    def shell_start(self, cmd):
        """Types a command without waiting for it (to run commands in several VMs at once);
        shell_finish(cmd) then returns its output."""
        self.send(cmd + "\r")

    def shell_finish(self, cmd, timeout=30):
        # kernel messages from other threads may land inside the echoed line
        self.wait_for(PRINTK_LINES.join(map(re.escape, cmd)) + PRINTK_LINES + r"\n", timeout)
        start = self.pos
        self.wait_for(re.escape(PROMPT), timeout)
        with self.cond:
            return self.buf[start:self.pos - len(PROMPT)]

    def wait_exit(self, timeout=60):
        """Waits for QEMU to exit; returns the kernel's poweroff status (None when QEMU
        did not exit through isa-debug-exit)."""
        deadline = time.monotonic() + timeout * SLOW
        with self.cond:
            while self.rc is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail("QEMU did not exit within %ss" % timeout)
                self.cond.wait(min(left, 1.0))
        return seqos_qemu.exit_status(self.rc)

    def output(self):
        with self.cond:
            return self.buf

    def fail(self, msg):
        self.failed = True
        raise TestFailure("%s: %s (serial log: %s)" % (self.name, msg, self.log_path))

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)


class QMP:
    """A minimal QMP client (QEMU Machine Protocol, JSON over the VM's unix socket)."""

    def __init__(self, path, timeout=10):
        import json
        self.json = json
        deadline = time.monotonic() + timeout * SLOW
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # the socket appears when QEMU has started
        self.file = self.sock.makefile("rw")
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            msg = self.json.loads(self.file.readline())
            if "event" not in msg:
                return msg

    def cmd(self, name, /, **args):  # positional-only: QMP arguments may be called name
        self.file.write(self.json.dumps({"execute": name, "arguments": args}) + "\n")
        self.file.flush()
        r = self._read()
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (name, r["error"]))
        return r.get("return")

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})

    def close(self):
        # the file holds the socket open too (QEMU takes one QMP client at a time)
        self.file.close()
        self.sock.close()
