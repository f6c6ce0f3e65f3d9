/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DSA descriptors for the tests of this directory: fill one in, hand it to
 * a WQ portal (MOVDIR64B to a dedicated WQ, ENQCMD to a shared one) and
 * wait for its completion record. The layouts, opcodes and flags are the
 * kernel's (<linux/idxd.h>); addresses in a descriptor are whatever the
 * device's requests are translated from (IOVAs through VFIO, the process's
 * virtual addresses through SVA).
 */
#ifndef VDSA_DSA_DESC_H
#define VDSA_DSA_DESC_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/idxd.h>

/* How long a test waits for a completion record (or SWERR), in ms */
#define DSA_WAIT_MS	3000

static_assert(sizeof(struct dsa_hw_desc) == 64, "a descriptor is 64 bytes");
static_assert(sizeof(struct dsa_completion_record) == 32,
	      "a completion record is 32 bytes");

/*
 * The portal stores. The device reads and writes memory that the
 * descriptor only points to: the "memory" clobber makes every store the
 * program did before the submission (the descriptor, buffers, a cleared
 * completion record) happen before it, and every load after it read
 * memory again. The encodings are spelled out for assemblers without the
 * mnemonics.
 */

/*
 * MOVDIR64B @desc to @portal (64-byte aligned): one posted 64-byte write,
 * the submission to a dedicated WQ. movdir64b (%rdx), %rax.
 */
static inline void dsa_movdir64b(void *portal, const void *desc)
{
	asm volatile(".byte 0x66, 0x0f, 0x38, 0xf8, 0x02"
		     : : "a" (portal), "d" (desc) : "memory");
}

/*
 * ENQCMD @desc to @portal: the submission to a shared WQ, with the PASID
 * of IA32_PASID (the process's). Returns true if the WQ took it, false if
 * it refused it (ZF=1: full, or not an enqueue register).
 * enqcmd (%rdx), %rax.
 */
static inline bool dsa_enqcmd(void *portal, const void *desc)
{
	uint8_t refused;

	asm volatile(".byte 0xf2, 0x0f, 0x38, 0xf8, 0x02\n\tsetz %0"
		     : "=r" (refused) : "a" (portal), "d" (desc)
		     : "memory", "cc");
	return !refused;
}

/*
 * A descriptor for @opcode that asks for a completion record at the device
 * address @compl (CRAV) and for the record to be written (RCR); the rest
 * is zero.
 */
static inline void dsa_desc_init(struct dsa_hw_desc *d, uint8_t opcode,
				 uint64_t compl)
{
	memset(d, 0, sizeof(*d));
	d->opcode = opcode;
	d->flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	d->completion_addr = compl;
}

/*
 * Wait up to @ms milliseconds for the device to write the record @c (its
 * status byte, written last); returns the status, 0 if none came. The
 * rest of the record may be read once this returned non-zero.
 */
static inline uint8_t dsa_wait(const struct dsa_completion_record *c,
			       unsigned int ms)
{
	uint8_t status;

	while (!(status = __atomic_load_n(&c->status, __ATOMIC_ACQUIRE)) && ms--)
		usleep(1000);
	return status;
}

/*
 * Clear the record @c, submit @d (whose completion address is where the
 * device sees @c) to @portal, with ENQCMD if @shared (retried for a while
 * when the WQ is full) or else MOVDIR64B, and wait for the record. Returns
 * its status; 0 if the WQ kept refusing or the device did not answer.
 */
static inline uint8_t dsa_submit(void *portal, bool shared,
				 const struct dsa_hw_desc *d,
				 struct dsa_completion_record *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	if (!shared) {
		dsa_movdir64b(portal, d);
	} else {
		for (i = 0; !dsa_enqcmd(portal, d); i++) {
			if (i == 1000)
				return 0;
			usleep(1000);
		}
	}
	return dsa_wait(c, DSA_WAIT_MS);
}

#endif /* VDSA_DSA_DESC_H */
