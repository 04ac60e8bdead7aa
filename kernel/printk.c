/* printk: leveled, timestamped kernel messages into a log buffer and onto the consoles.
 *
 * Any context may print, including hard IRQs and exception handlers. Output is
 * synchronous (the serial console polls), so a message is out before printk returns —
 * what you want when the next instruction may crash. A printk nested inside another
 * (an exception while printing) writes straight to the consoles. */
#include <seqos/console.h>
#include <seqos/printk.h>
#include <seqos/shell.h>
#include <seqos/spinlock.h>
#include <seqos/string.h>
#include <seqos/time.h>

#define LOG_SIZE 65536

static struct console *consoles;
static char log_buf[LOG_SIZE];
static u64 log_head; /* bytes ever written */
static volatile int printk_depth;
int console_loglevel = 7;

void register_console(struct console *c)
{
	c->next = consoles;
	consoles = c;
}

/* A line at a time (up to 256 bytes) with interrupts off: on one CPU nothing else can
 * write in the middle of it, so a printk from an interrupt or another thread never lands
 * inside an app's or the shell's line ("ec[ 0.051 ] net: ...ho: listening"). */
void console_write(const char *s, size_t len)
{
	while (len) {
		unsigned long flags;
		size_t n = 0;

		while (n < len && n < 256 && s[n++] != '\n')
			;
		local_irq_save(flags);
		for (struct console *c = consoles; c; c = c->next)
			c->write(s, n);
		local_irq_restore(flags);
		s += n;
		len -= n;
	}
}

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_head + i) % LOG_SIZE] = s[i];
	log_head += len;
}

size_t log_read(char *buf, size_t cap)
{
	unsigned long flags;
	u64 start, n;

	local_irq_save(flags);
	n = log_head < LOG_SIZE ? log_head : LOG_SIZE;
	if (n > cap)
		n = cap;
	start = log_head - n;
	for (u64 i = 0; i < n; i++)
		buf[i] = log_buf[(start + i) % LOG_SIZE];
	local_irq_restore(flags);
	return n;
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	unsigned long flags;
	int level = 6, n = 0, len;
	u64 ns = ktime_get_ns();

	if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '7' && fmt[2] == '>') {
		level = fmt[1] - '0';
		fmt += 3;
	}
	n = snprintf(buf, sizeof(buf), "[%5lu.%06lu] ", (unsigned long)(ns / 1000000000ULL),
		     (unsigned long)(ns / 1000 % 1000000));
	len = n + vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;

	local_irq_save(flags);
	if (printk_depth++ == 0)
		log_store(buf, (size_t)len);
	if (level <= console_loglevel)
		console_write(buf, (size_t)len);
	printk_depth--;
	local_irq_restore(flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/* Shell output: no timestamp, not logged. Long output is written in pieces. */
int kprintf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

static int cmd_dmesg(int argc, char **argv)
{
	static char buf[LOG_SIZE];
	size_t n = log_read(buf, sizeof(buf));
	console_write(buf, n);
	return 0;
}
SHELL_CMD("dmesg", "dmesg - print the kernel log buffer", cmd_dmesg);
