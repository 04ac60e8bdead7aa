/* The Linux peer's bulk server, TCP port 5001: seqos's bulk protocol (docs/apps.md).
 *   'S' + 8-byte big-endian count  -> send count bytes of bulk_byte(i), then close;
 *   'R'                            -> read to EOF, answer the 8-byte big-endian count;
 *   'V'                            -> as 'R', then the 32-byte SHA-256 of what was read.
 * One forked child per connection and 16 KiB buffers, as in seqos's apps/bulk.c. */
#include "linux_peer.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 5001
#define CHUNK 16384

static int read_full(int fd, void *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = recv(fd, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int send_full(int fd, const void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = send(fd, (const char *)buf + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}

static void serve(int fd)
{
	static unsigned char buf[CHUNK];
	unsigned char cmd, be[8];
	uint64_t count = 0;

	if (read_full(fd, &cmd, 1) < 0)
		goto out;
	if (cmd == 'S') {
		if (read_full(fd, be, 8) < 0)
			goto out;
		for (int i = 0; i < 8; i++)
			count = count << 8 | be[i];
		for (uint64_t off = 0; off < count;) {
			size_t n = count - off < CHUNK ? (size_t)(count - off) : CHUNK;
			for (size_t i = 0; i < n; i++)
				buf[i] = bulk_byte(off + i);
			if (send_full(fd, buf, n) < 0)
				goto out;
			off += n;
		}
	} else if (cmd == 'R' || cmd == 'V') {
		struct sha256 h;
		ssize_t n;

		sha256_init(&h);
		while ((n = recv(fd, buf, CHUNK, 0)) > 0) {
			if (cmd == 'V')
				sha256_update(&h, buf, (size_t)n);
			count += (uint64_t)n;
		}
		put_be64(be, count);
		send_full(fd, be, 8);
		if (cmd == 'V') {
			unsigned char d[32];
			sha256_final(&h, d);
			send_full(fd, d, 32);
		}
	}
out:
	close(fd);
	_exit(0);
}

int main(void)
{
	struct sockaddr_in sa;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("bulk: socket");
		return 1;
	}
	signal(SIGCHLD, SIG_DFL);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(PORT);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		perror("bulk: bind/listen");
		return 1;
	}
	printf("bulk: listening on TCP port %d\n", PORT);
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			close(fd);
			serve(c);
		}
		close(c);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
