/* The apps' address conversions (POSIX <arpa/inet.h>). */
#include <seqos/string.h>

#include <arpa/inet.h>
#include <errno.h>

char *inet_ntoa(struct in_addr in)
{
	static char buf[INET_ADDRSTRLEN];
	const unsigned char *b = (const unsigned char *)&in.s_addr;
	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

/* Dotted quad, each part 0-255 in decimal, nothing else: returns 1 on success. */
static int parse4(const char *s, unsigned char out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || v > 255 || (i < 3 && *s++ != '.'))
			return 0;
		out[i] = (unsigned char)v;
	}
	return *s == 0;
}

int inet_pton(int af, const char *src, void *dst)
{
	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return parse4(src, dst);
}

int inet_aton(const char *cp, struct in_addr *inp) { return parse4(cp, (unsigned char *)&inp->s_addr); }

in_addr_t inet_addr(const char *cp)
{
	struct in_addr a;
	return parse4(cp, (unsigned char *)&a.s_addr) ? a.s_addr : INADDR_NONE;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	const unsigned char *b = src;
	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	if (snprintf(dst, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]) >= (int)size) {
		errno = ENOSPC;
		return NULL;
	}
	return dst;
}
