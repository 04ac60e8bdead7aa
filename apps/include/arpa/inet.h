#ifndef _ARPA_INET_H
#define _ARPA_INET_H
#include <netinet/in.h>
char *inet_ntoa(struct in_addr in);
in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *inp);
int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
#endif
