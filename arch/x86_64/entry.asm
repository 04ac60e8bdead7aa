; Kernel entry: the UEFI loader jumps here with interrupts off, on its temporary page
; tables, with rdi = physical address of struct boot_info (identity mapped).
bits 64
section .text.entry
global _start
extern kernel_main
extern __boot_stack_top

_start:
	cli
	cld
	mov rsp, __boot_stack_top
	xor ebp, ebp
	push 0                  ; a zero return address ends backtraces
	push 0
	mov rbp, rsp
	call kernel_main
.hang:
	hlt
	jmp .hang
