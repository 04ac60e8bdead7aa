/* Fixed-width types and byte-order types shared by the kernel, net/ and host tests.
 * Byte order lives in the type (STYLE.md 5): a be16/be32 cannot be used as a number
 * without get_be16()/get_be32(), so a missed conversion does not compile. */
#ifndef SEQOS_TYPES_H
#define SEQOS_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#if __STDC_HOSTED__
#include <sys/types.h> /* host builds of portable code: ssize_t from libc */
#else
typedef long ssize_t;
#endif

typedef struct { u16 v; } be16;
typedef struct { u32 v; } be32;

static inline u16 bswap16(u16 x) { return (u16)((x >> 8) | (x << 8)); }
static inline u32 bswap32(u32 x) { return __builtin_bswap32(x); }
static inline u64 bswap64(u64 x) { return __builtin_bswap64(x); }

static inline u16 get_be16(be16 x) { return bswap16(x.v); }
static inline u32 get_be32(be32 x) { return bswap32(x.v); }
static inline be16 to_be16(u16 x) { be16 r = { bswap16(x) }; return r; }
static inline be32 to_be32(u32 x) { be32 r = { bswap32(x) }; return r; }

/* Unaligned big-endian loads and stores on byte buffers, for parsers (STYLE.md 4). */
static inline u16 rd_be16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static inline u32 rd_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}
static inline void wr_be16(u8 *p, u16 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static inline void wr_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v;
}

#endif
