// SPDX-License-Identifier: GPL-2.0

#include <linux/dmaengine.h>

#ifdef CONFIG_DMA_ENGINE
#include "../../drivers/dma/dmaengine.h"

/*
 * The fields of a dma_device that a memcpy provider sets before
 * dma_async_device_register(), and its empty channel list.
 */
__rust_helper void rust_helper_dma_device_init(struct dma_device *dma, struct device *dev,
					       bool private, enum dmaengine_alignment copy_align)
{
	INIT_LIST_HEAD(&dma->channels);
	dma->dev = dev;
	dma_cap_zero(dma->cap_mask);
	dma_cap_set(DMA_MEMCPY, dma->cap_mask);
	dma_cap_set(DMA_COMPLETION_NO_ORDER, dma->cap_mask);
	if (private)
		dma_cap_set(DMA_PRIVATE, dma->cap_mask);
	dma->copy_align = copy_align;
	dma->directions = BIT(DMA_MEM_TO_MEM);
}

/* Adds @chan to the channels of @dma, before the device is registered. */
__rust_helper void rust_helper_dma_chan_add(struct dma_device *dma, struct dma_chan *chan)
{
	chan->device = dma;
	list_add_tail(&chan->device_node, &dma->channels);
}

/*
 * Readies @tx, a descriptor slot of @chan, for a client: no cookie, no
 * callback, no unmap data, @flags from the client.
 */
__rust_helper void rust_helper_dma_txd_prepare(struct dma_async_tx_descriptor *tx,
					       struct dma_chan *chan, unsigned long flags,
					       dma_cookie_t (*submit)(struct dma_async_tx_descriptor *))
{
	dma_async_tx_descriptor_init(tx, chan);
	tx->tx_submit = submit;
	tx->flags = flags;
	tx->cookie = -EBUSY;
	tx->callback = NULL;
	tx->callback_result = NULL;
	tx->callback_param = NULL;
	tx->unmap = NULL;
}

__rust_helper dma_cookie_t rust_helper_dma_cookie_assign(struct dma_async_tx_descriptor *tx)
{
	return dma_cookie_assign(tx);
}

__rust_helper void rust_helper_dma_cookie_init(struct dma_chan *chan)
{
	dma_cookie_init(chan);
}

__rust_helper void rust_helper_dma_cookie_complete(struct dma_async_tx_descriptor *tx)
{
	dma_cookie_complete(tx);
}

__rust_helper void rust_helper_dma_descriptor_unmap(struct dma_async_tx_descriptor *tx)
{
	dma_descriptor_unmap(tx);
}

#endif /* CONFIG_DMA_ENGINE */
