// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated DSA through the upstream idxd's user character device: WQ 0
 * of the given idxd device is configured as a dedicated user WQ and WQ 1
 * as a shared one, with plain writes to idxd's sysfs; the test opens
 * /dev/dsa/wqN.0 and /dev/dsa/wqN.1, maps their portals and submits
 * MEMMOVE, FILL and COMPARE descriptors with MOVDIR64B to the dedicated WQ
 * and with ENQCMD to the shared one. The descriptors carry process virtual
 * addresses: the device reaches them through the PASID that idxd bound to
 * this process (SVA). Results are checked byte for byte.
 *
 * usage: idxd_user_test DSA (e.g. dsa0, an idxd device with its engines
 * and WQs disabled)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define OP_MEMMOVE	3
#define OP_FILL		4
#define OP_COMPARE	5
#define F_CRAV		0x04
#define F_RCR		0x08
#define BUF_SIZE	4096

struct desc {
	uint32_t pasid_priv;
	uint32_t flags_op;
	uint64_t compl;
	uint64_t src;
	uint64_t dst;
	uint32_t size;
	uint16_t int_handle;
	uint16_t rsvd;
	uint64_t f40;
	uint64_t f48;
	uint64_t f56;
} __attribute__((aligned(64)));

struct compl {
	volatile uint8_t status;
	uint8_t result;
	uint16_t rsvd;
	uint32_t bytes;
	uint64_t fault_addr;
	uint64_t extra;
	uint64_t rsvd2;
} __attribute__((aligned(32)));

static int n, failed;
static char dsa_dir[128];

static void result(int ok, const char *name)
{
	n++;
	printf("%sok %d %s\n", ok ? "" : "not ", n, name);
	if (!ok)
		failed++;
}

/* Write @val to the idxd sysfs attribute @attr of @obj (dsaN, wqN.M...) */
static int put(const char *obj, const char *attr, const char *val)
{
	char path[256];
	ssize_t len = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s%s%s", dsa_dir, obj,
		 *obj ? "/" : "", attr);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, val, len) != len) {
		printf("# %s <- %s: %s\n", path, val, strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int dsa_bind(const char *drv, const char *obj)
{
	char path[128];
	ssize_t len = strlen(obj);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/bus/dsa/drivers/%s/bind", drv);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, obj, len) != len) {
		printf("# bind %s to %s: %s\n", obj, drv, strerror(errno));
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int configure(const char *dsa, int id)
{
	char wq[2][32], eng[32];
	int i;

	snprintf(eng, sizeof(eng), "engine%d.0", id);
	if (put(eng, "group_id", "0"))
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(wq[i], sizeof(wq[i]), "wq%d.%d", id, i);
		if (put(wq[i], "group_id", "0") ||
		    put(wq[i], "mode", i ? "shared" : "dedicated") ||
		    put(wq[i], "size", "16") ||
		    (i && put(wq[i], "threshold", "15")) ||
		    put(wq[i], "priority", "10") ||
		    put(wq[i], "type", "user") ||
		    put(wq[i], "name", "idxd_user_test") ||
		    put(wq[i], "driver_name", "user"))
			return -1;
	}
	if (dsa_bind("idxd", dsa))
		return -1;
	for (i = 0; i < 2; i++)
		if (dsa_bind("user", wq[i]))
			return -1;
	return 0;
}

static void movdir64b(volatile void *portal, const void *src)
{
	asm volatile(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
		     : : "a" (portal), "d" (src) : "memory");
}

/* Returns 0 if the WQ took the descriptor, 1 if it refused it (ZF=1) */
static int enqcmd(volatile void *portal, const void *src)
{
	uint8_t retry;

	asm volatile(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\tsetz %0"
		     : "=r" (retry) : "a" (portal), "d" (src)
		     : "memory", "cc");
	return retry;
}

/* Submit @d and wait for its completion record; returns its status */
static uint8_t submit(volatile void *portal, int shared, struct desc *d,
		      struct compl *c)
{
	int i;

	memset((void *)c, 0, sizeof(*c));
	d->compl = (uintptr_t)c;
	d->flags_op |= F_CRAV | F_RCR;
	if (shared) {
		for (i = 0; enqcmd(portal, d); i++) {
			if (i == 1000)
				return 0;
			usleep(1000);
		}
	} else {
		movdir64b(portal, d);
	}
	for (i = 0; i < 3000 && !c->status; i++)
		usleep(1000);
	return c->status;
}

static void run(const char *wq, volatile void *portal, int shared,
		uint8_t *src, uint8_t *dst, struct desc *d, struct compl *c)
{
	char name[128];
	uint8_t st;
	int i, ok;

	for (i = 0; i < BUF_SIZE; i++)
		src[i] = (uint8_t)(i * 11 + shared);

	memset(d, 0, sizeof(*d));
	memset(dst, 0, BUF_SIZE);
	d->flags_op = OP_MEMMOVE << 24;
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->size = BUF_SIZE;
	st = submit(portal, shared, d, c);
	snprintf(name, sizeof(name), "%s: MEMMOVE 4 KiB (status 0x%x)", wq, st);
	result(st == 1 && c->bytes == BUF_SIZE && !memcmp(src, dst, BUF_SIZE),
	       name);

	memset(d, 0, sizeof(*d));
	d->flags_op = OP_FILL << 24;
	d->src = 0x8877665544332211ull;
	d->dst = (uintptr_t)dst;
	d->size = BUF_SIZE - 8;
	st = submit(portal, shared, d, c);
	for (ok = 1, i = 0; i < BUF_SIZE - 8; i++)
		ok &= dst[i] == (uint8_t)(0x11 * ((i & 7) + 1));
	snprintf(name, sizeof(name), "%s: FILL (status 0x%x)", wq, st);
	result(st == 1 && ok && dst[BUF_SIZE - 8] == src[BUF_SIZE - 8], name);

	memcpy(dst, src, BUF_SIZE);
	memset(d, 0, sizeof(*d));
	d->flags_op = OP_COMPARE << 24;
	d->src = (uintptr_t)src;
	d->dst = (uintptr_t)dst;
	d->size = BUF_SIZE;
	st = submit(portal, shared, d, c);
	snprintf(name, sizeof(name), "%s: COMPARE equal (status 0x%x)", wq, st);
	result(st == 1 && c->result == 0, name);
	dst[3000] ^= 0x40;
	st = submit(portal, shared, d, c);
	snprintf(name, sizeof(name), "%s: COMPARE different at 3000", wq);
	result(st == 1 && c->result == 1 && c->bytes == 3000, name);
}

int main(int argc, char *argv[])
{
	uint8_t *mem, *src, *dst;
	struct compl *c;
	struct desc *d;
	cpu_set_t cpus;
	int id, i;

	if (argc < 2 || sscanf(argv[1], "dsa%d", &id) != 1) {
		fprintf(stderr, "usage: %s dsaN\n", argv[0]);
		return 2;
	}
	printf("KTAP version 1\n1..11\n");
	snprintf(dsa_dir, sizeof(dsa_dir), "/sys/bus/dsa/devices/%s", argv[1]);

	/*
	 * Without XSAVES the kernel does not switch IA32_PASID with the task:
	 * stay on the CPU whose MSR the first ENQCMD's #GP fix-up sets.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	result(!configure(argv[1], id),
	       "dedicated and shared user WQs configured and enabled");

	/* Buffers touched first: no page requests here, faults are final */
	mem = mmap(NULL, 4 * BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	memset(mem, 0, 4 * BUF_SIZE);
	d = (struct desc *)mem;
	c = (struct compl *)(mem + 256);
	src = mem + BUF_SIZE;
	dst = mem + 2 * BUF_SIZE;

	for (i = 0; i < 2; i++) {
		char path[64];
		void *portal;
		int fd;

		snprintf(path, sizeof(path), "/dev/dsa/wq%d.%d", id, i);
		fd = open(path, O_RDWR);
		if (fd < 0)
			printf("# open %s: %s\n", path, strerror(errno));
		portal = fd < 0 ? MAP_FAILED :
			 mmap(NULL, 4096, PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			      fd, 0);
		result(portal != MAP_FAILED, i ? "shared WQ: open and map the portal"
					       : "dedicated WQ: open and map the portal");
		if (portal == MAP_FAILED) {
			for (int k = 0; k < 4; k++)
				result(0, "no portal to submit to");
			continue;
		}
		run(i ? "shared WQ, ENQCMD" : "dedicated WQ, MOVDIR64B", portal,
		    i, src, dst, d, c);
		munmap(portal, 4096);
		close(fd);
	}
	munmap(mem, 4 * BUF_SIZE);
	printf("# Totals: pass:%d fail:%d\n", n - failed, failed);
	return failed ? 1 : 0;
}
