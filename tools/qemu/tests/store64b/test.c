// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bare-metal test of the device-facing side of MOVDIR64B, MOVDIRI, ENQCMD
 * and ENQCMDS in our QEMU: runs at CPL 0 in long mode (boot.S) on q35 with
 * an enqueue-testdev (hw/misc/enqueue-testdev.c, queue depth 2), prints
 * KTAP on COM1 and ends QEMU through isa-debug-exit (port 0xf4): 0 when
 * every test passed, 1 otherwise.
 *
 * With "mapped" on the command line (-append mapped), the enqueue-testdev
 * is one of the host's, given to this QEMU by vfio-pci: its BAR is host
 * memory that QEMU maps (a RAM device region).  A 64-byte direct store
 * must still reach the device whole (through the host's MOVDIR64B), and an
 * enqueue store is refused (ZF=1) without reaching it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEBUG_EXIT_PORT 0xf4
#define COM1            0x3f8

#define TESTDEV_VENDOR  0x1b36
#define TESTDEV_DEVICE  0x0015
#define TESTDEV_ID      0x4454534554514e45ULL /* "ENQTESTD" */

/* enqueue-testdev registers (BAR 0), and its portal page. */
#define REG_ID          0x00
#define REG_QUEUE_DEPTH 0x08
#define REG_QUEUED      0x10
#define REG_DIRECT      0x18
#define REG_ENQUEUED    0x20
#define REG_RETRIED     0x28
#define REG_PARTIAL     0x30
#define REG_LAST        0x40
#define PORTAL          0x1000

#define MSR_IA32_PASID  0xd93
#define PASID_VALID     (1u << 31)

#define VEC_NONE        (-1)
#define VEC_GP          13

/* Set by the fault handlers in boot.S. */
volatile int fault_vector = VEC_NONE;
volatile uint64_t fault_resume;

/* The Multiboot information structure, saved by boot.S. */
uint32_t mb_info;
#define MB_INFO_CMDLINE (1u << 2)

static uintptr_t bar;
static bool mapped;
static int test_number;
static int failures;
static uint8_t ram_dest[128] __attribute__((aligned(64)));
static uint8_t src[64] __attribute__((aligned(64)));

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_serial(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_dec(unsigned int v)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (i)
		putc_serial(buf[--i]);
}

static void put_hex(uint64_t v)
{
	puts_serial("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		putc_serial("0123456789abcdef"[(v >> shift) & 15]);
}

static void result(bool ok, const char *name)
{
	test_number++;
	if (!ok)
		failures++;
	puts_serial(ok ? "ok " : "not ok ");
	put_dec(test_number);
	putc_serial(' ');
	puts_serial(name);
	putc_serial('\n');
}

static void diag(const char *what, uint64_t v)
{
	puts_serial("# ");
	puts_serial(what);
	putc_serial(' ');
	put_hex(v);
	putc_serial('\n');
}

static void __attribute__((noreturn)) finish(void)
{
	outb(DEBUG_EXIT_PORT, failures ? 1 : 0);
	for (;;)
		asm volatile("hlt");
}

void __attribute__((noreturn)) test_fatal(void);
void test_main(void);

void test_fatal(void)
{
	puts_serial("# unexpected exception\nBail out!\n");
	failures++;
	finish();
}

static uint64_t reg(unsigned int off)
{
	return *(volatile uint64_t *)(bar + off);
}

static void reg_write(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

static uint32_t pci_read(int dev, int off)
{
	outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
	return inl(0xcfc);
}

static void pci_write(int dev, int off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
	outl(0xcfc, v);
}

static bool find_testdev(void)
{
	for (int dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read(dev, 0);

		if (id == (TESTDEV_VENDOR | (TESTDEV_DEVICE << 16))) {
			bar = pci_read(dev, 0x10) & ~0xfu;
			/* Memory space decoding on. */
			pci_write(dev, 0x04, pci_read(dev, 0x04) | 0x2);
			return bar != 0;
		}
	}
	return false;
}

static bool bytes_equal(const void *a, const volatile void *b, size_t n)
{
	const uint8_t *x = a;
	const volatile uint8_t *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

static bool last_equals(const uint8_t *expected)
{
	for (int i = 0; i < 64; i += 8) {
		uint64_t want = 0;

		for (int j = 7; j >= 0; j--)
			want = (want << 8) | expected[i + j];
		if (reg(REG_LAST + i) != want)
			return false;
	}
	return true;
}

static void fill(uint8_t *p, uint8_t seed)
{
	for (int i = 0; i < 64; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/*
 * Each instruction under test runs with fault_resume set to the label
 * after it: a fault leaves fault_vector set and resumes there.
 */
static int movdir64b(uintptr_t dest, const void *from)
{
	fault_vector = VEC_NONE;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, fault_resume(%%rip)\n\t"
		     "movdir64b (%0), %1\n"
		     "1:"
		     : : "r"(from), "r"(dest) : "rax", "memory");
	return fault_vector;
}

/* Returns ZF (1: the device did not take the command) or -vector. */
static int enqcmds(uintptr_t dest, const void *from)
{
	uint8_t zf = 0;

	fault_vector = VEC_NONE;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, fault_resume(%%rip)\n\t"
		     "xor %%eax, %%eax\n\t"
		     "enqcmds (%1), %2\n\t"
		     "setz %0\n"
		     "1:"
		     : "+r"(zf) : "r"(from), "r"(dest) : "rax", "cc", "memory");
	return fault_vector != VEC_NONE ? -fault_vector : zf;
}

static int enqcmd(uintptr_t dest, const void *from)
{
	uint8_t zf = 0;

	fault_vector = VEC_NONE;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, fault_resume(%%rip)\n\t"
		     "xor %%eax, %%eax\n\t"
		     "enqcmd (%1), %2\n\t"
		     "setz %0\n"
		     "1:"
		     : "+r"(zf) : "r"(from), "r"(dest) : "rax", "cc", "memory");
	return fault_vector != VEC_NONE ? -fault_vector : zf;
}

/* ENQCMDS with 32-bit addressing (67h): only the low half of the register. */
static int enqcmds_addr32(uint64_t dest, const void *from)
{
	uint8_t zf = 0;

	fault_vector = VEC_NONE;
	asm volatile("lea 1f(%%rip), %%rax\n\t"
		     "mov %%rax, fault_resume(%%rip)\n\t"
		     "xor %%eax, %%eax\n\t"
		     "enqcmds (%k1), %k2\n\t"
		     "setz %0\n"
		     "1:"
		     : "+r"(zf) : "r"(from), "r"(dest) : "rax", "cc", "memory");
	return fault_vector != VEC_NONE ? -fault_vector : zf;
}

static int wrmsr_checked(uint32_t msr, uint64_t v)
{
	fault_vector = VEC_NONE;
	asm volatile("lea 1f(%%rip), %%r8\n\t"
		     "mov %%r8, fault_resume(%%rip)\n\t"
		     "wrmsr\n"
		     "1:"
		     : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "r8", "memory");
	return fault_vector;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void test_cpuid(void)
{
	uint32_t a = 7, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	result(c & (1u << 27), "cpuid: movdiri (CPUID.7.0:ECX[27])");
	result(c & (1u << 28), "cpuid: movdir64b (CPUID.7.0:ECX[28])");
	result(c & (1u << 29), "cpuid: enqcmd (CPUID.7.0:ECX[29])");
}

static void test_movdir64b(void)
{
	uintptr_t portal = bar + PORTAL;
	uint64_t direct = reg(REG_DIRECT), partial = reg(REG_PARTIAL);

	fill(src, 0x10);
	result(movdir64b(portal + 0x40, src) == VEC_NONE &&
	       reg(REG_DIRECT) == direct + 1 &&
	       reg(REG_PARTIAL) == partial && last_equals(src),
	       "movdir64b: the device receives one 64-byte store with the source bytes");

	result(movdir64b(portal + 8, src) == VEC_GP &&
	       reg(REG_DIRECT) == direct + 1 && reg(REG_PARTIAL) == partial,
	       "movdir64b: a destination not 64-byte aligned raises #GP and stores nothing");

	fill(src, 0x80);
	for (int i = 0; i < 128; i++)
		ram_dest[i] = 0xee;
	result(movdir64b((uintptr_t)&ram_dest[64], src) == VEC_NONE &&
	       bytes_equal(src, &ram_dest[64], 64) && ram_dest[0] == 0xee &&
	       ram_dest[63] == 0xee,
	       "movdir64b: ordinary memory gets exactly the 64 source bytes");

	/* Source unaligned: allowed. */
	result(movdir64b(portal, (const uint8_t *)src + 3) == VEC_NONE &&
	       last_equals((const uint8_t *)src + 3),
	       "movdir64b: an unaligned source is allowed");
}

static void test_movdiri(void)
{
	uintptr_t portal = bar + PORTAL;
	uint64_t partial = reg(REG_PARTIAL);
	uint64_t v64 = 0x0123456789abcdefULL;
	uint32_t v32 = 0xfeedf00d;
	volatile uint64_t *q = (volatile uint64_t *)ram_dest;

	asm volatile("movdiri %1, %0" : "=m"(*(uint64_t *)portal) : "r"(v64));
	asm volatile("movdiri %1, %0" : "=m"(*(uint32_t *)portal) : "r"(v32));
	result(reg(REG_PARTIAL) == partial + 2,
	       "movdiri: a 64-bit and a 32-bit direct store reach the device as one write each");

	q[0] = 0;
	q[1] = 0;
	asm volatile("movdiri %1, %0" : "=m"(ram_dest[0]) : "r"(v64) : "memory");
	asm volatile("movdiri %1, %0" : "=m"(ram_dest[8]) : "r"(v32) : "memory");
	result(q[0] == v64 && q[1] == v32, "movdiri: ordinary memory gets the exact value");
}

static void test_partial(void)
{
	volatile uint64_t *portal = (volatile uint64_t *)(bar + PORTAL);
	uint64_t partial = reg(REG_PARTIAL), direct = reg(REG_DIRECT);

	for (int i = 0; i < 8; i++)
		portal[i] = i;
	result(reg(REG_PARTIAL) == partial + 8 && reg(REG_DIRECT) == direct,
	       "ordinary stores to the portal are 8 partial writes, not a 64-byte store");
}

static void test_enqcmds(void)
{
	uintptr_t portal = bar + PORTAL;
	uint8_t expected[64];
	uint64_t retried;

	reg_write(REG_QUEUED, 0);
	fill(src, 0x20);
	/* PASID 0x12345, reserved bits 30:20 set, supervisor. */
	src[0] = 0x45;
	src[1] = 0x23;
	src[2] = 0xf1;
	src[3] = 0xff;
	for (int i = 0; i < 64; i++)
		expected[i] = src[i];
	expected[2] = 0x01;
	expected[3] = 0x80;

	result(enqcmds(portal, src) == 0 && reg(REG_ENQUEUED) == 1 &&
	       reg(REG_QUEUED) == 1,
	       "enqcmds: the device takes the command (ZF=0)");
	result(last_equals(expected),
	       "enqcmds: one 64-byte command, PASID and privilege from the source, bits 30:20 zero");

	retried = reg(REG_RETRIED);
	result(enqcmds(portal + 0x40, src) == 0 && reg(REG_QUEUED) == 2,
	       "enqcmds: a second command fills the queue (depth 2)");
	result(enqcmds(portal, src) == 1 && reg(REG_RETRIED) == retried + 1 &&
	       reg(REG_QUEUED) == 2,
	       "enqcmds: the device refuses a command when its queue is full: ZF=1");

	reg_write(REG_QUEUED, 0);
	result(enqcmds(portal, src) == 0 && reg(REG_QUEUED) == 1,
	       "enqcmds: taken again once the queue has room");

	result(enqcmds(portal + 32, src) == -VEC_GP,
	       "enqcmds: a destination not 64-byte aligned raises #GP");

	reg_write(REG_QUEUED, 0);
	result(enqcmds_addr32(0xdead000000000000ULL | portal, src) == 0 &&
	       reg(REG_QUEUED) == 1,
	       "enqcmds: with 32-bit addressing only the low 32 bits of the register count");

	result(enqcmds(bar + 0x40, src) == 1 && reg(REG_ID) == TESTDEV_ID &&
	       reg(REG_QUEUED) == 1,
	       "enqcmds: an I/O region without enqueue registers refuses the command (ZF=1)");

	for (int i = 0; i < 64; i++)
		ram_dest[i] = 0x5a;
	result(enqcmds((uintptr_t)ram_dest, src) == 1 && ram_dest[0] == 0x5a &&
	       ram_dest[63] == 0x5a,
	       "enqcmds: ordinary memory does not take the command (ZF=1) and is unchanged");
}

/*
 * The BAR is mapped host memory: no enqueue store reaches the device, the
 * CPU reports refusal and the device's counters and last store stay.
 */
static bool device_untouched(uint64_t enqueued, uint64_t retried,
			     uint64_t direct, uint64_t partial,
			     const uint8_t *last)
{
	return reg(REG_ENQUEUED) == enqueued && reg(REG_RETRIED) == retried &&
	       reg(REG_DIRECT) == direct && reg(REG_PARTIAL) == partial &&
	       reg(REG_QUEUED) == 0 && last_equals(last);
}

static void test_enqueue_mapped(void)
{
	uintptr_t portal = bar + PORTAL;
	uint64_t enqueued, retried, direct, partial;
	uint8_t last[64];

	reg_write(REG_QUEUED, 0);
	fill(last, 0x60);
	movdir64b(portal, last);
	enqueued = reg(REG_ENQUEUED);
	retried = reg(REG_RETRIED);
	direct = reg(REG_DIRECT);
	partial = reg(REG_PARTIAL);

	fill(src, 0x30);
	result(enqcmds(portal, src) == 1 &&
	       device_untouched(enqueued, retried, direct, partial, last),
	       "enqcmds: a mapped BAR refuses the command (ZF=1), the device sees nothing");

	result(enqcmds(portal + 32, src) == -VEC_GP,
	       "enqcmds: a destination not 64-byte aligned raises #GP");

	for (int i = 0; i < 64; i++)
		ram_dest[i] = 0x5a;
	result(enqcmds((uintptr_t)ram_dest, src) == 1 && ram_dest[0] == 0x5a &&
	       ram_dest[63] == 0x5a,
	       "enqcmds: ordinary memory does not take the command (ZF=1) and is unchanged");

	result(wrmsr_checked(MSR_IA32_PASID, PASID_VALID | 0x12) == VEC_NONE &&
	       enqcmd(portal, src) == 1 &&
	       device_untouched(enqueued, retried, direct, partial, last),
	       "enqcmd: a mapped BAR refuses the command (ZF=1), the device sees nothing");
	wrmsr_checked(MSR_IA32_PASID, 0);
}

static void test_enqcmd(void)
{
	uintptr_t portal = bar + PORTAL;
	uint64_t pasid = 0;
	uint8_t expected[64];

	reg_write(REG_QUEUED, 0);
	fill(src, 0x40);
	for (int i = 0; i < 64; i++)
		expected[i] = src[i];

	result(wrmsr_checked(MSR_IA32_PASID, 0) == VEC_NONE &&
	       enqcmd(portal, src) == -VEC_GP && reg(REG_QUEUED) == 0,
	       "enqcmd: #GP while IA32_PASID is not valid");

	result(wrmsr_checked(MSR_IA32_PASID, PASID_VALID | 0xabcde) == VEC_NONE &&
	       (pasid = rdmsr(MSR_IA32_PASID)) == (PASID_VALID | 0xabcde),
	       "IA32_PASID: writable and readable");
	if (pasid != (PASID_VALID | 0xabcde))
		diag("IA32_PASID", pasid);

	result(wrmsr_checked(MSR_IA32_PASID, 1u << 20) == VEC_GP &&
	       rdmsr(MSR_IA32_PASID) == (PASID_VALID | 0xabcde),
	       "IA32_PASID: a reserved bit raises #GP");

	expected[0] = 0xde;
	expected[1] = 0xbc;
	expected[2] = 0x0a;
	expected[3] = 0x00;
	result(enqcmd(portal, src) == 0 && reg(REG_QUEUED) == 1 &&
	       last_equals(expected),
	       "enqcmd: the command carries the PASID of IA32_PASID, user privilege");
	wrmsr_checked(MSR_IA32_PASID, 0);
}

/* Whether the Multiboot command line has WORD (words separated by spaces). */
static bool cmdline_has(const char *word)
{
	const volatile uint32_t *mbi = (const volatile uint32_t *)(uintptr_t)mb_info;
	const char *p;

	if (!mbi || !(mbi[0] & MB_INFO_CMDLINE))
		return false;
	p = (const char *)(uintptr_t)mbi[4];
	while (*p) {
		const char *w = word;

		while (*p == ' ')
			p++;
		while (*w && *p == *w) {
			p++;
			w++;
		}
		if (!*w && (*p == ' ' || !*p))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

void test_main(void)
{
	int plan;

	mapped = cmdline_has("mapped");
	plan = mapped ? 15 : 24;
	puts_serial("KTAP version 1\n1..");
	put_dec(plan);
	putc_serial('\n');
	if (mapped)
		puts_serial("# the device's BAR is mapped host memory (vfio-pci)\n");
	test_cpuid();
	if (!find_testdev() || reg(REG_ID) != TESTDEV_ID) {
		puts_serial("Bail out! enqueue-testdev not found\n");
		failures++;
		finish();
	}
	result(reg(REG_QUEUE_DEPTH) == 2, "enqueue-testdev: found, queue depth 2");
	test_movdir64b();
	test_movdiri();
	test_partial();
	if (mapped) {
		test_enqueue_mapped();
	} else {
		test_enqcmds();
		test_enqcmd();
	}
	if (test_number != plan)
		diag("tests run", test_number);
	finish();
}
