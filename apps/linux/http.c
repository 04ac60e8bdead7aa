/* The Linux peer's HTTP/1.1 server, TCP port 80: what seqos's apps/http.c serves
 * (GET/HEAD of "/", keep-alive, Content-Length; the same body and headers of the same
 * length), one forked child per connection, TCP_NODELAY, backlog 128, for wrk. busybox httpd is
 * not used: it closes the connection after every request. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 80
#define REQ_MAX 4096

static const char body[] = "<!doctype html>\n<title>seqos</title>\n<p>Hello from seqos.</p>\n";

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Head, then body: two send() calls with TCP_NODELAY, as seqos's apps/http.c does, so
 * both OSes put the same segments on the wire. */
static int respond(int fd, int code, const char *reason, bool head, bool keep)
{
	char hdr[256];
	const char *b = code == 200 ? body : reason;
	size_t blen = strlen(b);
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d %s\r\nServer: linux\r\nContent-Type: text/%s\r\n"
			 "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
			 code, reason, code == 200 ? "html" : "plain", blen, keep ? "keep-alive" : "close");
	if (send_all(fd, hdr, (size_t)n) < 0)
		return -1;
	return head ? 0 : send_all(fd, b, blen);
}

/* Is there a header `name` whose value contains `token` (case-insensitive)? */
static bool header_has(const char *head, const char *name, const char *token)
{
	size_t l = strlen(name);

	for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, l) || p[2 + l] != ':')
			continue;
		const char *e = strstr(p + 2, "\r\n");
		for (const char *v = p + 3 + l; e && v + strlen(token) <= e; v++)
			if (!strncasecmp(v, token, strlen(token)))
				return true;
	}
	return false;
}

static void serve(int fd)
{
	static char buf[REQ_MAX + 1];
	size_t have = 0;

	for (;;) {
		char *end;
		while (!(end = (buf[have] = 0, strstr(buf, "\r\n\r\n")))) {
			if (have == REQ_MAX) {
				respond(fd, 400, "Bad Request\n", false, false);
				goto out;
			}
			ssize_t n = recv(fd, buf + have, REQ_MAX - have, 0);
			if (n <= 0)
				goto out;
			have += (size_t)n;
		}
		end[2] = 0;
		char method[8], path[256], version[16];
		if (sscanf(buf, "%7s %255s %15s", method, path, version) != 3 ||
		    strncmp(version, "HTTP/1.", 7)) {
			respond(fd, 400, "Bad Request\n", false, false);
			goto out;
		}
		bool http10 = !strcmp(version, "HTTP/1.0");
		bool keep = http10 ? header_has(buf, "Connection", "keep-alive")
				   : !header_has(buf, "Connection", "close");
		bool head = !strcmp(method, "HEAD");
		int r;
		if (strcmp(method, "GET") && !head)
			r = respond(fd, 405, "Method Not Allowed\n", head, keep);
		else if (strcmp(path, "/") && strcmp(path, "/index.html"))
			r = respond(fd, 404, "Not Found\n", head, keep);
		else
			r = respond(fd, 200, "OK", head, keep);
		if (r < 0 || !keep)
			goto out;
		size_t used = (size_t)(end + 4 - buf);
		memmove(buf, buf + used, have - used);
		have -= used;
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
		perror("http: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(PORT);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		perror("http: bind/listen");
		return 1;
	}
	printf("http: listening on TCP port %d\n", PORT);
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fork() == 0) {
			close(fd);
			serve(c);
		}
		close(c);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}
