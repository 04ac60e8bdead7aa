/* echo (RFC 862): TCP and UDP port 7. The listening TCP socket and the UDP socket are
 * polled together; each TCP connection is served by a forked child that sends back
 * everything it reads until the peer closes. The backlog is the most the stack allows
 * (SOMAXCONN, clamped to TCP_SOMAXCONN, 256): a burst of connects larger than the accept
 * queue goes to SYN cookies, and a cookie connection whose peer has sent data cannot
 * survive its handshake ACK being dropped on a full accept queue (the peer's next ACK
 * fails the cookie check and is reset). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 7
#define BUF 4096

static int listen_on(int type, int port)
{
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = INADDR_ANY;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void serve_tcp(int fd)
{
	char *buf = malloc(BUF);
	ssize_t n;

	while (buf && (n = recv(fd, buf, BUF, 0)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = send(fd, buf + off, (size_t)(n - off), 0);
			if (w <= 0) {
				n = -1;
				break;
			}
			off += w;
		}
		if (n < 0)
			break;
	}
	free(buf);
	close(fd);
	exit(0);
}

int main(void)
{
	int t = listen_on(SOCK_STREAM, PORT), u = listen_on(SOCK_DGRAM, PORT);
	static char dgram[65536];

	if (t < 0 && u < 0) {
		perror("echo");
		return 1;
	}
	printf("echo: listening on TCP and UDP port %d\n", PORT);
	for (;;) {
		struct pollfd p[2] = { { t, POLLIN, 0 }, { u, POLLIN, 0 } };
		if (poll(p, 2, 1000) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			int c = accept(t, NULL, NULL);
			if (c >= 0) {
				if (fork() == 0) {
					close(t);
					serve_tcp(c);
				}
				close(c);
			}
		}
		if (p[1].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(u, dgram, sizeof(dgram), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
			if (n >= 0)
				sendto(u, dgram, (size_t)n, 0, (struct sockaddr *)&from, fl);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
