/* Linked into every Linux peer server with -Wl,--wrap=listen: after a successful
 * listen() it writes "bench: listening on TCP port N" to /dev/kmsg, so the kernel log
 * timestamps the moment the socket listens. That is the Linux side of the benchmark's
 * "hand-off -> listening" (seqos prints the same moment from __sys_listen). The apps'
 * sources stay unchanged: the seed's server.c is compiled as the article wrote it. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int __real_listen(int fd, int backlog);

int __wrap_listen(int fd, int backlog)
{
	int r = __real_listen(fd, backlog);
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	if (r == 0 && getsockname(fd, (struct sockaddr *)&a, &alen) == 0) {
		char msg[80];
		int n = snprintf(msg, sizeof(msg), "<6>bench: listening on TCP port %u\n",
				 ntohs(a.sin_port));
		int k = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		if (k >= 0) {
			if (write(k, msg, (size_t)n) < 0)
				perror("bench: /dev/kmsg");
			close(k);
		}
	}
	return r;
}
