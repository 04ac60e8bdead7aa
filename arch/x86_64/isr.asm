; Interrupt and exception entry (STYLE.md 12: generated stubs, one C dispatcher).
; Every vector's stub pushes a dummy error code when the CPU does not push one, then the
; vector number, and jumps to the common path, which saves all registers into a
; struct trap_frame (arch/x86_64/include/asm/trap.h) and calls trap_dispatch(frame).
bits 64
section .text
extern trap_dispatch
global isr_stub_table

; Exceptions that push an error code: #DF(8) #TS(10) #NP(11) #SS(12) #GP(13) #PF(14)
; #AC(17) #CP(21) #VC(29) #SX(30).
%macro STUB 1
isr_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign i 0
%rep 256
	align 16
	STUB i
%assign i i+1
%endrep

isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp            ; struct trap_frame *
	; A fake call frame (saved rbp, return address) so frame-pointer backtraces walk
	; from the handler into the interrupted code.
	push qword [rdi + 17*8] ; interrupted rip (after 15 registers, vector, error)
	push qword [rdi + 8*8]  ; interrupted rbp
	mov rbp, rsp
	mov rbx, rsp            ; callee-saved: survives the call
	and rsp, -16            ; the ABI wants a 16-byte aligned stack at the call
	call trap_dispatch
	mov rsp, rbx
	add rsp, 16             ; the fake frame
global trap_return
trap_return:
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16             ; vector and error code
	iretq

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 256
	dq isr_ %+ i
%assign i i+1
%endrep
