/* seqos additions for apps: the few things a unikernel app learns from the kernel
 * command line rather than from its environment. */
#ifndef _SEQOS_APP_H
#define _SEQOS_APP_H
/* port= on the command line, or dflt. */
int seqos_app_port(int dflt);

#include <stddef.h>
#include <stdint.h>
/* SHA-256 (FIPS 180-4), incremental; the bulk app's 'V' check. */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* The bulk app's data: byte i of a stream. */
static inline unsigned char bulk_byte(uint64_t i) { return (unsigned char)(i * 131 + (i >> 8)); }
#endif
