/* The Linux peer's apps (tools/bench/mklinux builds them static for the initramfs):
 * the same protocols as seqos's apps/bulk.c and apps/http.c, for Linux's libc. */
#ifndef LINUX_PEER_H
#define LINUX_PEER_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[32]);

/* Byte i of the bulk stream, as seqos's bulk app sends it (docs/apps.md). */
static inline unsigned char bulk_byte(uint64_t i) { return (unsigned char)(i * 131 + (i >> 8)); }
#endif
