// SPDX-License-Identifier: GPL-2.0
/*
 * PCI/IMS interrupt chip for IMS storage that is an array of slots in
 * device memory, 16 bytes each:
 *
 *	0x0	message address, low 32 bits
 *	0x4	message address, high 32 bits
 *	0x8	message data
 *	0xc	control: bit 0 mask, bit 3 PASID enable, bits 31:12 PASID
 *
 * The Intel Data Streaming Accelerator lays out its IMS like this. A slot
 * with PASID enable set raises its interrupt only for work of its PASID;
 * the instance cookie of each interrupt holds the PASID part of the
 * control word (see pci_ims_array_pasid_cookie()).
 */
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/msi.h>
#include <linux/pci.h>

#define IMS_SLOT_ADDR_LO	0x0
#define IMS_SLOT_ADDR_HI	0x4
#define IMS_SLOT_DATA		0x8
#define IMS_SLOT_CTRL		0xc

#define IMS_CTRL_COOKIE_MASK	(PCI_IMS_ARRAY_CTRL_PASID_EN | PCI_IMS_ARRAY_CTRL_PASID)

/* Called with the irq descriptor locked, interrupts off: MMIO only. */
static void ims_array_write_ctrl(struct msi_desc *desc, bool mask)
{
	u32 ctrl = desc->data.icookie.value & IMS_CTRL_COOKIE_MASK;

	if (mask)
		ctrl |= PCI_IMS_ARRAY_CTRL_MASK;
	writel(ctrl, desc->data.dcookie.iobase + IMS_SLOT_CTRL);
}

static void ims_array_mask(struct irq_data *data)
{
	ims_array_write_ctrl(irq_data_get_msi_desc(data), true);
}

static void ims_array_unmask(struct irq_data *data)
{
	ims_array_write_ctrl(irq_data_get_msi_desc(data), false);
}

static void ims_array_write_msg(struct irq_data *data, struct msi_msg *msg)
{
	void __iomem *slot = irq_data_get_msi_desc(data)->data.dcookie.iobase;

	writel(msg->address_lo, slot + IMS_SLOT_ADDR_LO);
	writel(msg->address_hi, slot + IMS_SLOT_ADDR_HI);
	writel(msg->data, slot + IMS_SLOT_DATA);
	/* Flush the posted writes before the slot can be unmasked. */
	readl(slot + IMS_SLOT_CTRL);
}

static void ims_array_prepare_desc(struct irq_domain *domain, msi_alloc_info_t *arg,
				   struct msi_desc *desc)
{
	struct msi_domain_info *info = domain->host_data;
	void __iomem *slots = (void __iomem *)info->data;

	desc->data.dcookie.iobase = slots + desc->msi_index * PCI_IMS_ARRAY_SLOT_SIZE;
	/* Masked, with the PASID of the instance, until started. */
	ims_array_write_ctrl(desc, true);
}

static void ims_array_set_desc(msi_alloc_info_t *arg, struct msi_desc *desc)
{
	arg->desc = desc;
	arg->hwirq = desc->msi_index;
}

static const struct msi_domain_template ims_array_template = {
	.chip = {
		.name			= "PCI-IMS",
		.irq_mask		= ims_array_mask,
		.irq_unmask		= ims_array_unmask,
		.irq_write_msi_msg	= ims_array_write_msg,
		.flags			= IRQCHIP_ONESHOT_SAFE,
	},

	.ops = {
		.prepare_desc		= ims_array_prepare_desc,
		.set_desc		= ims_array_set_desc,
	},

	.info = {
		.flags			= MSI_FLAG_ALLOC_SIMPLE_MSI_DESCS |
					  MSI_FLAG_FREE_MSI_DESCS,
		.bus_token		= DOMAIN_BUS_PCI_DEVICE_IMS,
	},
};

/**
 * pci_ims_array_create_domain - Create the IMS domain of a device whose IMS
 *				 is an array of 16-byte slots in device memory
 * @pdev:	The PCI device to operate on
 * @slots:	The mapped array
 * @nr_slots:	The number of slots
 *
 * The interrupts are allocated with pci_ims_alloc_irq(), whose index is
 * the slot, and whose cookie is pci_ims_array_pasid_cookie() or zero for
 * no PASID check. @slots must stay mapped until pci_remove_ims_domain().
 *
 * Return: 0 on success, an error code of pci_create_ims_domain() otherwise.
 */
int pci_ims_array_create_domain(struct pci_dev *pdev, void __iomem *slots,
				unsigned int nr_slots)
{
	return pci_create_ims_domain(pdev, &ims_array_template, nr_slots,
				     (__force void *)slots);
}
EXPORT_SYMBOL_GPL(pci_ims_array_create_domain);
