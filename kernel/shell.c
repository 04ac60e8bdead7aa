/* The serial shell: a thread that reads lines with editing and history and runs the
 * commands that files register with SHELL_CMD (include/seqos/shell.h).
 *
 * Editing: Backspace, Ctrl-U (kill line), Ctrl-C (drop line), Left/Right, Home/End,
 * Up/Down through the last HISTORY lines, Tab completes a command name. Input arrives
 * through the COM1 receive interrupt (drivers/serial.c), which wakes this thread. */
#include <drivers/serial.h>
#include <seqos/console.h>
#include <seqos/printk.h>
#include <seqos/sched.h>
#include <seqos/shell.h>
#include <seqos/string.h>
#include <seqos/time.h>

#define LINE_MAX 256
#define HISTORY 16
#define MAX_ARGS 16
#define PROMPT "seqos> "

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];
static char history[HISTORY][LINE_MAX];
static unsigned hist_count;

static const struct shell_cmd *find_cmd(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int shell_run_line(const char *line)
{
	char buf[LINE_MAX], *argv[MAX_ARGS];
	int argc = 0;
	char *p = buf;
	const struct shell_cmd *c;

	strlcpy(buf, line, sizeof(buf));
	while (*p && argc < MAX_ARGS - 1) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	if (argc == 0)
		return 0;
	c = find_cmd(argv[0]);
	if (!c) {
		kprintf("%s: unknown command (try 'help')\n", argv[0]);
		return 127;
	}
	return c->fn(argc, argv);
}

static void out(const char *s) { console_write(s, strlen(s)); }

/* Redraws the line from the cursor position to the end, then puts the cursor back. */
static void redraw_tail(const char *line, int len, int cur, bool erased)
{
	char seq[16];
	console_write(line + cur, (size_t)(len - cur));
	if (erased)
		out(" \b");
	if (len - cur > 0) {
		snprintf(seq, sizeof(seq), "\x1b[%dD", len - cur);
		out(seq);
	}
}

static void replace_line(char *line, int *len, int *cur, const char *with)
{
	while (*cur > 0) {
		out("\b");
		(*cur)--;
	}
	out("\x1b[K");
	strlcpy(line, with, LINE_MAX);
	*len = *cur = (int)strlen(line);
	out(line);
}

static void complete_cmd(char *line, int *len, int *cur)
{
	const struct shell_cmd *match = NULL;
	int n = 0;

	if (strchr(line, ' ') || *cur != *len)
		return;
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (!strncmp(c->name, line, (size_t)*len)) {
			match = c;
			n++;
		}
	if (n == 1) {
		char tmp[LINE_MAX];
		snprintf(tmp, sizeof(tmp), "%s ", match->name);
		replace_line(line, len, cur, tmp);
	} else if (n > 1) {
		out("\r\n");
		for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
			if (!strncmp(c->name, line, (size_t)*len))
				kprintf("%s  ", c->name);
		out("\r\n" PROMPT);
		out(line);
	}
}

static void read_line(char *line)
{
	int len = 0, cur = 0, hist_pos = (int)hist_count, esc = 0;

	line[0] = 0;
	for (;;) {
		int c = console_getc();
		if (esc == 1) {
			esc = c == '[' ? 2 : 0;
			continue;
		}
		if (esc == 2) {
			esc = 0;
			if (c == 'A' && hist_pos > 0 && hist_count - hist_pos < HISTORY) {
				hist_pos--;
				replace_line(line, &len, &cur, history[hist_pos % HISTORY]);
			} else if (c == 'B' && hist_pos < (int)hist_count) {
				hist_pos++;
				replace_line(line, &len, &cur,
					     hist_pos == (int)hist_count ? "" : history[hist_pos % HISTORY]);
			} else if (c == 'C' && cur < len) {
				console_write(line + cur, 1);
				cur++;
			} else if (c == 'D' && cur > 0) {
				out("\b");
				cur--;
			} else if (c == 'H') {
				while (cur > 0) {
					out("\b");
					cur--;
				}
			} else if (c == 'F') {
				console_write(line + cur, (size_t)(len - cur));
				cur = len;
			}
			continue;
		}
		switch (c) {
		case 0x1b:
			esc = 1;
			break;
		case '\r':
		case '\n':
			out("\r\n");
			line[len] = 0;
			return;
		case 0x7f:
		case '\b':
			if (cur > 0) {
				memmove(line + cur - 1, line + cur, (size_t)(len - cur));
				len--;
				cur--;
				line[len] = 0;
				out("\b");
				redraw_tail(line, len, cur, true);
			}
			break;
		case 0x15: /* Ctrl-U */
			replace_line(line, &len, &cur, "");
			break;
		case 0x03: /* Ctrl-C */
			out("^C\r\n");
			len = cur = 0;
			line[0] = 0;
			return;
		case '\t':
			line[len] = 0;
			complete_cmd(line, &len, &cur);
			break;
		default:
			if (c >= 0x20 && c < 0x7f && len < LINE_MAX - 2) {
				memmove(line + cur + 1, line + cur, (size_t)(len - cur));
				line[cur] = (char)c;
				len++;
				line[len] = 0;
				console_write(line + cur, 1);
				cur++;
				if (cur < len)
					redraw_tail(line, len, cur, false);
			}
		}
	}
}

extern u64 boot_handoff_tsc;
u64 boot_prompt_ns;

static int shell_thread(void *arg)
{
	char line[LINE_MAX];

	boot_prompt_ns = ktime_get_ns();
	printk(KERN_INFO "boot: handoff -> shell prompt in %lu.%03lu ms\n",
	       (unsigned long)(boot_prompt_ns / NSEC_PER_MSEC),
	       (unsigned long)(boot_prompt_ns / 1000 % 1000));
	for (;;) {
		out(PROMPT);
		read_line(line);
		if (!line[0])
			continue;
		if (hist_count == 0 || strcmp(history[(hist_count - 1) % HISTORY], line))
			strlcpy(history[hist_count++ % HISTORY], line, LINE_MAX);
		shell_run_line(line);
	}
	return 0;
}

void shell_start(void)
{
	kthread_create(shell_thread, NULL, "shell", PRIO_DEFAULT);
}

static int cmd_help(int argc, char **argv)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		kprintf("  %s\n", c->help);
	return 0;
}
SHELL_CMD("help", "help - this list", cmd_help);

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		kprintf("%s%s", argv[i], i + 1 < argc ? " " : "");
	kprintf("\n");
	return 0;
}
SHELL_CMD("echo", "echo WORDS - print the words", cmd_echo);
