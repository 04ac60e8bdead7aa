/* QEMU fw_cfg over I/O ports (QEMU docs/specs/fw_cfg.rst, "Legacy I/O access"):
 * write a 16-bit key to the selector port 0x510, read bytes from the data port 0x511.
 * Key 0x0000 holds the signature "QEMU"; key 0x0019 the file directory (big endian). */
#include <asm/io.h>
#include <drivers/fw_cfg.h>
#include <seqos/string.h>

#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019

static void fw_read(u16 key, void *buf, size_t len)
{
	u8 *p = buf;
	outw(FW_CFG_SELECTOR, key);
	for (size_t i = 0; i < len; i++)
		p[i] = inb(FW_CFG_DATA);
}

bool fw_cfg_present(void)
{
	static int cached = -1;
	char sig[4];

	if (cached < 0) {
		fw_read(FW_CFG_SIGNATURE, sig, 4);
		cached = !memcmp(sig, "QEMU", 4);
	}
	return cached;
}

long fw_cfg_read_file(const char *name, void *buf, size_t cap)
{
	u8 be[4];
	u32 count;

	if (!fw_cfg_present())
		return -1;
	fw_read(FW_CFG_FILE_DIR, be, 4);
	count = rd_be32(be);
	for (u32 i = 0; i < count && i < 4096; i++) {
		u8 e[64]; /* be32 size, be16 select, be16 reserved, char name[56] */
		for (int j = 0; j < 64; j++)
			e[j] = inb(FW_CFG_DATA); /* the directory reads on sequentially */
		e[63] = 0;
		if (strcmp((char *)e + 8, name))
			continue;
		u32 size = rd_be32(e);
		size_t n = size < cap ? size : cap;
		fw_read(rd_be16(e + 4), buf, n);
		return (long)n;
	}
	return -1;
}
