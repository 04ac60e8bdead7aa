; The kernel ELF (debug info stripped, symbol table kept) carried inside seqos.efi.
; KERNEL_ELF is defined by the Makefile.
section .rodata
global kernel_elf_blob
global kernel_elf_blob_end
align 4096
kernel_elf_blob:
	incbin KERNEL_ELF
kernel_elf_blob_end:
section .note.GNU-stack noalloc noexec nowrite progbits
