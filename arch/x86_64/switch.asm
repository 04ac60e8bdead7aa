; Context switch: save the callee-saved registers on the old stack, store its stack
; pointer, load the new one, restore, return into the new thread.
; void __switch_to(u64 *prev_rsp, u64 next_rsp)
bits 64
section .text
global __switch_to
global thread_trampoline
extern thread_start

__switch_to:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

; First "return" of a new thread: its initial stack holds six zeroed registers and this
; address. thread_start() never returns.
thread_trampoline:
	push 0                  ; a zero saved rbp above a zero return address: backtraces stop
	mov rbp, rsp            ; and the stack is 16-byte aligned at the call, as the ABI wants
	call thread_start
	ud2
