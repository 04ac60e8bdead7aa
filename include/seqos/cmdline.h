/* The kernel command line: key=value words (README has the table of keys).
 * Sources, first found: UEFI load options, QEMU fw_cfg file opt/seqos/cmdline,
 * \EFI\seqos\cmdline.txt on the boot volume, the built-in default. */
#ifndef SEQOS_CMDLINE_H
#define SEQOS_CMDLINE_H

#include <seqos/types.h>

#define CMDLINE_MAX 1024
#define CMDLINE_MAX_ARGS 48

struct cmdline_key {
	const char *key;
	const char *help;
};
extern const struct cmdline_key cmdline_keys[];

/* Parses s (spaces, tabs and newlines separate words; '#' starts a comment to the end
 * of its line). Returns the number of words kept; words beyond CMDLINE_MAX_ARGS are
 * dropped and counted. A word without '=' is a key with the value "". */
int cmdline_parse(const char *s);
const char *cmdline_get(const char *key);           /* NULL when absent */
const char *cmdline_get_or(const char *key, const char *dflt);
u64 cmdline_get_u64(const char *key, u64 dflt);
bool cmdline_flag(const char *key, const char *value); /* key present with this value */
/* Calls report(key) for each key not in cmdline_keys; returns how many. */
int cmdline_unknown(void (*report)(const char *key));
const char *cmdline_text(void);                      /* the text as given */
extern const char *cmdline_source;                        /* where it came from */
int cmdline_dropped(void);

#endif
