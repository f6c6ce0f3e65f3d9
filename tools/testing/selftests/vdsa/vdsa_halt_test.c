// SPDX-License-Identifier: GPL-2.0
/*
 * Device halts while vDSAs and the host work: two vDSAs (each in a child
 * process, opened through its VFIO cdev and iommufd) copy through their
 * portals and verify every copy, and a third child runs the host's verified
 * jobs on its dedicated WQ, while the test halts the DSA again and again,
 * alternating the reset type the halt asks for (the reset device command,
 * a function level reset).
 *
 * The halt is a fatal error injected through the emulated DSA's test-only
 * register (QEMU's intel-dsa with x-fault-inject=on: BAR 0 + 0xf000, mapped
 * through sysfs). For each halt: the driver counts it and recovers (debugfs
 * `halts`, `recoveries`); each vDSA's user sees it as a guest's driver
 * does (GENSTS halted with a software reset type, INTCAUSE.halt_state,
 * MSI-X vector 0, and the error eventfd), resets the device with the reset
 * device command, enables it and its WQ again and copies again, verified;
 * the host's jobs succeed again. A last round halts the device again right
 * after the reset of a first halt, during its recovery: the driver must
 * notice and recover again.
 *
 * usage: vdsa_halt_test BDF [HALTS]
 *   HALTS: rounds of one halt (default 4), before the round of two
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include "vdsa_dev.h"

#define FAULT_INJECT		0xf000
#define FAULT_INJECT_HALT	1u
#define RESET_SOFTWARE		0
#define RESET_FLR		1
#define GENSTS_HALTED		3
/* Copies each vDSA makes before a halt and after its recovery. */
#define COPIES			3
#define ROUND_TIMEOUT_S		60

struct user {
	volatile long copies, bad, halts_seen, noticed_bad, reset_bad, after;
};

/* Shared with the children. */
struct shared {
	volatile int stop;
	struct user user[2];
	/* The last halt the driver recovered from, as the parent saw it. */
	volatile long recovered;
	/*
	 * The halts after which everything was seen working again, until the
	 * next injection (-1 while one is under way): a host job that fails
	 * within such a quiet period is a failure.
	 */
	volatile long quiet;
	volatile long host_ok, host_failed, host_bad, host_ok_after;
};

static struct shared *sh;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int verified_copy(struct vdsa *v, unsigned int seed)
{
	pattern(page(v, SRC_PAGE), PAGE, seed);
	memset(page(v, DST_PAGE), 0, PAGE);
	return memmove_iova(v, IOVA(SRC_PAGE), IOVA(DST_PAGE), PAGE) == DSA_COMP_SUCCESS &&
	       !memcmp(page(v, SRC_PAGE), page(v, DST_PAGE), PAGE);
}

/*
 * A copy failed: the device must have halted. Check what the guest sees,
 * then reset and enable it as a guest's driver would.
 */
static void recover_user(struct vdsa *v, struct user *u, int ev0, int everr, int idx)
{
	long long deadline = now_ms() + 10000;
	uint32_t sts, cause;

	do {
		sts = bar0_read32(v->fd, R_GENSTS);
		if ((sts & 3) == GENSTS_HALTED)
			break;
		usleep(10000);
	} while (now_ms() < deadline);
	if ((sts & 3) != GENSTS_HALTED) {
		/* A copy failed without a halt. */
		u->bad++;
		return;
	}
	u->halts_seen++;
	cause = bar0_read32(v->fd, R_INTCAUSE);
	if (((sts >> 2) & 3) != RESET_SOFTWARE || !(cause & INTCAUSE_HALT) ||
	    !fired(ev0, 2000) || !fired(everr, 2000)) {
		printf("# vDSA %d: GENSTS %#x INTCAUSE %#x: the halt was not shown\n", idx, sts,
		       cause);
		u->noticed_bad++;
	}
	bar0_write32(v->fd, R_INTCAUSE, cause);
	if (vdsa_cmd(v->fd, C_RESET_DEVICE, 0, 0) || bar0_read32(v->fd, R_GENSTS) ||
	    bar0_write32(v->fd, R_GENCTRL, GENCTRL_SOFTERR | GENCTRL_HALT) ||
	    vdsa_enable(v->fd)) {
		printf("# vDSA %d: reset and enable failed\n", idx);
		u->reset_bad++;
	}
	/* Whatever else the halt raised. */
	fired(ev0, 0);
	u->after = 0;
}

static void user(const char *uuid, int idx)
{
	struct user *u = &sh->user[idx];
	int ev0, everr;
	unsigned int i;
	struct vdsa v;

	ev0 = eventfd(0, EFD_NONBLOCK);
	everr = eventfd(0, EFD_NONBLOCK);
	if (cdev_open(uuid, &v, 1) ||
	    vfio_set_eventfds(v.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &ev0) ||
	    vfio_set_eventfds(v.fd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &everr) ||
	    bar0_write32(v.fd, R_GENCTRL, GENCTRL_SOFTERR | GENCTRL_HALT)) {
		printf("# vDSA %d: open failed\n", idx);
		u->bad++;
		return;
	}
	for (i = 0; !sh->stop; i++) {
		if (verified_copy(&v, i)) {
			u->copies++;
			u->after++;
		} else {
			recover_user(&v, u, ev0, everr, idx);
		}
	}
	vdsa_close(&v);
	close(ev0);
	close(everr);
}

/* The host's dedicated WQ: verified jobs until told to stop. */
static void host(void)
{
	char path[300];
	long since;
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/kernel/debug/idxd_vdcm-%s/submit", bdf);
	while (!sh->stop) {
		long quiet = sh->quiet;

		since = sh->recovered;
		fd = open(path, O_WRONLY);
		ok = fd >= 0 && write(fd, "memmove dwq 4096 20", 19) == 19;
		if (fd >= 0)
			close(fd);
		if (ok) {
			sh->host_ok++;
			if (since > sh->host_ok_after)
				sh->host_ok_after = since;
		} else if (quiet >= 0 && sh->quiet == quiet) {
			sh->host_bad++;
		} else {
			/* Lost in a halt; counted, not a failure. */
			sh->host_failed++;
			usleep(10000);
		}
	}
}

/* Waits until @cond holds, at most @s seconds. */
#define WAIT_FOR(cond, s) ({						\
	long long _end = now_ms() + (s) * 1000LL;			\
	while (!(cond) && now_ms() < _end)				\
		usleep(10000);						\
	(cond);								\
})

/* Both users copy, after seeing a halt since @seen (NULL: any or none). */
static int users_copy_after(const long *seen)
{
	int i;

	for (i = 0; i < 2; i++)
		if ((seen && sh->user[i].halts_seen <= seen[i]) || sh->user[i].after < COPIES)
			return 0;
	return 1;
}

static int users_sound(void)
{
	int i;

	if (sh->host_bad)
		return 0;
	for (i = 0; i < 2; i++)
		if (sh->user[i].bad || sh->user[i].noticed_bad || sh->user[i].reset_bad)
			return 0;
	return 1;
}

/* The page of the physical BAR 0 at @off, through sysfs. */
static volatile uint32_t *map_bar0(unsigned long off)
{
	char path[300];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int config_has(const char *line)
{
	char buf[4096];

	return !read_str(debugfs, buf, sizeof(buf)) && strstr(buf, line);
}

int main(int argc, char **argv)
{
	long halts = argc > 2 ? atol(argv[2]) : 4, rounds, injected = 0, survived = 0, r;
	volatile uint32_t *inject, *regs;
	long long h0, r0, recovered;
	char uuid[2][64];
	long seen[2];
	pid_t kids[3];
	int i, ok;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [HALTS]\n", argv[0]);
		return 2;
	}
	rounds = halts + 1;
	select_dsa(argv[1]);
	printf("TAP version 13\n");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	inject = map_bar0(FAULT_INJECT);
	regs = map_bar0(0);
	h0 = config_value("halts");
	r0 = config_value("recoveries");
	for (i = 0; i < 2; i++)
		make_uuid(uuid[i], 0x9000 + i);
	if (!result(sh != MAP_FAILED && inject && regs && h0 >= 0 && r0 >= 0 &&
		    !mdev_create(uuid[0]) && !mdev_create(uuid[1]),
		    "create vDSAs A and B, map the fault injection register of %s", bdf))
		return 1;
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (!kids[i]) {
			user(uuid[i], i);
			_exit(0);
		}
	}
	kids[2] = fork();
	if (!kids[2]) {
		host();
		_exit(0);
	}

	for (r = 1; r <= rounds; r++) {
		/* The last round: a second halt during the recovery of the first */
		int twice = r == rounds;
		int type = !twice && r % 2 == 0 ? RESET_FLR : RESET_SOFTWARE;
		const char *name = twice ? "twice, the second during the recovery" :
				   type == RESET_FLR ? "FLR" : "reset device";

		if (!WAIT_FOR(users_copy_after(NULL) && sh->host_ok_after >= r - 1,
			      ROUND_TIMEOUT_S) || !users_sound()) {
			result(0, "round %ld: A, B and the host work before it", r);
			break;
		}
		for (i = 0; i < 2; i++)
			seen[i] = sh->user[i].halts_seen;
		recovered = config_value("recoveries");
		sh->quiet = -1;
		*inject = FAULT_INJECT_HALT | type << 2;
		injected++;
		if (twice) {
			/*
			 * As soon as the reset took the device out of the
			 * halt (the driver's interrupt thread preempts this).
			 */
			long long end = now_ms() + 10000;

			while ((regs[0x90 / 4] & 3) == GENSTS_HALTED && now_ms() < end)
				;
			*inject = FAULT_INJECT_HALT | RESET_SOFTWARE << 2;
			injected++;
		}
		ok = WAIT_FOR(config_value("halts") == h0 + injected, 10);
		if (!ok)
			diag("round %ld: the driver saw %lld halts of %ld (is intel-dsa's x-fault-inject on?)",
			     r, config_value("halts") - h0, injected);
		ok = ok && WAIT_FOR(config_has("halted false") &&
				    config_value("recoveries") > recovered, ROUND_TIMEOUT_S);
		sh->recovered = r;
		ok = ok && WAIT_FOR(users_copy_after(seen) && sh->host_ok_after >= r, ROUND_TIMEOUT_S);
		ok = ok && users_sound();
		for (i = 0; i < 2; i++)
			diag("round %ld: vDSA %c: %ld halts seen, %ld copies after, %ld bad, %ld not shown, %ld resets failed",
			     r, 'A' + i, sh->user[i].halts_seen, sh->user[i].after, sh->user[i].bad,
			     sh->user[i].noticed_bad, sh->user[i].reset_bad);
		if (!result(ok, "round %ld, halted %s: the driver recovered, A and B saw the halt, reset and copy again, the host copies again",
			    r, name))
			break;
		sh->quiet = r;
		survived += twice ? 2 : 1;
	}
	sh->stop = 1;
	for (i = 0; i < 3; i++)
		waitpid(kids[i], NULL, 0);
	diag("faults injected %ld, survived %ld; halts %lld, recoveries %lld", injected, survived,
	     config_value("halts") - h0, config_value("recoveries") - r0);
	diag("vDSA A %ld verified copies, vDSA B %ld; host %ld jobs of 20 verified copies, %ld lost in halts, %ld failed outside them",
	     sh->user[0].copies, sh->user[1].copies, sh->host_ok, sh->host_failed, sh->host_bad);
	result(injected == halts + 2 && survived == injected,
	       "faults injected %ld, survived %ld", injected, survived);
	/* A recovery that the second halt of the last round interrupted counts once */
	result(config_value("halts") == h0 + injected &&
	       config_value("recoveries") >= r0 + injected - 1 &&
	       config_value("recoveries") <= r0 + injected && config_has("halted false"),
	       "debugfs: %ld halts, as many recoveries (one less if a recovery was interrupted), not halted",
	       injected);
	result(users_sound(), "no copy or host job failed but in a halt, every halt shown and reset");
	result(!mdev_remove(uuid[0]) && !mdev_remove(uuid[1]) && !mdev_exists(uuid[0]),
	       "remove both");
	return ktap_finish();
}
