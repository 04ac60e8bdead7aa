/* Command-line parsing (include/seqos/cmdline.h). Portable: host-tested.
 * The text is copied once; keys and values point into the copy. */
#include <seqos/cmdline.h>
#include <seqos/string.h>

const struct cmdline_key cmdline_keys[] = {
	{ "app", "apps to start, comma-separated: server (default), client, echo, bulk, http, none" },
	{ "server", "app=client: the server's name or address" },
	{ "port", "app=client: the server's port (default 3490)" },
	{ "ip", "dhcp (default) or A.B.C.D/N for a static address" },
	{ "gw", "static default gateway A.B.C.D" },
	{ "dns", "static DNS server A.B.C.D" },
	{ "hostname", "this machine's name (default seqos)" },
	{ "loglevel", "console log level 0-7 (default 6)" },
	{ "panic", "halt (default) or poweroff: what a panic does" },
	{ "trace", "categories to trace from boot: irq,sched,work,timer,net,tcp,sock,all" },
	{ "trace_buf", "trace records per CPU (default 65536)" },
	{ "trace_stream", "1: stream trace records to COM2 as they are written" },
	{ "pci", "nomsi: use INTx through the IOAPIC instead of MSI/MSI-X" },
	{ "nic", "restrict to one driver: e1000, virtio" },
	{ "selftest", "run a named in-kernel test at boot (integration tests)" },
	{ "quiet", "1: only warnings and errors on the console during boot" },
	{ NULL, NULL },
};

static char buf[CMDLINE_MAX];
static char text[CMDLINE_MAX];
static const char *keys[CMDLINE_MAX_ARGS], *vals[CMDLINE_MAX_ARGS];
static int nargs, dropped;
const char *cmdline_source = "default";

int cmdline_parse(const char *s)
{
	size_t o = 0;
	char *p;

	nargs = dropped = 0;
	strlcpy(text, s, sizeof(text));
	/* Copy, turning comments and line breaks into spaces. */
	for (size_t i = 0; s[i] && o < sizeof(buf) - 1; i++) {
		if (s[i] == '#') {
			while (s[i + 1] && s[i + 1] != '\n')
				i++;
			buf[o++] = ' ';
			continue;
		}
		buf[o++] = (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
	}
	buf[o] = 0;
	for (p = buf; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
		if (nargs == CMDLINE_MAX_ARGS) {
			dropped++;
			continue;
		}
		char *eq = strchr(word, '=');
		if (eq)
			*eq = 0;
		/* A later word overrides an earlier one with the same key. */
		int i;
		for (i = 0; i < nargs && strcmp(keys[i], word); i++)
			;
		keys[i] = word;
		vals[i] = eq ? eq + 1 : "";
		if (i == nargs)
			nargs++;
	}
	return nargs;
}

const char *cmdline_get(const char *key)
{
	for (int i = 0; i < nargs; i++)
		if (!strcmp(keys[i], key))
			return vals[i];
	return NULL;
}

const char *cmdline_get_or(const char *key, const char *dflt)
{
	const char *v = cmdline_get(key);
	return v ? v : dflt;
}

u64 cmdline_get_u64(const char *key, u64 dflt)
{
	const char *v = cmdline_get(key);
	char *end;
	u64 n;

	if (!v || !*v)
		return dflt;
	n = strtoull(v, &end, 0);
	return *end ? dflt : n;
}

bool cmdline_flag(const char *key, const char *value)
{
	const char *v = cmdline_get(key);
	return v && !strcmp(v, value);
}

int cmdline_unknown(void (*report)(const char *key))
{
	int n = 0;
	for (int i = 0; i < nargs; i++) {
		const struct cmdline_key *k;
		for (k = cmdline_keys; k->key && strcmp(k->key, keys[i]); k++)
			;
		if (!k->key) {
			if (report)
				report(keys[i]);
			n++;
		}
	}
	return n;
}

const char *cmdline_text(void) { return text; }
int cmdline_dropped(void) { return dropped; }
