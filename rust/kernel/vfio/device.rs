// SPDX-License-Identifier: GPL-2.0

//! The device, its data and its registration.

use super::{operations::VTable, Operations};
use crate::{
    bindings, device,
    error::{from_err_ptr, to_result},
    eventfd::EventFd,
    iommu::pasid::GlobalPasid,
    prelude::*,
    sync::Arc,
    types::{Opaque, ScopeGuard},
};
use core::{mem::size_of, ops::Deref, ptr::NonNull};

/// What `VFIO_DEVICE_GET_INFO` reports.
#[derive(Clone, Copy, Debug)]
pub struct DeviceInfo {
    /// Device flags (`flags::DEVICE_*`).
    pub flags: u32,
    /// Number of regions.
    pub num_regions: u32,
    /// Number of interrupt indices.
    pub num_irqs: u32,
}

/// An emulated VFIO device with the driver's data `T`.
///
/// # Invariants
///
/// - `vdev` is a `struct vfio_device` allocated by `_vfio_alloc_device` with the operations of
///   `VTable<T>`, at offset zero of the allocation.
/// - `data` is initialised whenever `initialized` is true; `initialized` is set before the
///   device is registered and never cleared; `data` is dropped only by the `release` callback.
/// - `pasid` is initialised right after the allocation, before anything can fail, and dropped
///   only by the `release` callback; if it is `Some`, the `vfio_device` carries its device and
///   value as the PASID its DMA is tagged with, and uses the PASID operations.
#[repr(C)]
pub struct Device<T: Operations> {
    vdev: Opaque<bindings::vfio_device>,
    initialized: bool,
    pasid: Option<Arc<GlobalPasid>>,
    data: T,
}

// SAFETY: The VFIO core lets any thread use a `vfio_device`, and `T` is `Send + Sync`.
unsafe impl<T: Operations> Send for Device<T> {}

// SAFETY: The `&self` methods only read fields that do not change once the device is registered,
// and `T` is `Sync`.
unsafe impl<T: Operations> Sync for Device<T> {}

impl<T: Operations> Device<T> {
    pub(super) fn as_raw(&self) -> *mut bindings::vfio_device {
        self.vdev.get()
    }

    /// Returns the device a callback of `VTable<T>` was called for.
    ///
    /// # Safety
    ///
    /// `vdev` must be the device a callback of `VTable<T>` other than `release` was called for,
    /// and the reference must not be used after that callback returns.
    pub(super) unsafe fn from_raw<'a>(vdev: *mut bindings::vfio_device) -> &'a Self {
        // SAFETY: Only `Registration::register` hands the operations of `VTable<T>` to the VFIO
        // core, for the allocation of a `Device<T>` with its `vfio_device` at offset zero (type
        // invariant), so `vdev` is that of a `Device<T>`. The VFIO core calls the callbacks other
        // than `release` only between the registration of the device and the return of
        // `vfio_unregister_group_dev()`, which waits until no file descriptor of it is left. All
        // that time `data` is initialised (`initialized` is set before the registration, and only
        // `release` drops `data`) and the `Registration` holds its reference, so the device is
        // valid until the callback returns.
        unsafe { &*vdev.cast::<Self>() }
    }

    /// Returns the device the VFIO device was created for (for a mediated device, the mdev).
    pub fn parent(&self) -> &device::Device {
        // SAFETY: `dev` is set by `_vfio_alloc_device` and the VFIO device holds a reference to it
        // (it is the parent of the VFIO device's own `struct device`) for as long as `self`
        // exists.
        unsafe { device::Device::from_raw((*self.as_raw()).dev) }
    }

    /// Answers the VFIO core's request to release the device ([`Operations::request`], call
    /// `count`): signals `eventfd`, the request interrupt userspace set, or without one says on
    /// the first call that the removal waits until userspace closes the device.
    pub fn signal_request(&self, eventfd: Option<&EventFd>, count: u32) {
        match eventfd {
            Some(e) => e.signal(),
            None if count == 0 => {
                dev_info!(
                    self.parent(),
                    "removal waits until userspace closes the device\n"
                )
            }
            None => {}
        }
    }

    /// Returns the host PASID the device's DMA is tagged with, if it was registered with
    /// [`Registration::new_with_pasid`].
    pub fn host_pasid(&self) -> Option<u32> {
        self.pasid.as_deref().map(GlobalPasid::pasid)
    }
}

impl<T: Operations> Deref for Device<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// The registration of an emulated VFIO device.
///
/// While it exists, userspace can open the device. Dropping it unregisters the device, waiting
/// until every file descriptor of it has been closed, then drops the reference it holds.
///
/// The registration holds the only reference that the driver has: [`Device`] is not reference
/// counted on the Rust side, so no `&Device` outlives the registration, and the device's last
/// reference normally goes in the registration's destructor. This keeps the device (and the
/// parent device it pins) from outliving what created it, for example an mdev parent.
///
/// # Invariants
///
/// `self.0` is registered with `vfio_register_emulated_iommu_dev` and we own one reference to it.
pub struct Registration<T: Operations>(NonNull<Device<T>>);

// SAFETY: The registration can be dropped on any thread; `Device<T>` is `Send` and `Sync`.
unsafe impl<T: Operations> Send for Registration<T> {}

// SAFETY: `&self` only gives out `&Device<T>`, which is `Sync`.
unsafe impl<T: Operations> Sync for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Creates a VFIO device for `dev` with the data from `init` and registers it as a device
    /// with an emulated IOMMU.
    pub fn new<E>(dev: &device::Device<device::Bound>, init: impl PinInit<T, E>) -> Result<Self>
    where
        Error: From<E>,
    {
        Self::register(dev, None, init)
    }

    /// Creates a VFIO device for `dev` with the data from `init`, whose DMA is done by the
    /// device `pasid` was allocated for, tagged with `pasid`, and registers it.
    ///
    /// The address space userspace attaches to the VFIO device through iommufd is attached to
    /// that PASID (see the module documentation). The VFIO device holds its reference to `pasid`
    /// until it is released, after iommufd has detached it.
    pub fn new_with_pasid<E>(
        dev: &device::Device<device::Bound>,
        pasid: Arc<GlobalPasid>,
        init: impl PinInit<T, E>,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        Self::register(dev, Some(pasid), init)
    }

    fn register<E>(
        dev: &device::Device<device::Bound>,
        pasid: Option<Arc<GlobalPasid>>,
        init: impl PinInit<T, E>,
    ) -> Result<Self>
    where
        Error: From<E>,
    {
        // The allocation comes from `kvzalloc()`, which aligns to at least
        // `ARCH_KMALLOC_MINALIGN`.
        const { assert!(core::mem::align_of::<Device<T>>() <= bindings::ARCH_KMALLOC_MINALIGN) };
        // Only iommufd attaches an address space to a PASID.
        if pasid.is_some() && !cfg!(CONFIG_IOMMUFD) {
            return Err(EOPNOTSUPP);
        }
        let ops = if pasid.is_some() {
            VTable::<T>::PASID_OPS_REF
        } else {
            VTable::<T>::OPS_REF
        };
        // SAFETY: `dev` is a valid device and `ops` lives forever. The allocation is
        // `size_of::<Device<T>>()` bytes, zeroed, with the `vfio_device` at offset zero.
        let vdev = from_err_ptr(unsafe {
            bindings::_vfio_alloc_device(size_of::<Device<T>>(), dev.as_raw(), ops)
        })?;
        let this = vdev.cast::<Device<T>>();
        // SAFETY: Nobody else can reach the device before it is registered; the operations live
        // forever.
        unsafe {
            (*vdev).mig_ops = VTable::<T>::MIG_OPS_REF.map_or(core::ptr::null(), |o| o);
            (*vdev).log_ops = VTable::<T>::LOG_OPS_REF.map_or(core::ptr::null(), |o| o);
            (*vdev).migration_flags = T::MIGRATION_FLAGS;
        }
        if let Some(p) = &pasid {
            // SAFETY: Nobody else can reach the device before it is registered; the PASID's
            // device is kept alive by `pasid`, which lives as long as the VFIO device.
            unsafe { set_dma_pasid(vdev, p) };
        }
        // INVARIANT: `pasid` is initialised before anything can fail.
        // SAFETY: `pasid` is inside the allocation, uninitialised, and never moved afterwards.
        unsafe { (&raw mut (*this).pasid).write(pasid) };
        let guard = ScopeGuard::new_with_data(vdev, |vdev| {
            // SAFETY: We own the only reference to `vdev`. Before `initialized` is set, the
            // `release` callback leaves `data` alone (the allocation is zeroed, so it starts
            // false); afterwards it drops the initialised `data`.
            unsafe { bindings::vfio_put_device(vdev) }
        });

        // SAFETY: `data` is inside the allocation, uninitialised, and never moved afterwards.
        unsafe { PinInit::__init(init, &raw mut (*this).data) }?;
        // INVARIANT: `data` is initialised.
        // SAFETY: Nobody else can reach the device before it is registered.
        unsafe { (*this).initialized = true };

        // SAFETY: `vdev` is an initialised VFIO device that is not registered yet.
        to_result(unsafe { bindings::vfio_register_emulated_iommu_dev(vdev) })?;
        let vdev = guard.dismiss();
        // INVARIANT: The device is registered and the reference is ours.
        // SAFETY: `_vfio_alloc_device` returns a valid pointer or an error pointer, and errors
        // were returned above.
        Ok(Self(unsafe {
            NonNull::new_unchecked(vdev.cast::<Device<T>>())
        }))
    }

    /// Returns the registered device.
    pub fn device(&self) -> &Device<T> {
        // SAFETY: By the type invariant we hold a reference, so the device is valid for as long
        // as `self` is borrowed.
        unsafe { self.0.as_ref() }
    }

    /// Unregisters the device, waiting until userspace has closed it, then calls `f` with the
    /// device, which no callback uses any more, before dropping the reference.
    pub fn unregister_then(self, f: impl FnOnce(&Device<T>)) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: The device is registered (type invariant) and unregistered only here, since
        // `Drop` does not run for `this`. This blocks until all users are gone.
        unsafe { bindings::vfio_unregister_group_dev(this.device().as_raw()) };
        f(this.device());
        // SAFETY: We own one reference (type invariant) and give it back once; `this` is not used
        // afterwards.
        unsafe { bindings::vfio_put_device(this.0.as_ptr().cast()) };
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: The device is registered by the type invariant; this is the only place, besides
        // `unregister_then` (which skips `Drop`), where it is unregistered. This blocks until all
        // users are gone.
        unsafe { bindings::vfio_unregister_group_dev(self.device().as_raw()) };
        // SAFETY: We own one reference (type invariant) and give it back once.
        unsafe { bindings::vfio_put_device(self.0.as_ptr().cast()) };
    }
}

/// Tells the VFIO core that the DMA of `vdev` is done by the device of `pasid`, tagged with it.
///
/// # Safety
///
/// `vdev` must be a valid VFIO device that is not registered yet, and `pasid` must outlive it.
#[cfg(CONFIG_IOMMUFD)]
unsafe fn set_dma_pasid(vdev: *mut bindings::vfio_device, pasid: &GlobalPasid) {
    // SAFETY: By the safety requirements, nobody else accesses `vdev` yet.
    unsafe {
        (*vdev).pasid_dev = pasid.device().as_raw();
        (*vdev).pasid = pasid.pasid();
    }
}

/// Without iommufd, no device is registered with a PASID (see [`Registration::new_with_pasid`]).
///
/// # Safety
///
/// None needed; the signature matches the one with iommufd.
#[cfg(not(CONFIG_IOMMUFD))]
unsafe fn set_dma_pasid(_vdev: *mut bindings::vfio_device, _pasid: &GlobalPasid) {}

impl<T: Operations> VTable<T> {
    /// # Safety
    ///
    /// `vdev` must be the `vfio_device` of a `Device<T>` whose last reference is being dropped.
    pub(super) unsafe extern "C" fn release(vdev: *mut bindings::vfio_device) {
        let this = vdev.cast::<Device<T>>();
        // SAFETY: `this` is valid; nobody else uses it any more.
        if unsafe { (*this).initialized } {
            // SAFETY: `data` is initialised (invariant of `Device`) and dropped only here, once;
            // the VFIO core frees the allocation right after this callback.
            unsafe { core::ptr::drop_in_place(&raw mut (*this).data) };
        }
        // SAFETY: `pasid` is initialised (invariant of `Device`) and dropped only here, once,
        // after iommufd detached it: the device was unbound from iommufd when it was closed.
        unsafe { core::ptr::drop_in_place(&raw mut (*this).pasid) };
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `open_device` callback of `VTable<T>`.
    pub(super) unsafe extern "C" fn open_device(vdev: *mut bindings::vfio_device) -> c_int {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        match T::open(dev) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `close_device` callback of `VTable<T>`.
    pub(super) unsafe extern "C" fn close_device(vdev: *mut bindings::vfio_device) {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and the reference is not used after the callback returns.
        T::close(unsafe { Device::<T>::from_raw(vdev) });
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `request` callback of `VTable<T>`.
    pub(super) unsafe extern "C" fn request(vdev: *mut bindings::vfio_device, count: c_uint) {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and the reference is not used after the callback returns.
        T::request(unsafe { Device::<T>::from_raw(vdev) }, count);
    }
}
