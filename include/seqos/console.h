/* Console outputs: printk and kprintf write to every registered console. */
#ifndef SEQOS_CONSOLE_H
#define SEQOS_CONSOLE_H

#include <seqos/types.h>

struct console {
	const char *name;
	void (*write)(const char *s, size_t len);
	struct console *next;
};

void register_console(struct console *c);
void console_write(const char *s, size_t len);
extern int console_loglevel; /* messages with a level above this are only logged */
/* The log buffer (dmesg): copies out up to cap bytes of the most recent log. */
size_t log_read(char *buf, size_t cap);

#endif
