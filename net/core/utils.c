/* Address text conversion and the Internet checksum (RFC 1071), shared by every layer. */
#include <net/inet_common.h>
#include <seqos/errno.h>
#include <seqos/string.h>

int in4_pton(const char *s, be32 *out)
{
	u32 addr = 0;

	for (int i = 0; i < 4; i++) {
		u32 v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (u32)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return -EINVAL;
		addr = addr << 8 | v;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	*out = to_be32(addr);
	return 0;
}

int in4_pton_prefix(const char *s, be32 *out, int *prefixlen)
{
	char buf[20];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (in4_pton(buf, out))
		return -EINVAL;
	*prefixlen = 32;
	if (slash) {
		char *end;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (end == slash + 1 || *end || p > 32)
			return -EINVAL;
		*prefixlen = (int)p;
	}
	return 0;
}

char *in_ntoa(be32 a, char *buf)
{
	u32 v = get_be32(a);

	snprintf(buf, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
	return buf;
}

char *mac_ntoa(const u8 *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

u32 csum_partial(const void *buf, size_t len, u32 sum)
{
	const u8 *p = buf;
	u64 s = sum;

	while (len >= 2) {
		s += rd_be16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (u32)p[0] << 8; /* odd byte: padded with zero (RFC 1071 4.1) */
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (u32)s;
}
