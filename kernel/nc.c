/* `nc`: a small TCP/UDP client in the shell, for trying the stack by hand and for tests:
 *   nc [-u] [-w SECONDS] HOST PORT [TEXT]
 * connects (TCP) or associates (UDP), sends TEXT (with a newline) if given, then prints
 * what comes back until the peer closes, the timeout passes, or (UDP) one datagram came.
 * The result line says what happened, with the errno name on failure. */
#include <net/dns.h>
#include <net/inet_common.h>
#include <net/net_namespace.h>
#include <net/socket.h>
#include <seqos/errno.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>

static const char *errname(long e)
{
	switch (-e) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	case ENETUNREACH: return "ENETUNREACH";
	case EHOSTUNREACH: return "EHOSTUNREACH";
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case ENOTCONN: return "ENOTCONN";
	case EADDRINUSE: return "EADDRINUSE";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	}
	return "error";
}

static int cmd_nc(int argc, char **argv)
{
	int i = 1, type = SOCK_STREAM;
	u64 wait_s = 5, total = 0;
	struct ksockaddr_in to;
	struct socket *s;
	be32 addr;
	char buf[512];
	long r;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-u"))
			type = SOCK_DGRAM;
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			wait_s = strtoul(argv[++i], NULL, 10);
	}
	if (argc - i < 2) {
		kprintf("usage: nc [-u] [-w SECONDS] HOST PORT [TEXT]\n");
		return 1;
	}
	if (in4_pton(argv[i], &addr) && (r = dns_resolve(argv[i], &addr, 5 * NSEC_PER_SEC)) < 0) {
		kprintf("nc: %s: cannot resolve (%s)\n", argv[i], errname(r));
		return 1;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr = addr;
	to.sin_port = to_be16((u16)strtoul(argv[i + 1], NULL, 10));
	if ((r = sock_create(&init_net, AF_INET, type, 0, &s)) < 0) {
		kprintf("nc: socket: %s (%ld)\n", errname(r), r);
		return 1;
	}
	s->rcvtimeo_ns = s->sndtimeo_ns = wait_s * NSEC_PER_SEC;
	if ((r = s->ops->connect(s, &to, 0)) < 0) {
		kprintf("nc: connect: %s (%ld)\n", errname(r), r);
		sock_release(s);
		return 1;
	}
	if (argc - i > 2) {
		size_t n = 0;
		for (int a = i + 2; a < argc && n < sizeof(buf) - 2; a++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", a > i + 2 ? " " : "", argv[a]);
		buf[n++] = '\n';
		struct kiovec iov = { buf, n };
		struct kmsghdr m = { NULL, 0, &iov, 1, 0 };
		if ((r = sock_sendmsg(s, &m, n, 0)) < 0) {
			kprintf("nc: send: %s (%ld)\n", errname(r), r);
			sock_release(s);
			return 1;
		}
	}
	for (;;) {
		struct kiovec iov = { buf, sizeof(buf) - 1 };
		struct kmsghdr m = { NULL, 0, &iov, 1, 0 };
		r = sock_recvmsg(s, &m, sizeof(buf) - 1, 0);
		if (r <= 0)
			break;
		buf[r] = 0;
		kprintf("%s", buf);
		total += (u64)r;
		if (type == SOCK_DGRAM)
			break;
	}
	if (r < 0 && !(r == -EAGAIN && total))
		kprintf("nc: received %lu bytes, then %s (%ld)\n", (unsigned long)total, errname(r), r);
	else
		kprintf("nc: received %lu bytes, %s\n", (unsigned long)total, r == 0 ? "closed by peer" : "done");
	sock_release(s);
	return r < 0 && !total ? 1 : 0;
}
SHELL_CMD("nc", "nc [-u] [-w S] HOST PORT [TEXT] - connect, send TEXT, print the answer", cmd_nc);
