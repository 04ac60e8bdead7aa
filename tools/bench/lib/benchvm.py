"""The benchmark's virtual machines: seqos (OVMF, its disk image) and the Linux peer
(-kernel/-initrd, directly through SeaBIOS or through OVMF's EFI-stub boot), on the same
QEMU machine (q35, TCG, 256 MiB, one vCPU), NIC model and network backend, plus the
network namespace with a tap device for the tap backend. Standard library only.

Every QEMU started here is killed on every way out: the context manager, an atexit
hook, and SIGINT/SIGTERM (which tools/bench/bench turns into exceptions)."""
import atexit
import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))
import seqos_qemu  # noqa: E402

MEM = "256M"
MAC = "52:54:00:12:34:56"

_live = set()
_live_lock = threading.Lock()


def kill_all():
    with _live_lock:
        vms = list(_live)
    for vm in vms:
        vm.kill()


atexit.register(kill_all)


class Net:
    """Where the guest is and how the host reaches it.
    user: QEMU user networking, guest 10.0.2.15, host ports forwarded on 127.0.0.1.
    tap:  a tap device in the benchmark's namespace, host 10.0.3.1, guest 10.0.3.2."""

    GUEST_PORTS = {"seed": 3490, "bulk": 5001, "http": 80}

    def __init__(self, backend, tap_ifname=None):
        self.backend = backend
        self.tap_ifname = tap_ifname
        self.ports = {}

    def prepare(self, free_port):
        """New host ports for each VM (user): a previous VM's TIME_WAITs never collide."""
        if self.backend == "user":
            self.ports = {k: free_port() for k in self.GUEST_PORTS}
        else:
            self.ports = dict(self.GUEST_PORTS)
        return self

    @property
    def host(self):
        return "127.0.0.1" if self.backend == "user" else "10.0.3.2"

    def spec(self):
        if self.backend == "user":
            return "user," + ",".join("hostfwd=tcp:127.0.0.1:%d-:%d" % (self.ports[k], g)
                                      for k, g in self.GUEST_PORTS.items())
        return "tap:" + self.tap_ifname

    def guest_ip(self):
        """(address/prefix, gateway) given to both guests (static: no DHCP timing)."""
        return ("10.0.2.15/24", "10.0.2.2") if self.backend == "user" else ("10.0.3.2/24", "10.0.3.1")


def seqos_argv(workdir, image, nic, net, ip_mode="static", extra_cmdline="", trace_file=None):
    """seqos's QEMU; trace_file receives the binary trace stream (a virtio console) when given."""
    ip, gw = net.guest_ip()
    cmdline = "app=server,bulk,http " + ("ip=dhcp" if ip_mode == "dhcp" else "ip=%s gw=%s" % (ip, gw))
    if extra_cmdline:
        cmdline += " " + extra_cmdline
    argv, _ = seqos_qemu.build_argv(workdir, image=image, cmdline=cmdline, serial="stdio",
                                    trace_file=trace_file, nic=nic, net=[net.spec()], mac=MAC, mem=MEM, kvm=False)
    return argv, cmdline


def linux_argv(workdir, peer, nic, net, ovmf=False, ip_mode="static", extra_cmdline=""):
    """The Linux peer. ovmf=False: QEMU's default firmware (SeaBIOS) loads the kernel
    from fw_cfg and jumps to it (direct kernel boot). ovmf=True: the same -kernel/-initrd
    through OVMF, which starts the kernel's EFI stub (the path seqos's loader takes)."""
    ip, gw = net.guest_ip()
    nic_arg = "virtio" if nic == "virtio" else nic
    cmdline = "console=ttyS0 quiet panic=-1 bench_nic=%s " % nic_arg
    cmdline += "bench_ip=dhcp" if ip_mode == "dhcp" else "bench_ip=%s bench_gw=%s" % (ip, gw)
    if extra_cmdline:
        cmdline += " " + extra_cmdline
    argv = ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", "max", "-m", MEM,
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-serial", "stdio"]
    if ovmf:
        os.makedirs(workdir, exist_ok=True)
        vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
        with open(seqos_qemu.OVMF_VARS, "rb") as src, open(vars_copy, "wb") as dst:
            dst.write(src.read())
        argv += ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + seqos_qemu.OVMF_CODE,
                 "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    argv += ["-kernel", peer["vmlinuz"], "-initrd", peer["initramfs"], "-append", cmdline]
    argv += seqos_qemu.netdev_args(net.spec(), nic, MAC, 0)
    return argv, cmdline


class VM:
    """One QEMU with its serial console on a pipe: every byte goes to the log file and
    to a buffer that wait_for() searches."""

    def __init__(self, argv, log_path):
        self.argv = argv
        self.log_path = log_path
        self.buf = ""
        self.pos = 0
        self.cond = threading.Condition()
        self.proc = None
        self.rc = None
        self.t_start = None

    def start(self):
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, "w")
        self.log.write("# " + " ".join(self.argv) + "\n")
        self.log.flush()
        self.t_start = time.monotonic()
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
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                break
            text = data.decode("utf-8", "replace").replace("\r", "")
            self.log.write(text)
            with self.cond:
                self.buf += text
                self.cond.notify_all()
        with self.cond:
            self.rc = self.proc.wait()
            self.cond.notify_all()

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

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

    def __exit__(self, *exc):
        self.kill()
        if hasattr(self, "reader"):
            self.reader.join(timeout=5)
        if hasattr(self, "log"):
            self.log.close()
        return False

    def wait_for(self, pattern, timeout, consume=True):
        """The match of pattern in output not yet consumed, or None after timeout
        seconds or when QEMU has exited."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = rx.search(self.buf, self.pos)
                if m:
                    if consume:
                        self.pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self.rc is not None or left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def search(self, pattern):
        """The first match of pattern anywhere in the output so far."""
        with self.cond:
            return re.search(pattern, self.buf)

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def output(self):
        with self.cond:
            return self.buf

    def cpu_seconds(self):
        """utime + stime of the QEMU process so far (/proc/PID/stat), in seconds."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ tap in a namespace
CLONE_NEWNET = 0x40000000


class Netns:
    """A network namespace holding a tap device (host side 10.0.3.1/24), entered by this
    process's main thread (threads and processes started afterwards are inside too) and
    left and deleted on exit, also on an exception or a signal. Needs root."""

    def __init__(self, name, tap="sqbtap0"):
        self.name = name
        self.tap = tap
        self.orig = None
        self.libc = ctypes.CDLL(None, use_errno=True)

    def _ip(self, *args):
        subprocess.run(["ip", "-n", self.name] + list(args), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def __enter__(self):
        if os.getuid() != 0:
            raise SystemExit("bench: the tap backend needs root (network namespace, tap device)")
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        try:
            self._ip("link", "set", "lo", "up")
            self._ip("tuntap", "add", "dev", self.tap, "mode", "tap")
            self._ip("addr", "add", "10.0.3.1/24", "dev", self.tap)
            self._ip("link", "set", self.tap, "up")
            self.orig = os.open("/proc/self/ns/net", os.O_RDONLY)
            fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
            try:
                if self.libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        kill_all()
        if self.orig is not None:
            self.libc.setns(self.orig, CLONE_NEWNET)
            os.close(self.orig)
            self.orig = None
        # Anything we started that is still in the namespace (by pid) goes first.
        r = subprocess.run(["ip", "netns", "pids", self.name], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        for pid in r.stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", self.name], stderr=subprocess.DEVNULL)
        return False
