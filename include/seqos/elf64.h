/* The few ELF-64 definitions seqos needs (the loader places the kernel's segments; the
 * kernel reads its own symbol table). From the System V ABI / ELF-64 specification. */
#ifndef SEQOS_ELF64_H
#define SEQOS_ELF64_H

#include <stdint.h>

typedef struct {
	unsigned char e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

typedef struct {
	uint32_t sh_name, sh_type;
	uint64_t sh_flags, sh_addr, sh_offset, sh_size;
	uint32_t sh_link, sh_info;
	uint64_t sh_addralign, sh_entsize;
} Elf64_Shdr;

typedef struct {
	uint32_t st_name;
	unsigned char st_info, st_other;
	uint16_t st_shndx;
	uint64_t st_value, st_size;
} Elf64_Sym;

#define EM_X86_64 62
#define PT_LOAD 1
#define SHT_SYMTAB 2
#define STT_FUNC 2
#define STT_OBJECT 1
#define ELF64_ST_TYPE(i) ((i) & 0xf)

#endif
