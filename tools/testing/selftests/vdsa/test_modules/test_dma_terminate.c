// SPDX-License-Identifier: GPL-2.0
/*
 * A dmaengine client that gives up copies in flight: dmaengine_terminate_*()
 * and dmaengine_synchronize() on a DMA_MEMCPY channel while the device still
 * has descriptors, which dmatest never does (it terminates only an idle
 * channel).
 *
 * Loaded with channel=NAME, it takes that channel, runs the cases below at
 * load time and prints one KTAP line for each to the kernel log; the load
 * fails with -EIO if a case failed, so modprobe's status is the verdict.
 *
 * 1. terminate_sync with copies in flight: of the copies submitted, those
 *    whose callback ran before the terminate verify; no callback runs after
 *    it; the device writes no buffer after it. Repeated until a terminate
 *    found copies in flight (attempts=).
 * 2. The channel works after it: as many descriptors as before can be
 *    prepared, and their copies all complete and verify.
 * 3. terminate_async from a copy's callback, then synchronize from process
 *    context: no callback after the synchronize, the channel works after.
 * 4. Prepared descriptors that were never submitted are given back by the
 *    terminate: the same number can be prepared again.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/module.h>
#include <linux/slab.h>

#define MAX_COPIES	64
#define CASES		4

static char *channel;
module_param(channel, charp, 0444);
MODULE_PARM_DESC(channel, "The channel to test (dmaXchanY)");

static unsigned int len = 65536;
module_param(len, uint, 0444);
MODULE_PARM_DESC(len, "Bytes per copy (halved down to 4 KiB while prep refuses)");

static unsigned int attempts = 20;
module_param(attempts, uint, 0444);
MODULE_PARM_DESC(attempts, "Tries to find copies in flight at a terminate");

struct copy;

struct run {
	struct dma_chan *chan;
	struct device *dev;
	struct copy *copies;
	unsigned int n;			/* copies prepared at most */
	size_t len;
	atomic_t callbacks;
	atomic_t errors;
	/* Case 3: the callback that terminates, and its wake-up. */
	bool terminate_in_callback;
	struct completion first;
	/* All submitted copies called back. */
	atomic_t pending;
	struct completion all;
};

struct copy {
	struct run *run;
	void *src, *dst;
	dma_addr_t src_dma, dst_dma;
	bool done;
	u8 fill;
};

static void copy_done(void *arg, const struct dmaengine_result *res)
{
	struct copy *c = arg;
	struct run *r = c->run;

	if (res->result == DMA_TRANS_NOERROR)
		WRITE_ONCE(c->done, true);
	else
		atomic_inc(&r->errors);
	atomic_inc(&r->callbacks);
	if (r->terminate_in_callback) {
		r->terminate_in_callback = false;
		dmaengine_terminate_async(r->chan);
		complete(&r->first);
	}
	if (atomic_dec_and_test(&r->pending))
		complete(&r->all);
}

/* Fills each copy's source with a byte of its own and poisons its destination. */
static void fill(struct run *r, u8 seed)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		struct copy *c = &r->copies[i];

		c->fill = seed + i;
		c->done = false;
		memset(c->src, c->fill, r->len);
		memset(c->dst, 0x5a, r->len);
		dma_sync_single_for_device(r->dev, c->src_dma, r->len, DMA_TO_DEVICE);
		dma_sync_single_for_device(r->dev, c->dst_dma, r->len, DMA_BIDIRECTIONAL);
	}
	atomic_set(&r->callbacks, 0);
	atomic_set(&r->errors, 0);
}

static bool bytes_are(struct run *r, struct copy *c, u8 b)
{
	dma_sync_single_for_cpu(r->dev, c->dst_dma, r->len, DMA_BIDIRECTIONAL);
	return !memchr_inv(c->dst, b, r->len);
}

/*
 * Prepares up to @max copies (all the channel gives when @max is r->n) and
 * submits them unless @submit is false; returns how many, or -errno.
 */
static int prep_copies(struct run *r, unsigned int max, bool submit)
{
	unsigned int i;

	atomic_set(&r->pending, 1);
	reinit_completion(&r->all);
	for (i = 0; i < max; i++) {
		struct copy *c = &r->copies[i];
		struct dma_async_tx_descriptor *tx;
		dma_cookie_t cookie;

		tx = dmaengine_prep_dma_memcpy(r->chan, c->dst_dma, c->src_dma, r->len,
					       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		if (!tx)
			break;
		if (!submit)
			continue;
		tx->callback_result = copy_done;
		tx->callback_param = c;
		atomic_inc(&r->pending);
		cookie = dmaengine_submit(tx);
		if (dma_submit_error(cookie)) {
			atomic_dec(&r->pending);
			pr_err("# tx_submit failed: %d\n", cookie);
			return cookie;
		}
	}
	if (submit)
		dma_async_issue_pending(r->chan);
	return i;
}

/* Waits for every submitted copy's callback. */
static bool wait_all(struct run *r)
{
	if (!atomic_dec_and_test(&r->pending) &&
	    !wait_for_completion_timeout(&r->all, msecs_to_jiffies(10000))) {
		pr_err("# %d copies not called back in 10 s\n", atomic_read(&r->pending));
		return false;
	}
	return true;
}

/*
 * After a terminate and synchronize: no callback comes any more, the copies
 * called back verify, the others' destinations are left alone. Poisons them
 * again and looks a while later: the device must no longer write them.
 */
static bool settled(struct run *r, unsigned int submitted, int called)
{
	unsigned int i, done = 0;

	for (i = 0; i < submitted; i++) {
		struct copy *c = &r->copies[i];

		if (!READ_ONCE(c->done))
			continue;
		done++;
		if (!bytes_are(r, c, c->fill)) {
			pr_err("# copy %u called back done, its bytes are wrong\n", i);
			return false;
		}
	}
	if (done != called || atomic_read(&r->errors)) {
		pr_err("# %d callbacks, %u done, %d errors\n", called, done,
		       atomic_read(&r->errors));
		return false;
	}
	for (i = 0; i < submitted; i++) {
		memset(r->copies[i].dst, 0x5a, r->len);
		dma_sync_single_for_device(r->dev, r->copies[i].dst_dma, r->len,
					   DMA_BIDIRECTIONAL);
	}
	msleep(100);
	if (atomic_read(&r->callbacks) != called) {
		pr_err("# %d callbacks after the synchronize\n",
		       atomic_read(&r->callbacks) - called);
		return false;
	}
	for (i = 0; i < submitted; i++) {
		if (!bytes_are(r, &r->copies[i], 0x5a)) {
			pr_err("# copy %u written after the synchronize\n", i);
			return false;
		}
	}
	return true;
}

static bool case_terminate_sync(struct run *r, char *what, size_t size)
{
	unsigned int a;

	for (a = 1; a <= attempts; a++) {
		int n, called, ret;

		fill(r, a);
		n = prep_copies(r, r->n, true);
		if (n <= 0)
			return false;
		ret = dmaengine_terminate_sync(r->chan);
		called = atomic_read(&r->callbacks);
		if (ret) {
			pr_err("# terminate_sync: %d\n", ret);
			return false;
		}
		if (!settled(r, n, called))
			return false;
		if (called < n) {
			snprintf(what, size,
				 "terminate_sync with %d of %d copies in flight (attempt %u)",
				 n - called, n, a);
			return true;
		}
	}
	snprintf(what, size, "terminate_sync: no copy in flight in %u attempts", attempts);
	return false;
}

static bool case_works_after(struct run *r, char *what, size_t size)
{
	unsigned int i;
	int n;

	fill(r, 0x80);
	n = prep_copies(r, r->n, true);
	snprintf(what, size, "after it, %d of %u copies prepared, all verify", n, r->n);
	if (n != r->n || !wait_all(r))
		return false;
	for (i = 0; i < r->n; i++)
		if (!r->copies[i].done || !bytes_are(r, &r->copies[i], r->copies[i].fill))
			return false;
	return !atomic_read(&r->errors);
}

static bool case_terminate_in_callback(struct run *r, char *what, size_t size)
{
	int n, called;

	fill(r, 0x40);
	reinit_completion(&r->first);
	r->terminate_in_callback = true;
	n = prep_copies(r, r->n, true);
	if (n <= 0)
		return false;
	if (!wait_for_completion_timeout(&r->first, msecs_to_jiffies(10000))) {
		pr_err("# no callback in 10 s\n");
		return false;
	}
	dmaengine_synchronize(r->chan);
	called = atomic_read(&r->callbacks);
	snprintf(what, size,
		 "terminate_async in a callback, synchronize: %d of %d copies called back; ",
		 called, n);
	if (!settled(r, n, called))
		return false;
	if (!case_works_after(r, what + strlen(what), size - strlen(what))) {
		pr_err("# the channel does not work after it\n");
		return false;
	}
	return true;
}

static bool case_prepared_given_back(struct run *r, char *what, size_t size)
{
	int n1, n2;

	n1 = prep_copies(r, r->n, false);
	if (dmaengine_terminate_sync(r->chan))
		return false;
	n2 = prep_copies(r, r->n, false);
	if (dmaengine_terminate_sync(r->chan))
		return false;
	snprintf(what, size, "prepared, not submitted: %d, after terminate_sync %d again",
		 n1, n2);
	return n1 == r->n && n2 == r->n;
}

static bool by_name(struct dma_chan *chan, void *name)
{
	return !strcmp(dma_chan_name(chan), name);
}

static void unmap_free(struct run *r)
{
	unsigned int i;

	for (i = 0; i < MAX_COPIES; i++) {
		struct copy *c = &r->copies[i];

		if (c->src_dma)
			dma_unmap_single(r->dev, c->src_dma, r->len, DMA_TO_DEVICE);
		if (c->dst_dma)
			dma_unmap_single(r->dev, c->dst_dma, r->len, DMA_BIDIRECTIONAL);
		kfree(c->src);
		kfree(c->dst);
	}
	kfree(r->copies);
}

static int map_alloc(struct run *r)
{
	unsigned int i;

	r->copies = kcalloc(MAX_COPIES, sizeof(*r->copies), GFP_KERNEL);
	if (!r->copies)
		return -ENOMEM;
	for (i = 0; i < MAX_COPIES; i++) {
		struct copy *c = &r->copies[i];

		c->run = r;
		c->src = kmalloc(r->len, GFP_KERNEL);
		c->dst = kmalloc(r->len, GFP_KERNEL);
		if (!c->src || !c->dst)
			return -ENOMEM;
		c->src_dma = dma_map_single(r->dev, c->src, r->len, DMA_TO_DEVICE);
		if (dma_mapping_error(r->dev, c->src_dma)) {
			c->src_dma = 0;
			return -ENOMEM;
		}
		c->dst_dma = dma_map_single(r->dev, c->dst, r->len, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(r->dev, c->dst_dma)) {
			c->dst_dma = 0;
			return -ENOMEM;
		}
	}
	return 0;
}

/* The largest copy prep takes, from len= down to 4 KiB; 0 if none. */
static size_t copy_len(struct dma_chan *chan)
{
	size_t l;

	for (l = len; l >= 4096; l /= 2) {
		struct dma_async_tx_descriptor *tx;

		/* Only lengths are checked: nothing is submitted. */
		tx = dmaengine_prep_dma_memcpy(chan, 0, 0, l, DMA_CTRL_ACK);
		if (tx) {
			dmaengine_terminate_sync(chan);
			return l;
		}
	}
	return 0;
}

static int __init test_dma_terminate_init(void)
{
	static bool (*const cases[CASES])(struct run *, char *, size_t) = {
		case_terminate_sync, case_works_after,
		case_terminate_in_callback, case_prepared_given_back,
	};
	struct run r = {};
	char what[160];
	dma_cap_mask_t mask;
	unsigned int i, failed = 0;
	int ret;

	if (!channel)
		return -EINVAL;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	r.chan = dma_request_channel(mask, by_name, channel);
	if (!r.chan) {
		pr_err("no DMA_MEMCPY channel %s\n", channel);
		return -ENODEV;
	}
	r.dev = r.chan->device->dev;
	init_completion(&r.first);
	init_completion(&r.all);

	r.len = copy_len(r.chan);
	ret = r.len ? map_alloc(&r) : -EINVAL;
	if (ret)
		goto out;
	/* As many copies as the channel prepares at once. */
	r.n = MAX_COPIES;
	r.n = prep_copies(&r, MAX_COPIES, false);
	dmaengine_terminate_sync(r.chan);
	pr_info("# %s: %u copies of %zu bytes at once\n", channel, r.n, r.len);
	if (!r.n) {
		ret = -EINVAL;
		goto out;
	}

	pr_info("1..%d\n", CASES);
	for (i = 0; i < CASES; i++) {
		bool ok;

		what[0] = 0;
		ok = cases[i](&r, what, sizeof(what));
		/* Whatever a case left behind is done before the next. */
		dmaengine_terminate_sync(r.chan);
		pr_info("%s %u %s: %s\n", ok ? "ok" : "not ok", i + 1, channel, what);
		failed += !ok;
	}
	ret = failed ? -EIO : 0;
out:
	if (r.copies)
		unmap_free(&r);
	dma_release_channel(r.chan);
	return ret;
}
module_init(test_dma_terminate_init);

static void __exit test_dma_terminate_exit(void)
{
}
module_exit(test_dma_terminate_exit);

MODULE_DESCRIPTION("dmaengine client test: terminate and synchronize with copies in flight");
MODULE_LICENSE("GPL");
