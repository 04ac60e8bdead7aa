"""Building QEMU command lines for seqos: one place for tools/qemu-run and the test
harness (tests/integration/harness.py). Standard library only.

A VM is q35 with OVMF from Debian's ovmf package (a private copy of the variable store
per VM), the disk image read-only (snapshot), COM1 for the console, COM2 for the binary
trace, the isa-debug-exit device so the kernel's exit status becomes QEMU's, a QMP
socket, and the command line passed through fw_cfg (opt/seqos/cmdline)."""
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
NIC_MODELS = {"e1000": "e1000", "e1000e": "e1000e", "virtio": "virtio-net-pci"}


def kvm_usable():
    """KVM only on request (SEQOS_KVM=1): CI machines have none, and nested KVM on
    some hosts cannot run OVMF (emulation failures), while TCG always can."""
    return os.environ.get("SEQOS_KVM") == "1" and os.access("/dev/kvm", os.R_OK | os.W_OK)


def exit_status(qemu_rc):
    """The kernel's poweroff status from QEMU's exit code, or None when QEMU did not exit
    through isa-debug-exit (killed, crashed, or ACPI power off without the device)."""
    if qemu_rc is not None and qemu_rc > 0 and qemu_rc & 1:
        return qemu_rc >> 1
    return None


def netdev_args(spec, nic, mac, idx=0, pcap=None):
    """--net user[,hostfwd=tcp::H-:G...] | socket-listen:PORT | socket-connect:PORT |
    tap:IFNAME | dgram:LOCALPORT:REMOTEPORT (127.0.0.1 only)."""
    nid = "n%d" % idx
    if spec.startswith("user"):
        opts = spec[len("user"):].lstrip(",")
        nd = "user,id=%s%s" % (nid, ("," + opts) if opts else "")
    elif spec.startswith("socket-listen:"):
        nd = "socket,id=%s,listen=127.0.0.1:%s" % (nid, spec.split(":", 1)[1])
    elif spec.startswith("socket-connect:"):
        nd = "socket,id=%s,connect=127.0.0.1:%s" % (nid, spec.split(":", 1)[1])
    elif spec.startswith("tap:"):
        nd = "tap,id=%s,ifname=%s,script=no,downscript=no" % (nid, spec.split(":", 1)[1])
    elif spec.startswith("dgram:"):
        _, lport, rport = spec.split(":")
        nd = ("dgram,id=%s,local.type=inet,local.host=127.0.0.1,local.port=%s,"
              "remote.type=inet,remote.host=127.0.0.1,remote.port=%s" % (nid, lport, rport))
    else:
        raise ValueError("unknown --net %r" % spec)
    args = ["-netdev", nd, "-device", "%s,netdev=%s,mac=%s" % (NIC_MODELS[nic], nid, mac)]
    if pcap:
        args += ["-object", "filter-dump,id=f%d,netdev=%s,file=%s" % (idx, nid, pcap)]
    return args


def build_argv(workdir, image=None, cmdline=None, serial="stdio", trace_file=None,
               nic=None, net=None, mac="52:54:00:12:34:56", pcap=None, mem="256M",
               kvm=None, gdb=False, usb=False, qmp=True, vga=False, extra=None,
               trace_via="virtio"):
    """Returns (argv, qmp_path). workdir receives the OVMF vars copy and the QMP socket.
    trace_file receives the binary trace stream, through a virtio console (trace_via
    "virtio": a 4 KiB buffer per notification) or COM2 (trace_via "com2": a port write per
    byte, as on a PC without virtio); the kernel uses the virtio console when it has one."""
    os.makedirs(workdir, exist_ok=True)
    image = image or os.path.join(ROOT, "build", "seqos.img")
    vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, vars_copy)
    kvm = kvm_usable() if kvm is None else kvm
    argv = ["qemu-system-x86_64", "-machine", "q35,accel=%s" % ("kvm" if kvm else "tcg"),
            "-cpu", "host" if kvm else "max", "-m", mem, "-nodefaults", "-no-user-config",
            "-display", "none",
            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-serial", serial,
            "-serial", ("file:" + trace_file) if trace_file and trace_via == "com2" else "null"]
    if trace_file and trace_via == "virtio":
        argv += ["-device", "virtio-serial-pci,max_ports=1",
                 "-chardev", "file,id=trace0,path=" + trace_file,
                 "-device", "virtconsole,chardev=trace0,nr=0"]
    if vga:
        argv += ["-device", "VGA"]
    if usb:
        argv += ["-device", "qemu-xhci,id=xhci",
                 "-drive", "if=none,id=usbstick,format=raw,snapshot=on,file=" + image,
                 "-device", "usb-storage,bus=xhci.0,drive=usbstick,bootindex=0"]
    else:
        argv += ["-drive", "if=none,id=disk0,format=raw,snapshot=on,file=" + image,
                 "-device", "virtio-blk-pci,drive=disk0,bootindex=0"]
    if cmdline is not None:
        argv += ["-fw_cfg", "name=opt/seqos/cmdline,string=" + cmdline.replace(",", ",,")]
    if nic and net:
        nets = net if isinstance(net, list) else [net]
        for i, n in enumerate(nets):
            m = mac if i == 0 else mac[:-2] + "%02x" % (int(mac[-2:], 16) + i)
            argv += netdev_args(n, nic, m, i, pcap if i == 0 else None)
    qmp_path = None
    if qmp:
        qmp_path = os.path.join(workdir, "qmp.sock")
        argv += ["-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    if gdb:
        argv += ["-s", "-S"]
    if extra:
        argv += extra
    return argv, qmp_path
