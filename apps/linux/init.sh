#!/bin/sh
# /init of the Linux peer's initramfs (tools/bench/mklinux puts it there with busybox).
# Parameters come from the kernel command line, which hands unknown key=value words to
# init as environment variables:
#   bench_nic=e1000|e1000e|virtio   which modules to load (lists made by mklinux)
#   bench_ip=dhcp|A.B.C.D/N         address of eth0 (udhcpc or static)
#   bench_gw=A.B.C.D                default gateway with a static address
# It prints "bench: ..." lines to the kernel log, so their timestamps count from kernel
# start, and copies them to the console once eth0 is up and the servers listen:
#   bench: init                             this script started
#   bench: listening on TCP port N          written by the servers' listen() (listen_log.c)
#   bench: eth0 up <addr>                   the NIC's module is loaded and eth0 has an address
#   bench: ready                            all three listen; a shell follows on the console
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
kmsg() { echo "<6>bench: $*" > /dev/kmsg; }
kmsg init

# The servers listen on INADDR_ANY: they start before eth0 has a link or an address.
# The seed's server prints "Got connection from ..." on the console, as on seqos.
ip link set lo up
/bin/server >/dev/console 2>&1 &
/bin/bulk >/dev/console 2>&1 &
/bin/http >/dev/console 2>&1 &

for m in $(cat /lib/modules/load.${bench_nic:-e1000} 2>/dev/null); do
	insmod /lib/modules/$m.ko || kmsg "insmod $m failed"
done
n=0
while ! ip link show eth0 >/dev/null 2>&1 && [ $n -lt 500 ]; do usleep 10000; n=$((n + 1)); done
ip link set eth0 up
if [ "${bench_ip:-dhcp}" = dhcp ]; then
	udhcpc -i eth0 -s /etc/udhcpc.script -q -f -n -t 20 -T 1 >/dev/null 2>&1 || kmsg "dhcp failed"
else
	ip addr add "$bench_ip" dev eth0
	[ -n "$bench_gw" ] && ip route add default via "$bench_gw"
fi
kmsg "eth0 up $(ip -4 -o addr show eth0 | awk '{print $4}')"

n=0
while [ "$(dmesg | grep -c 'bench: listening')" -lt 3 ] && [ $n -lt 1000 ]; do
	usleep 5000
	n=$((n + 1))
done
kmsg ready
dmesg | grep 'bench:' > /dev/console

# A shell reading commands from the console, without a prompt or line editing: the
# benchmark sends "cat /proc/meminfo; echo @@END@@" and reads up to the marker.
while :; do
	sh </dev/console >/dev/console 2>&1
done
