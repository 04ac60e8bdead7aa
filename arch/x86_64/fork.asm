; fork() for apps (kernel/proc.c has the contract). Saves what the child needs to
; resume as if fork had returned 0 to it: the return address, the stack pointer after
; the return, and the callee-saved registers (the ABI allows the caller to rely on only
; these). proc_fork_impl copies the caller's stack for the child and returns the pid.
bits 64
section .text
global fork
global fork_resume
extern proc_fork_impl

; struct fork_regs { u64 rip, rsp, rbx, rbp, r12, r13, r14, r15; }
fork:
	mov rax, [rsp]          ; return address
	lea rcx, [rsp + 8]      ; rsp after returning
	push r15
	push r14
	push r13
	push r12
	push rbp
	push rbx
	push rcx
	push rax
	mov rdi, rsp
	sub rsp, 8              ; 16-byte alignment for the call
	call proc_fork_impl
	add rsp, 8 + 64
	ret

; void fork_resume(const struct fork_regs *r): the child's first instructions.
fork_resume:
	mov rbx, [rdi + 16]
	mov rbp, [rdi + 24]
	mov r12, [rdi + 32]
	mov r13, [rdi + 40]
	mov r14, [rdi + 48]
	mov r15, [rdi + 56]
	mov rsp, [rdi + 8]
	mov rax, [rdi]
	push rax                ; return into the caller of fork()
	xor eax, eax            ; fork() returns 0 in the child
	ret
