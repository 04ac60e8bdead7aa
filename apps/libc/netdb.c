/* The apps' name resolution: dotted quads directly, "localhost", and everything else
 * through the kernel's DNS stub resolver (net/dns.c). */
#include <net/dns.h>
#include <seqos/cmdline.h>
#include <seqos/kmalloc.h>
#include <seqos/string.h>
#include <seqos/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>

#define RESOLVE_TIMEOUT_NS (5 * NSEC_PER_SEC)

int h_errno;

static int lookup(const char *name, in_addr_t *out)
{
	struct in_addr a;
	be32 addr;

	if (inet_aton(name, &a)) {
		*out = a.s_addr;
		return 0;
	}
	if (!strcmp(name, "localhost")) {
		*out = htonl(INADDR_LOOPBACK);
		return 0;
	}
	if (dns_resolve(name, &addr, RESOLVE_TIMEOUT_NS) < 0)
		return -1;
	*out = addr.v;
	return 0;
}

struct hostent *gethostbyname(const char *name)
{
	static struct hostent he;
	static char hname[256];
	static in_addr_t addr;
	static char *list[2], *aliases[1];

	if (!name || lookup(name, &addr) < 0) {
		h_errno = HOST_NOT_FOUND;
		errno = ENOENT;
		return NULL;
	}
	snprintf(hname, sizeof(hname), "%s", name);
	list[0] = (char *)&addr;
	list[1] = NULL;
	aliases[0] = NULL;
	he.h_name = hname;
	he.h_aliases = aliases;
	he.h_addrtype = AF_INET;
	he.h_length = 4;
	he.h_addr_list = list;
	return &he;
}

const char *hstrerror(int err)
{
	switch (err) {
	case HOST_NOT_FOUND:
		return "Unknown host";
	case TRY_AGAIN:
		return "Host name lookup failure";
	case NO_RECOVERY:
		return "Unknown server error";
	case NO_DATA:
		return "No address associated with name";
	}
	return "Resolver internal error";
}

void herror(const char *s) { fprintf(stderr, "%s%s%s\n", s ? s : "", s ? ": " : "", hstrerror(h_errno)); }

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	struct addrinfo *ai;
	struct sockaddr_in *sin;
	in_addr_t addr = INADDR_ANY;
	unsigned long port = 0;

	if (hints && hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET)
		return EAI_FAMILY;
	if (node && lookup(node, &addr) < 0)
		return EAI_NONAME;
	if (!node && !(hints && (hints->ai_flags & AI_PASSIVE)))
		addr = htonl(INADDR_LOOPBACK);
	if (service) {
		char *end;
		port = strtoul(service, &end, 10);
		if (*end || port > 65535)
			return EAI_NONAME;
	}
	ai = calloc(1, sizeof(*ai) + sizeof(*sin));
	if (!ai)
		return EAI_MEMORY;
	sin = (struct sockaddr_in *)(ai + 1);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = addr;
	ai->ai_family = AF_INET;
	ai->ai_socktype = hints && hints->ai_socktype ? hints->ai_socktype : SOCK_STREAM;
	ai->ai_protocol = hints ? hints->ai_protocol : 0;
	ai->ai_addrlen = sizeof(*sin);
	ai->ai_addr = (struct sockaddr *)sin;
	*res = ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	while (res) {
		struct addrinfo *n = res->ai_next;
		free(res);
		res = n;
	}
}

const char *gai_strerror(int err)
{
	switch (err) {
	case EAI_NONAME:
		return "Name or service not known";
	case EAI_FAMILY:
		return "Address family not supported";
	case EAI_MEMORY:
		return "Memory allocation failure";
	}
	return "Unknown error";
}

int gethostname(char *name, size_t len)
{
	snprintf(name, len, "%s", cmdline_get_or("hostname", "seqos"));
	return 0;
}
