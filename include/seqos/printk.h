/* Kernel log: printk with levels, to the serial console and the framebuffer. */
#ifndef SEQOS_PRINTK_H
#define SEQOS_PRINTK_H

#include <seqos/compiler.h>
#include <stdarg.h>

#define KERN_EMERG "<0>"
#define KERN_ALERT "<1>"
#define KERN_CRIT "<2>"
#define KERN_ERR "<3>"
#define KERN_WARNING "<4>"
#define KERN_NOTICE "<5>"
#define KERN_INFO "<6>"
#define KERN_DEBUG "<7>"

__printf(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

#define pr_emerg(fmt, ...) printk(KERN_EMERG fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(KERN_DEBUG fmt, ##__VA_ARGS__)

__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#define BUG_ON(c)                                                              \
	do {                                                                   \
		if (unlikely(c))                                               \
			panic("BUG: %s at %s:%d", #c, __FILE__, __LINE__);     \
	} while (0)
#define WARN_ON(c)                                                             \
	({                                                                     \
		bool __w = !!(c);                                              \
		if (unlikely(__w))                                             \
			printk(KERN_WARNING "WARNING: %s at %s:%d\n", #c,      \
			       __FILE__, __LINE__);                            \
		__w;                                                           \
	})

#endif
