/* A small HTTP/1.1 server on TCP port 80 (RFC 9112): GET and HEAD of "/", persistent
 * connections with Content-Length, one forked child per connection. Requests are read
 * into a bounded buffer; anything malformed or too large gets 400 and the connection
 * is closed. Enough for curl and wrk. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/tcp.h>
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

/* reason goes in the status line; other statuses send it again as a one-line body. */
static int respond(int fd, int code, const char *reason, bool head, bool keep)
{
	char hdr[256], line[64];
	const char *b = body;

	if (code != 200) {
		snprintf(line, sizeof(line), "%s\n", reason);
		b = line;
	}
	size_t blen = strlen(b);
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d %s\r\nServer: seqos\r\nContent-Type: text/%s\r\n"
			 "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
			 code, reason, code == 200 ? "html" : "plain", blen, keep ? "keep-alive" : "close");
	if (send_all(fd, hdr, (size_t)n) < 0)
		return -1;
	return head ? 0 : send_all(fd, b, blen);
}

/* A header's value in the request head (case-insensitive name), or NULL. */
static const char *header(const char *head, const char *name)
{
	size_t l = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n"))
		if (!strncasecmp(p + 2, name, l) && p[2 + l] == ':')
			return p + 3 + l;
	return NULL;
}

/* "METHOD SP request-target SP HTTP-version CRLF" into bounded fields; -1 if malformed. */
static int parse_request_line(const char *p, char *method, char *path, char *version)
{
	char *outs[3] = { method, path, version };
	size_t caps[3] = { 8, 256, 16 };

	for (int f = 0; f < 3; f++) {
		size_t n = 0;
		while (*p && *p != ' ' && *p != '\r') {
			if (n + 1 >= caps[f])
				return -1;
			outs[f][n++] = *p++;
		}
		outs[f][n] = 0;
		if (!n || *p != (f < 2 ? ' ' : '\r'))
			return -1;
		p++;
	}
	return strncmp(version, "HTTP/1.", 7) ? -1 : 0;
}

static void serve(int fd)
{
	char *buf = malloc(REQ_MAX + 1);
	size_t have = 0;

	while (buf) {
		char *end;
		while (!(end = (buf[have] = 0, strstr(buf, "\r\n\r\n")))) {
			if (have == REQ_MAX) {
				respond(fd, 400, "Bad Request", false, false);
				goto out;
			}
			ssize_t n = recv(fd, buf + have, REQ_MAX - have, 0);
			if (n <= 0)
				goto out;
			have += (size_t)n;
		}
		end[2] = 0; /* the head, through the last header line's CRLF */
		char method[8], path[256], version[16];
		if (parse_request_line(buf, method, path, version) < 0) {
			respond(fd, 400, "Bad Request", false, false);
			goto out;
		}
		const char *conn = header(buf, "Connection");
		bool keep = strcmp(version, "HTTP/1.0") ? !(conn && strstr(conn, "close"))
							 : (conn && strstr(conn, "keep-alive"));
		bool head = !strcmp(method, "HEAD");
		int r;
		if (strcmp(method, "GET") && !head)
			r = respond(fd, 405, "Method Not Allowed", head, keep);
		else if (strcmp(path, "/") && strcmp(path, "/index.html"))
			r = respond(fd, 404, "Not Found", head, keep);
		else
			r = respond(fd, 200, "OK", head, keep);
		if (r < 0 || !keep)
			goto out;
		/* Keep what followed this request (pipelining). */
		size_t used = (size_t)(end + 4 - buf);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
out:
	free(buf);
	close(fd);
	exit(0);
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
