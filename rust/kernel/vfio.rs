// SPDX-License-Identifier: GPL-2.0

//! VFIO devices with an emulated IOMMU.
//!
//! A VFIO device is what userspace opens through `/dev/vfio/devices/vfioN` (the device cdev,
//! bound to an iommufd) or through a VFIO group and container. This module covers the devices a
//! driver emulates in software, such as mediated devices (see `kernel::mdev`): the driver decides
//! what every access to the device file means, and DMA goes through the emulated IOMMU helpers of
//! the VFIO core (`vfio_iommufd_emulated_*`), never straight to a physical IOMMU.
//!
//! A driver implements [`Operations`] for its per-device data and creates a [`Registration`].
//! The data is embedded in the C `struct vfio_device` allocation, right after it, and lives
//! exactly as long as that allocation: it is dropped by the VFIO core's `release` callback when
//! the last reference goes away, never earlier. Dropping the [`Registration`] unregisters the
//! device and waits until userspace has closed every file descriptor of it, so no callback runs
//! after that.
//!
//! # Region layout
//!
//! As in vfio-pci, the device file is split into regions by the upper bits of the file offset:
//! region `i` starts at [`region_offset`]`(i)`. [`split_offset`] decodes a file offset.
//!
//! # Covered and left for later
//!
//! Covered: open/close, `read(2)`/`write(2)` of regions, `mmap(2)`, `VFIO_DEVICE_GET_INFO`,
//! `VFIO_DEVICE_GET_REGION_INFO` (with the sparse mmap capability), `VFIO_DEVICE_GET_IRQ_INFO`,
//! `VFIO_DEVICE_SET_IRQS` (mask, unmask and trigger with no data, booleans or eventfds),
//! `VFIO_DEVICE_RESET`, other ioctls passed through, the `request` and `dma_unmap` callbacks, and
//! iommufd binding through the emulated IOMMU helpers, and DMA to and from the attached address
//! space through `vfio_dma_rw` ([`Device::dma_read`], [`Device::dma_write`]), pinning with
//! `vfio_pin_pages` ([`Device::pin_pages`], [`Device::unpin_pages`]), migration (`mig_ops`, with
//! its data files) and DMA dirty logging (`log_ops`), see [`MigrationStream`]. Left for later:
//! other `VFIO_DEVICE_FEATURE`s (`device_feature`), `VFIO_MIG_GET_PRECOPY_INFO`, device sets,
//! and access to the contents of pinned pages.
//!
//! # DMA tagged with a host PASID
//!
//! A device that hands a slice of real hardware to userspace, such as an assignable device
//! interface of a Scalable IOV device, does its DMA through the parent device with a PASID of the
//! parent. [`Registration::new_with_pasid`] registers such a device: the address space userspace
//! attaches (an iommufd IOAS or page table, or the IOAS of the container iommufd emulates) is
//! attached by iommufd to that PASID of the parent, which stays bound to its driver. The VFIO
//! device keeps a reference to the [`GlobalPasid`](crate::iommu::pasid::GlobalPasid) until it is
//! released, after iommufd has detached it. A driver may keep the PASID for a later device, for
//! example one PASID per hardware queue it hands out: iommufd refuses to attach a PASID that
//! another device still has attached.
//! Such a device has no emulated IOMMU: [`Device::dma_read`], [`Device::dma_write`] and
//! [`Device::pin_pages`] fail, and [`Operations::dma_unmap`] is never called. It cannot be used
//! with the native type1 container, which cannot translate a PASID; opening it there fails.
//!
//! C header: [`include/linux/vfio.h`](srctree/include/linux/vfio.h)

mod device;
mod dma;
mod ioctl;
mod irq;
mod migration;
mod operations;
mod region;

pub use self::device::{Device, DeviceInfo, Registration};
pub use self::dma::PinnedPages;
pub use self::irq::{IrqAction, IrqData, IrqInfo, IrqSet};
pub use self::migration::{IovaBitmap, LogRanges, MigState, MigrationFile, MigrationStream};
pub use self::operations::Operations;
pub use self::region::{region_offset, split_offset, RegionCaps, RegionInfo, REGION_INDEX_SHIFT};

/// Region and interrupt indices of a device that presents itself as a PCI device.
pub mod pci {
    use crate::bindings;

    /// Region index of BAR 0.
    pub const BAR0_REGION_INDEX: u32 = bindings::VFIO_PCI_BAR0_REGION_INDEX;
    /// Region index of BAR 1.
    pub const BAR1_REGION_INDEX: u32 = bindings::VFIO_PCI_BAR1_REGION_INDEX;
    /// Region index of BAR 2.
    pub const BAR2_REGION_INDEX: u32 = bindings::VFIO_PCI_BAR2_REGION_INDEX;
    /// Region index of the PCI configuration space.
    pub const CONFIG_REGION_INDEX: u32 = bindings::VFIO_PCI_CONFIG_REGION_INDEX;
    /// Number of regions of a PCI device (BARs, ROM, config space, VGA).
    pub const NUM_REGIONS: u32 = bindings::VFIO_PCI_NUM_REGIONS;
    /// Interrupt index of INTx.
    pub const INTX_IRQ_INDEX: u32 = bindings::VFIO_PCI_INTX_IRQ_INDEX;
    /// Interrupt index of MSI.
    pub const MSI_IRQ_INDEX: u32 = bindings::VFIO_PCI_MSI_IRQ_INDEX;
    /// Interrupt index of MSI-X.
    pub const MSIX_IRQ_INDEX: u32 = bindings::VFIO_PCI_MSIX_IRQ_INDEX;
    /// Interrupt index of the error interrupt: an uncorrectable error of the function.
    pub const ERR_IRQ_INDEX: u32 = bindings::VFIO_PCI_ERR_IRQ_INDEX;
    /// Interrupt index of the device request: the driver signals it to ask userspace to release
    /// the device (see [`Operations::request`](super::Operations::request)).
    pub const REQ_IRQ_INDEX: u32 = bindings::VFIO_PCI_REQ_IRQ_INDEX;
    /// Number of interrupt indices of a PCI device.
    pub const NUM_IRQS: u32 = bindings::VFIO_PCI_NUM_IRQS;
    /// The `device_api` string of a device presenting itself as a PCI device.
    pub const DEVICE_API: &kernel::str::CStr = c"vfio-pci";
}

/// Flags of [`DeviceInfo`], [`RegionInfo`] and [`IrqInfo`].
pub mod flags {
    use crate::bindings;

    /// The device supports `VFIO_DEVICE_RESET`.
    pub const DEVICE_RESET: u32 = bindings::VFIO_DEVICE_FLAGS_RESET;
    /// The device is a PCI device.
    pub const DEVICE_PCI: u32 = bindings::VFIO_DEVICE_FLAGS_PCI;
    /// The region can be read.
    pub const REGION_READ: u32 = bindings::VFIO_REGION_INFO_FLAG_READ;
    /// The region can be written.
    pub const REGION_WRITE: u32 = bindings::VFIO_REGION_INFO_FLAG_WRITE;
    /// The region can be mapped.
    pub const REGION_MMAP: u32 = bindings::VFIO_REGION_INFO_FLAG_MMAP;
    /// The interrupt can be signalled through an eventfd.
    pub const IRQ_EVENTFD: u32 = bindings::VFIO_IRQ_INFO_EVENTFD;
    /// The interrupt can be masked.
    pub const IRQ_MASKABLE: u32 = bindings::VFIO_IRQ_INFO_MASKABLE;
    /// The interrupt is masked automatically when it fires.
    pub const IRQ_AUTOMASKED: u32 = bindings::VFIO_IRQ_INFO_AUTOMASKED;
    /// The number of interrupts of the index cannot be changed.
    pub const IRQ_NORESIZE: u32 = bindings::VFIO_IRQ_INFO_NORESIZE;
    /// The device migrates through `STOP_COPY` (the minimum for migration).
    pub const MIGRATION_STOP_COPY: u32 = bindings::VFIO_MIGRATION_STOP_COPY;
    /// The device has the `RUNNING_P2P` state.
    pub const MIGRATION_P2P: u32 = bindings::VFIO_MIGRATION_P2P;
    /// The device has the `PRE_COPY` states.
    pub const MIGRATION_PRE_COPY: u32 = bindings::VFIO_MIGRATION_PRE_COPY;
}
