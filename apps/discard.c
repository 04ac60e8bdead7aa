/* discard (RFC 863): TCP and UDP port 9; reads and throws away. */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 9

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
	static char buf[65536];
	int t = open_port(SOCK_STREAM), u = open_port(SOCK_DGRAM);

	printf("discard: listening on TCP and UDP port %d\n", PORT);
	for (;;) {
		struct pollfd p[2] = { { t, POLLIN, 0 }, { u, POLLIN, 0 } };
		if (poll(p, 2, 1000) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			int c = accept(t, NULL, NULL);
			if (c >= 0 && fork() == 0) {
				while (recv(c, buf, sizeof(buf), 0) > 0)
					;
				close(c);
				exit(0);
			}
			if (c >= 0)
				close(c);
		}
		if (p[1].revents & POLLIN)
			recv(u, buf, sizeof(buf), MSG_DONTWAIT);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
