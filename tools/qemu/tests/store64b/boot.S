/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Entry of the bare-metal 64-byte store test: a Multiboot image that QEMU
 * loads with -kernel.  It maps the low 4 GiB 1:1 with 1 GiB pages, enters
 * long mode at CPL 0, installs an IDT whose #UD, #GP and #PF handlers
 * resume at fault_resume (see test.c), and calls test_main().
 */

#define MB_MAGIC        0x1badb002
#define MB_FLAGS        0x00010000      /* load addresses are in the header */

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define PTE_P_W         0x003
#define PTE_P_W_PS      0x083

        .section .head, "ax"
        .code32
        .globl _start
        .align 4
mb_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
        .long mb_header                 /* header_addr */
        .long _load_start               /* load_addr */
        .long 0                         /* load_end_addr: whole file */
        .long _end                      /* bss_end_addr */
        .long _start                    /* entry_addr */

_start:
        cli
        cld
        mov     $_bss_start, %edi
        mov     $_end, %ecx
        sub     %edi, %ecx
        xor     %eax, %eax
        rep stosb
        mov     %ebx, mb_info                   /* Multiboot information */

        /* PML4[0] -> PDPT; PDPT[0..3] map 0..4 GiB with 1 GiB pages. */
        mov     $pdpt, %eax
        or      $PTE_P_W, %eax
        mov     %eax, pml4
        mov     $PTE_P_W_PS, %eax
        xor     %ecx, %ecx
1:      mov     %eax, pdpt(,%ecx,8)
        add     $0x40000000, %eax
        inc     %ecx
        cmp     $4, %ecx
        jne     1b

        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $pml4, %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $EFER_LME, %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_PE), %eax
        mov     %eax, %cr0
        lgdt    gdt_desc
        ljmp    $0x08, $long_mode

        .code64
long_mode:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        mov     $stack_top, %rsp

        /* IDT: vectors 0-31; 6, 13 and 14 resume, the others stop. */
        xor     %ecx, %ecx
2:      mov     $fatal_entry, %rax
        cmp     $6, %ecx
        jne     3f
        mov     $ud_entry, %rax
3:      cmp     $13, %ecx
        jne     4f
        mov     $gp_entry, %rax
4:      cmp     $14, %ecx
        jne     5f
        mov     $pf_entry, %rax
5:      mov     %ecx, %edx
        shl     $4, %edx
        lea     idt(%rdx), %rdi
        mov     %ax, (%rdi)                     /* offset 15:0 */
        movw    $0x08, 2(%rdi)                  /* selector */
        movw    $0x8e00, 4(%rdi)                /* present, interrupt gate */
        shr     $16, %rax
        mov     %ax, 6(%rdi)                    /* offset 31:16 */
        shr     $16, %rax
        mov     %eax, 8(%rdi)                   /* offset 63:32 */
        movl    $0, 12(%rdi)
        inc     %ecx
        cmp     $32, %ecx
        jne     2b
        lidt    idt_desc

        call    test_main
6:      hlt
        jmp     6b

/* Record the vector and resume at fault_resume. */
ud_entry:
        pushq   $0                              /* no error code */
        pushq   $6
        jmp     resume
gp_entry:
        pushq   $13
        jmp     resume
pf_entry:
        pushq   $14
resume:
        push    %rax
        mov     8(%rsp), %rax
        mov     %eax, fault_vector(%rip)
        mov     fault_resume(%rip), %rax
        mov     %rax, 24(%rsp)                  /* the saved RIP */
        pop     %rax
        add     $16, %rsp                       /* vector, error code */
        iretq

fatal_entry:
        call    test_fatal
7:      hlt
        jmp     7b

        .section .rodata
        .align 8
gdt:
        .quad   0
        .quad   0x00af9a000000ffff              /* 64-bit code */
        .quad   0x00cf92000000ffff              /* data */
gdt_desc:
        .word   gdt_desc - gdt - 1
        .quad   gdt
idt_desc:
        .word   32 * 16 - 1
        .quad   idt

        .section .bss
        .align 4096
pml4:   .skip   4096
pdpt:   .skip   4096
idt:    .skip   32 * 16
        .align 16
stack:  .skip   16384
stack_top:
