/* Kernel symbol lookup over the ELF symbol table (ELF-64 spec, "Symbol Table").
 * The table is read in place; lookups are linear scans, which is fast enough for the
 * places that need them (exception reports, `ps`, `timers`) and needs no allocation,
 * so it works in a panic. */
#include <seqos/compiler.h>
#include <seqos/elf64.h>
#include <seqos/ksyms.h>
#include <seqos/string.h>

static const Elf64_Sym *symtab;
static size_t nsyms;
static const char *strtab;
static size_t strtab_size;

void ksyms_init(const void *elf, size_t size)
{
	const Elf64_Ehdr *eh = elf;
	const u8 *base = elf;

	if (!elf || size < sizeof(*eh) || eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff + (u64)eh->e_shnum * sizeof(Elf64_Shdr) > size)
		return;
	const Elf64_Shdr *sh = (const void *)(base + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *st = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > size || st->sh_offset + st->sh_size > size)
			return;
		symtab = (const void *)(base + sh[i].sh_offset);
		nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
		strtab = (const char *)(base + st->sh_offset);
		strtab_size = st->sh_size;
		return;
	}
}

static const char *sym_name(const Elf64_Sym *s)
{
	return s->st_name < strtab_size ? strtab + s->st_name : "?";
}

const char *ksym_lookup(u64 addr, u64 *offset)
{
	const Elf64_Sym *best = NULL;

	for (size_t i = 0; i < nsyms; i++) {
		const Elf64_Sym *s = &symtab[i];
		unsigned t = ELF64_ST_TYPE(s->st_info);
		/* NOTYPE: labels from assembly (entry stubs, the thread trampoline). */
		if ((t != STT_FUNC && t != STT_OBJECT && t != 0) || s->st_shndx == 0 ||
		    s->st_shndx >= 0xff00 || s->st_value > addr)
			continue;
		if (s->st_size && addr >= s->st_value + s->st_size)
			continue;
		if (!best || s->st_value > best->st_value)
			best = s;
	}
	if (!best)
		return NULL;
	if (offset)
		*offset = addr - best->st_value;
	return sym_name(best);
}

u64 ksym_address(const char *name)
{
	for (size_t i = 0; i < nsyms; i++)
		if (!strcmp(sym_name(&symtab[i]), name))
			return symtab[i].st_value;
	return 0;
}

int ksym_format(u64 addr, char *buf, size_t cap)
{
	u64 off;
	const char *n = ksym_lookup(addr, &off);

	if (!n)
		return snprintf(buf, cap, "0x%lx", (unsigned long)addr);
	return snprintf(buf, cap, "%s+0x%lx", n, (unsigned long)off);
}
