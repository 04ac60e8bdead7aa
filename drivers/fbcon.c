/* Framebuffer console: printk on the UEFI GOP framebuffer, so a PC booted from USB
 * without a serial port shows its log. 8x16 glyphs (font generated at build time from
 * Debian's console fonts), white on black, scrolls by moving the pixels up. */
#include <seqos/console.h>
#include <seqos/string.h>
#include <seqos/vm.h>

extern const unsigned char fbcon_font[95][16];

static volatile u32 *fb;
static u32 width, height, pitch_px, cols, rows, col, row;
static u32 fg;

static void draw(u32 cx, u32 cy, char ch)
{
	const unsigned char *g = fbcon_font[(ch >= 0x20 && ch < 0x7f ? ch : '?') - 0x20];
	for (u32 y = 0; y < 16; y++) {
		volatile u32 *px = fb + (cy * 16 + y) * pitch_px + cx * 8;
		for (u32 x = 0; x < 8; x++)
			px[x] = (g[y] & (0x80 >> x)) ? fg : 0;
	}
}

static void scroll(void)
{
	size_t line = (size_t)pitch_px * 16;
	for (size_t i = 0; i < line * (rows - 1); i++)
		fb[i] = fb[i + line];
	for (size_t i = line * (rows - 1); i < line * rows; i++)
		fb[i] = 0;
}

static void fbcon_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\n' || col >= cols) {
			col = 0;
			if (++row >= rows) {
				scroll();
				row = rows - 1;
			}
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			col = 0;
			continue;
		}
		if (c == '\b') {
			if (col)
				col--;
			continue;
		}
		if (c == 0x1b) { /* skip ANSI sequences the shell sends for editing */
			while (i + 1 < len && !((s[i + 1] >= 'A' && s[i + 1] <= 'Z') ||
						 (s[i + 1] >= 'a' && s[i + 1] <= 'z')))
				i++;
			i++;
			continue;
		}
		draw(col++, row, c);
	}
}

static struct console fb_console = { "fb0", fbcon_write, NULL };

void fbcon_init(const struct boot_framebuffer *info)
{
	if (!info->base || info->bpp != 32 || info->width < 64 || info->height < 32)
		return;
	width = info->width;
	height = info->height;
	pitch_px = info->pitch / 4;
	cols = width / 8;
	rows = height / 16;
	fg = (0xc0u << info->red_shift) | (0xc0u << info->green_shift) | (0xc0u << info->blue_shift);
	fb = ioremap_wc(info->base, (size_t)info->pitch * height);
	for (size_t i = 0; i < (size_t)pitch_px * height; i++)
		fb[i] = 0;
	register_console(&fb_console);
}
