/* errtest: misuse of the socket API, checked against the errno POSIX specifies. Run as
 * `app=errtest server=HOST port=P` where HOST offers, on TCP: P a listener that accepts
 * and then stays silent, P+1 a listener that resets a connection (SO_LINGER 0) once it
 * has read a byte from it, P+2
 * nothing at all. Prints one line per check and exits with the number that failed, so
 * the machine's exit status says whether the API behaved (tests/integration/test_apps.py). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <seqos_app.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int checks, failures;

static const char *name_of(int e)
{
	switch (e) {
	case 0: return "OK";
	case EBADF: return "EBADF";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOTCONN: return "ENOTCONN";
	case EPIPE: return "EPIPE";
	case ECONNRESET: return "ECONNRESET";
	case EADDRINUSE: return "EADDRINUSE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EAGAIN: return "EAGAIN";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ENOTSOCK: return "ENOTSOCK";
	case EINVAL: return "EINVAL";
	case EINPROGRESS: return "EINPROGRESS";
	case EISCONN: return "EISCONN";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	}
	return "other";
}

/* r is a call's result: -1 with errno set, or anything else for success. */
static void expect(const char *what, long r, int want)
{
	int got = r < 0 ? errno : 0;
	checks++;
	if (got != want)
		failures++;
	printf("errtest: %-34s %-13s (expected %s) %s\n", what, name_of(got), name_of(want),
	       got == want ? "ok" : "FAIL");
}

static struct sockaddr_in peer(const char *host, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	inet_aton(host, &a.sin_addr);
	return a;
}

static int tcp(void) { return socket(AF_INET, SOCK_STREAM, 0); }

int main(int argc, char **argv)
{
	const char *host = argc > 1 ? argv[1] : "10.0.2.2";
	int port = seqos_app_port(7000), fd, fd2, one = 1;
	struct sockaddr_in silent = peer(host, port), resets = peer(host, port + 1),
			   closed = peer(host, port + 2), any = peer("0.0.0.0", 7777);
	struct timeval tv = { 0, 300000 };
	char buf[16];

	/* Descriptors that do not exist. */
	expect("close(-1)", close(-1), EBADF);
	expect("close(200)", close(200), EBADF);
	expect("send(200)", send(200, "x", 1, 0), EBADF);
	expect("recv(200)", recv(200, buf, 1, 0), EBADF);
	fd = tcp();
	close(fd);
	expect("recv on a closed descriptor", recv(fd, buf, 1, 0), EBADF);

	/* Not connected. */
	fd = tcp();
	expect("send on an unconnected stream", send(fd, "x", 1, 0), ENOTCONN);
	expect("recv on an unconnected stream", recv(fd, buf, 1, 0), ENOTCONN);
	expect("shutdown of an unconnected stream", shutdown(fd, SHUT_WR), ENOTCONN);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	expect("send on an unconnected datagram", send(fd, "x", 1, 0), EDESTADDRREQ);
	close(fd);

	/* Addresses already taken. */
	fd = tcp();
	fd2 = tcp();
	expect("bind a free port", bind(fd, (struct sockaddr *)&any, sizeof(any)), 0);
	expect("listen", listen(fd, 4), 0);
	expect("bind the same port again", bind(fd2, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE);
	close(fd2);
	/* Nothing waiting to be accepted. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	expect("accept with nobody there (nonblock)", accept(fd, NULL, NULL), EAGAIN);
	close(fd);

	/* A closed port answers with a reset. */
	fd = tcp();
	expect("connect to a closed port", connect(fd, (struct sockaddr *)&closed, sizeof(closed)), ECONNREFUSED);
	close(fd);

	/* A silent peer: reads time out, non-blocking reads would block. */
	fd = tcp();
	expect("connect to the silent listener", connect(fd, (struct sockaddr *)&silent, sizeof(silent)), 0);
	expect("connect again", connect(fd, (struct sockaddr *)&silent, sizeof(silent)), EISCONN);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	expect("recv with SO_RCVTIMEO", recv(fd, buf, sizeof(buf), 0), EAGAIN);
	expect("recv with MSG_DONTWAIT", recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	expect("shutdown(SHUT_WR)", shutdown(fd, SHUT_WR), 0);
	expect("send after shutdown(SHUT_WR)", send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(fd);

	/* A peer that resets: the reset is reported once, then writes fail with EPIPE. */
	fd = tcp();
	expect("connect to the resetting listener", connect(fd, (struct sockaddr *)&resets, sizeof(resets)), 0);
	expect("send the byte that makes it reset", send(fd, "r", 1, 0), 0);
	tv.tv_sec = 5;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	expect("recv after the peer reset", recv(fd, buf, sizeof(buf), 0), ECONNRESET);
	expect("send after the reset was reported", send(fd, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(fd);

	/* No answer at all: the user timeout ends the connect (RFC 5482). */
	fd = tcp();
	int ut = 1500;
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut));
	struct sockaddr_in nowhere = peer(argc > 2 ? argv[2] : "10.0.2.99", 9);
	expect("connect to nowhere (user timeout)", connect(fd, (struct sockaddr *)&nowhere, sizeof(nowhere)), ETIMEDOUT);
	close(fd);

	/* Not a socket, bad family, bad lengths. */
	expect("bind with a short address", bind(tcp(), (struct sockaddr *)&any, 4), EINVAL);
	any.sin_family = 10;
	expect("bind with another family", bind(tcp(), (struct sockaddr *)&any, sizeof(any)), EAFNOSUPPORT);
	(void)one;

	printf("errtest: %d checks, %d failed\n", checks, failures);
	return failures;
}
