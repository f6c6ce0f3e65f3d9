// SPDX-License-Identifier: GPL-2.0

//! The operations a driver implements, and the table of C callbacks that calls them.

use super::{
    Device, DeviceInfo, IovaBitmap, IrqInfo, IrqSet, LogRanges, MigState, MigrationFile,
    RegionCaps, RegionInfo,
};
use crate::{
    bindings,
    error::VTABLE_DEFAULT_ERROR,
    mm::virt::VmaNew,
    prelude::*,
    uaccess::{UserSliceReader, UserSliceWriter},
};
use core::marker::PhantomData;

/// The operations of an emulated VFIO device.
///
/// Every method receives the [`Device`], which dereferences to the driver's data. The VFIO core
/// serialises `open` and `close`; the other methods may run concurrently with each other, so the
/// data protects its mutable state with its own locks.
#[vtable]
pub trait Operations: Send + Sync + Sized + 'static {
    /// Called when the first file descriptor for the device is opened.
    fn open(_dev: &Device<Self>) -> Result {
        Ok(())
    }

    /// Called when the last file descriptor for the device is closed.
    fn close(_dev: &Device<Self>) {}

    /// Reads from the device file at offset `pos` into `buf`; returns the number of bytes read.
    fn read(_dev: &Device<Self>, _buf: &mut UserSliceWriter, _pos: u64) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes `buf` to the device file at offset `pos`; returns the number of bytes written.
    fn write(_dev: &Device<Self>, _buf: &mut UserSliceReader, _pos: u64) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Reads the `size` bytes at offset `pos` of the device file as one value, `size` being 1,
    /// 2, 4 or 8: byte `i` of the file is bits `8 * i` to `8 * i + 7` of the value.
    ///
    /// A driver that implements it gets every `read(2)` of one of those sizes here instead of in
    /// [`Operations::read`]: one `put_user()` of the value hands it to userspace, where `read`
    /// copies through a [`UserSliceWriter`] and `copy_to_user()`. Those are the sizes of the
    /// register accesses a VMM forwards, for which the general copy is a large part of the call.
    fn read_value(_dev: &Device<Self>, _pos: u64, _size: usize) -> Result<u64> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes the low `size` bytes of `value` at offset `pos` of the device file, `size` being
    /// 1, 2, 4 or 8, with the byte order of [`Operations::read_value`].
    ///
    /// As `read_value` for `read`: with it, `write(2)`s of those sizes come here, the value
    /// fetched with one `get_user()`, instead of to [`Operations::write`].
    fn write_value(_dev: &Device<Self>, _pos: u64, _size: usize, _value: u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Maps the device file at offset `pos` (page aligned) into `vma`.
    fn mmap(_dev: &Device<Self>, _vma: &VmaNew, _pos: u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns what `VFIO_DEVICE_GET_INFO` reports.
    fn info(dev: &Device<Self>) -> DeviceInfo;

    /// Returns what `VFIO_DEVICE_GET_REGION_INFO` reports for region `index`; capabilities are
    /// added to `caps`.
    fn region_info(
        _dev: &Device<Self>,
        _index: u32,
        _caps: &mut RegionCaps<'_>,
    ) -> Result<RegionInfo> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns what `VFIO_DEVICE_GET_IRQ_INFO` reports for interrupt index `index`.
    fn irq_info(_dev: &Device<Self>, _index: u32) -> Result<IrqInfo> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Carries out a `VFIO_DEVICE_SET_IRQS` request, already validated against
    /// [`Operations::info`] and [`Operations::irq_info`].
    fn set_irqs(_dev: &Device<Self>, _set: IrqSet) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Resets the device (`VFIO_DEVICE_RESET`).
    fn reset(_dev: &Device<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Handles any other ioctl on the device file.
    fn ioctl(_dev: &Device<Self>, _cmd: u32, _arg: usize) -> Result<isize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called while the device is being unregistered and still has users: the driver should ask
    /// them to release the device. `count` counts the calls.
    fn request(_dev: &Device<Self>, _count: u32) {}

    /// Called when userspace unmaps the IOVA range `[iova, iova + length)`: the driver must drop
    /// every pin and mapping it holds in that range.
    fn dma_unmap(_dev: &Device<Self>, _iova: u64, _length: u64) {}

    /// The migration features of the device (`flags::MIGRATION_*`), `MIGRATION_STOP_COPY` at
    /// least if it implements the migration operations; none if it does not (see the module
    /// `migration`).
    const MIGRATION_FLAGS: u32 = 0;

    /// Moves the device to migration state `new`, which may be any state: a driver walks to it
    /// one arc at a time with [`Device::next_migration_state`]. Returns the data file of the
    /// state it arrives at if that state transfers data (`STOP_COPY`, `RESUMING`, `PRE_COPY`).
    ///
    /// On an error the device stays in the state it was in, or goes to [`MigState::Error`].
    fn migration_set_state(_dev: &Device<Self>, _new: MigState) -> Result<Option<MigrationFile>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns the device's migration state.
    fn migration_get_state(_dev: &Device<Self>) -> Result<MigState> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Returns an estimate of the bytes the device state takes in `STOP_COPY`.
    fn migration_data_size(_dev: &Device<Self>) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Starts logging the pages that the device's DMA dirties in `ranges`, in pages of
    /// `page_size` bytes, which the driver may change to the size it logs in.
    fn log_start(_dev: &Device<Self>, _ranges: &LogRanges<'_>, _page_size: &mut u64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Stops logging dirty pages.
    fn log_stop(_dev: &Device<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Marks in `dirty` the pages of `[iova, iova + length)` dirtied since the last report, and
    /// clears them in the device's log.
    fn log_read_and_clear(
        _dev: &Device<Self>,
        _iova: u64,
        _length: u64,
        _dirty: &mut IovaBitmap<'_>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `vfio_device_ops` of a `Device<T>`.
///
/// The callbacks sit beside what they serve: the device's life in `device.rs`, the region
/// accesses in `region.rs`, the ioctls in `ioctl.rs` and `irq.rs`, `dma_unmap` in `dma.rs`, the
/// migration and DMA logging operations in `migration.rs`.
pub(super) struct VTable<T: Operations>(PhantomData<T>);

impl<T: Operations> VTable<T> {
    const OPS: bindings::vfio_device_ops = bindings::vfio_device_ops {
        release: Some(Self::release),
        #[cfg(CONFIG_IOMMUFD)]
        bind_iommufd: Some(bindings::vfio_iommufd_emulated_bind),
        #[cfg(CONFIG_IOMMUFD)]
        unbind_iommufd: Some(bindings::vfio_iommufd_emulated_unbind),
        #[cfg(CONFIG_IOMMUFD)]
        attach_ioas: Some(bindings::vfio_iommufd_emulated_attach_ioas),
        #[cfg(CONFIG_IOMMUFD)]
        detach_ioas: Some(bindings::vfio_iommufd_emulated_detach_ioas),
        open_device: Some(Self::open_device),
        close_device: Some(Self::close_device),
        read: if T::HAS_READ || T::HAS_READ_VALUE {
            Some(Self::read)
        } else {
            None
        },
        write: if T::HAS_WRITE || T::HAS_WRITE_VALUE {
            Some(Self::write)
        } else {
            None
        },
        ioctl: Some(Self::ioctl),
        get_region_info_caps: if T::HAS_REGION_INFO {
            Some(Self::get_region_info_caps)
        } else {
            None
        },
        mmap: if T::HAS_MMAP { Some(Self::mmap) } else { None },
        request: if T::HAS_REQUEST {
            Some(Self::request)
        } else {
            None
        },
        dma_unmap: if T::HAS_DMA_UNMAP {
            Some(Self::dma_unmap)
        } else {
            None
        },
        ..pin_init::zeroed()
    };

    /// The operations of a device whose DMA is tagged with a host PASID: iommufd binds the
    /// PASID of the parent and attaches the address space to it, as for a physical device.
    const PASID_OPS: bindings::vfio_device_ops = bindings::vfio_device_ops {
        #[cfg(CONFIG_IOMMUFD)]
        bind_iommufd: Some(bindings::vfio_iommufd_pasid_bind),
        #[cfg(CONFIG_IOMMUFD)]
        unbind_iommufd: Some(bindings::vfio_iommufd_physical_unbind),
        #[cfg(CONFIG_IOMMUFD)]
        attach_ioas: Some(bindings::vfio_iommufd_physical_attach_ioas),
        #[cfg(CONFIG_IOMMUFD)]
        detach_ioas: Some(bindings::vfio_iommufd_physical_detach_ioas),
        dma_unmap: None,
        ..Self::OPS
    };

    pub(super) const OPS_REF: &'static bindings::vfio_device_ops = &Self::OPS;
    pub(super) const PASID_OPS_REF: &'static bindings::vfio_device_ops = &Self::PASID_OPS;
}
