/* chargen (RFC 864): TCP and UDP port 19. TCP: lines of 72 printable characters, each
 * starting one character later, until the peer goes away. UDP: one datagram of 0-512
 * characters per datagram received. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 19

/* Line n of the RFC 864 pattern: 72 characters from the 95 printables, then CR LF. */
static void line(int n, char out[74])
{
	for (int i = 0; i < 72; i++)
		out[i] = (char)(' ' + (n + i) % 95);
	out[72] = '\r';
	out[73] = '\n';
}

static int open_port(int type)
{
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(PORT);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(void)
{
	int t = open_port(SOCK_STREAM), u = open_port(SOCK_DGRAM);
	static char buf[4096];

	printf("chargen: listening on TCP and UDP port %d\n", PORT);
	for (;;) {
		struct pollfd p[2] = { { t, POLLIN, 0 }, { u, POLLIN, 0 } };
		if (poll(p, 2, 1000) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			int c = accept(t, NULL, NULL);
			if (c >= 0 && fork() == 0) {
				char l[74];
				for (int n = 0;; n++) {
					line(n, l);
					if (send(c, l, sizeof(l), MSG_NOSIGNAL) <= 0)
						break;
				}
				close(c);
				exit(0);
			}
			if (c >= 0)
				close(c);
		}
		if (p[1].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			if (recvfrom(u, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl) >= 0) {
				int len = rand() % 513, off = 0;
				for (int n = 0; off < len; n++) {
					char l[74];
					line(n, l);
					int c = len - off < 74 ? len - off : 74;
					memcpy(buf + off, l, (size_t)c);
					off += c;
				}
				sendto(u, buf, (size_t)len, 0, (struct sockaddr *)&from, fl);
			}
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
