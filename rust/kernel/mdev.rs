// SPDX-License-Identifier: GPL-2.0

//! VFIO mediated devices.
//!
//! A mediated device (mdev) is a device that a parent driver creates in software on request of
//! userspace (`echo $UUID > .../mdev_supported_types/$TYPE/create`) and that userspace then
//! drives through VFIO as if it were a physical device. The parent driver emulates the
//! slow path of the device and hands out slices of its hardware.
//!
//! A parent driver implements [`Driver`] and, for each device it wants to expose mdevs on
//! (typically in the probe of its PCI driver), creates a [`Parent`] with the [`Type`]s it
//! supports. Each created mdev gets a [`vfio::Registration`] whose data the driver initialises
//! in [`Driver::probe`]; it is unregistered when the mdev is removed.
//!
//! # The mdev driver of a parent
//!
//! The mdev core binds every mdev of a parent to the `struct mdev_driver` given to
//! `mdev_register_parent()`; the mdev bus never matches drivers by itself. Each [`Parent`] embeds
//! and registers its own `struct mdev_driver`, named `<Driver::NAME>:<parent device name>`, and
//! unregisters it after the parent. This keeps every lifetime local to the [`Parent`]: there is
//! no global driver object that several parents would share and that would need a global lock
//! and a user count to be registered with the first parent and unregistered with the last, and
//! nothing to set up in module initialisation, so a PCI probe can create a [`Parent`] directly.
//! The cost is one entry per parent under `/sys/bus/mdev/drivers/`.
//!
//! # Lifetimes
//!
//! - A [`Parent`] unregisters in its destructor, which removes every mdev of the parent first.
//! - Removing an mdev drops its [`vfio::Registration`], which waits until userspace has closed
//!   the VFIO device. The driver's data lives inside the VFIO device and is dropped when its
//!   last reference goes, so no VFIO callback ever sees freed data.
//! - Type instance accounting is done here, per type, with [`Type::max_instances`].
//!
//! The mdev core calls the callbacks of a parent only while it is registered: creation holds
//! the parent's `unreg_sem` for reading across probe, removal holds it across remove (for
//! writing when `mdev_unregister_parent()` removes the remaining mdevs), and the type attributes
//! (`available_instances`, `description`) are removed, waiting for running readers, before
//! `mdev_unregister_parent()` returns. The fields of a [`Parent`] are dropped only after that.
//! The release of an mdev's `struct device` also reads its type and parent; the last reference
//! to an mdev is dropped within its removal, since the VFIO device, the only other holder, has
//! been unregistered and put by then.
//!
//! C header: [`include/linux/mdev.h`](srctree/include/linux/mdev.h)

use crate::{
    bindings, device,
    error::to_result,
    iommu::pasid::GlobalPasid,
    module::this_module,
    prelude::*,
    str::CString,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
    types::Opaque,
    vfio,
};
use core::marker::PhantomData;

/// A type of mediated device that a parent offers.
#[derive(Clone, Copy, Debug)]
pub struct Type {
    /// The name of the type's directory under `mdev_supported_types`, after the parent driver's
    /// name and a dash.
    pub sysfs_name: &'static CStr,
    /// The human-readable name (the `name` attribute).
    pub pretty_name: &'static CStr,
    /// The `description` attribute.
    pub description: &'static CStr,
    /// How many devices of this type a parent can have at the same time, unless
    /// [`Driver::max_instances`] says otherwise.
    pub max_instances: u32,
}

/// A mediated device.
///
/// # Invariants
///
/// `self.0` is a valid `struct mdev_device`.
#[repr(transparent)]
pub struct Device<Ctx: device::DeviceContext = device::Normal>(
    Opaque<bindings::mdev_device>,
    PhantomData<Ctx>,
);

impl<Ctx: device::DeviceContext> Device<Ctx> {
    fn as_raw(&self) -> *mut bindings::mdev_device {
        self.0.get()
    }

    /// # Safety
    ///
    /// `ptr` must be a valid `struct mdev_device` for `'a`, in the context `Ctx`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::mdev_device) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper of `struct mdev_device`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the UUID the device was created with, as 16 bytes.
    pub fn uuid(&self) -> [u8; 16] {
        // SAFETY: By the type invariant the device is valid; its UUID is set at creation.
        unsafe { (*self.as_raw()).uuid.b }
    }
}

impl<Ctx: device::DeviceContext> AsRef<device::Device<Ctx>> for Device<Ctx> {
    fn as_ref(&self) -> &device::Device<Ctx> {
        // SAFETY: By the type invariant the `struct device` embedded in the mdev is valid, in the
        // same context.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }
}

/// The driver of a parent of mediated devices.
#[vtable]
pub trait Driver: Sized + 'static {
    /// The driver's name; each parent's mdev driver is named `<NAME>:<parent device name>`.
    const NAME: &'static CStr;

    /// The `device_api` attribute of the types, for example [`vfio::pci::DEVICE_API`].
    const DEVICE_API: &'static CStr;

    /// The types every parent offers; [`Driver::probe`] receives an index into it.
    const TYPES: &'static [Type];

    /// Data of a parent, shared by its mdevs.
    type ParentData: Send + Sync;

    /// The data of the VFIO device of each mdev.
    type Vfio: vfio::Operations;

    /// How many mdevs of type `TYPES[type_index]` the parent with `data` can have at the same
    /// time; by default [`Type::max_instances`].
    fn max_instances(_data: &Self::ParentData, type_index: usize) -> u32 {
        Self::TYPES[type_index].max_instances
    }

    /// Called when userspace creates an mdev of type `TYPES[type_index]` on a parent with
    /// `data`: returns the initialiser of the mdev's VFIO device data and, if the mdev does its
    /// DMA through the parent device rather than through an emulated IOMMU, the host PASID of
    /// the parent its DMA is tagged with (see [`vfio::Registration::new_with_pasid`]). `parent`
    /// is the parent device, bound to its driver while its mdevs are created.
    ///
    /// If creating the VFIO device fails before the initialiser runs, the initialiser is
    /// dropped: whatever it owns goes back.
    fn probe(
        data: &Self::ParentData,
        parent: &device::Device<device::Bound>,
        mdev: &Device<device::Core<'_>>,
        type_index: usize,
    ) -> Result<Probe<impl PinInit<Self::Vfio, Error>>>;

    /// Called when an mdev is removed, after its VFIO device has been unregistered (userspace
    /// has closed it) and before the last reference to it is dropped.
    fn remove(_data: &Self::ParentData, _vfio: &vfio::Device<Self::Vfio>) {}
}

/// What [`Driver::probe`] returns: how to create the VFIO device of a new mdev.
pub struct Probe<I> {
    /// The host PASID the mdev's DMA is tagged with, if it does its DMA through the parent.
    pub pasid: Option<Arc<GlobalPasid>>,
    /// The initialiser of the VFIO device's data.
    pub init: I,
}

/// The state of one type of one parent.
///
/// # Invariants
///
/// `count` is the number of mdevs of this type that are probed and not removed yet, at most
/// [`Driver::max_instances`] of the type.
#[repr(C)]
struct TypeSlot {
    raw: Opaque<bindings::mdev_type>,
    count: Atomic<u32>,
    index: usize,
}

/// The registration of a device as a parent of mediated devices.
///
/// # Invariants
///
/// While the object exists, `driver` is registered on the mdev bus and `parent` is registered
/// with `mdev_register_parent()`, pointing at `driver` and at the `mdev_type`s in `types`, which
/// are never moved or reallocated.
#[pin_data(PinnedDrop)]
pub struct Parent<T: Driver> {
    #[pin]
    parent: Opaque<bindings::mdev_parent>,
    #[pin]
    driver: Opaque<bindings::mdev_driver>,
    types: KVec<TypeSlot>,
    type_ptrs: KVec<*mut bindings::mdev_type>,
    name: CString,
    data: T::ParentData,
}

// SAFETY: The mdev core may be called from any thread; `T::ParentData` is `Send`.
unsafe impl<T: Driver> Send for Parent<T> {}

// SAFETY: `&self` only gives access to `T::ParentData`, which is `Sync`; the raw pointers in
// `type_ptrs` are only used by the mdev core under its own locks.
unsafe impl<T: Driver> Sync for Parent<T> {}

impl<T: Driver> Parent<T> {
    /// Registers `dev` as a parent of mediated devices of the types [`Driver::TYPES`], with the
    /// parent data `data`.
    ///
    /// The types appear under `mdev_supported_types` of `dev`. The registration must be dropped
    /// before `dev` is unbound from its driver, for example by keeping it in the driver's data.
    pub fn new(
        dev: &device::Device<device::Bound>,
        data: T::ParentData,
    ) -> impl PinInit<Self, Error> + '_ {
        let init = move |slot: *mut Self| -> Result {
            let name = CString::try_from_fmt(fmt!("{}:{}", T::NAME, dev.name()))?;
            let n = T::TYPES.len();
            let mut types = KVec::with_capacity(n, GFP_KERNEL)?;
            for (index, ty) in T::TYPES.iter().enumerate() {
                let raw = bindings::mdev_type {
                    sysfs_name: ty.sysfs_name.as_char_ptr(),
                    pretty_name: ty.pretty_name.as_char_ptr(),
                    ..pin_init::zeroed()
                };
                types.push(
                    TypeSlot {
                        raw: Opaque::new(raw),
                        count: Atomic::new(0),
                        index,
                    },
                    GFP_KERNEL,
                )?;
            }
            let mut type_ptrs = KVec::with_capacity(n, GFP_KERNEL)?;
            for t in types.iter() {
                type_ptrs.push(t.raw.get(), GFP_KERNEL)?;
            }
            let nr_types = u32::try_from(n).map_err(|_| EINVAL)?;

            // SAFETY: `slot` is valid for writes; the fields are written once each, and nothing
            // below moves `types` (its heap buffer keeps the `mdev_type`s in place).
            unsafe {
                (&raw mut (*slot).name).write(name);
                (&raw mut (*slot).types).write(types);
                (&raw mut (*slot).type_ptrs).write(type_ptrs);
                (&raw mut (*slot).data).write(data);
            }
            // SAFETY: `slot` is pinned and the fields written above are initialised.
            let this = unsafe { &mut *slot };
            let driver = this.driver.get();
            let drv = bindings::mdev_driver {
                device_api: T::DEVICE_API.as_char_ptr(),
                probe: Some(Self::probe_callback),
                remove: Some(Self::remove_callback),
                get_available: Some(Self::get_available_callback),
                show_description: Some(Self::show_description_callback),
                driver: bindings::device_driver {
                    name: this.name.as_char_ptr(),
                    owner: this_module::<T::OwnerModule>().as_ptr(),
                    ..pin_init::zeroed()
                },
                ..pin_init::zeroed()
            };
            // SAFETY: `driver` is valid for writes.
            unsafe { driver.write(drv) };

            let cleanup = |this: &mut Self| {
                // SAFETY: The fields were initialised above and are dropped once, here, since the
                // initialiser fails and `Parent`'s destructor never runs.
                unsafe {
                    core::ptr::drop_in_place(&raw mut this.data);
                    core::ptr::drop_in_place(&raw mut this.type_ptrs);
                    core::ptr::drop_in_place(&raw mut this.types);
                    core::ptr::drop_in_place(&raw mut this.name);
                }
            };

            // SAFETY: `driver` is a filled-in `mdev_driver` whose name and callbacks outlive its
            // registration: it is unregistered in the destructor, before the fields are dropped.
            if let Err(e) = to_result(unsafe { bindings::mdev_register_driver(driver) }) {
                cleanup(this);
                return Err(e);
            }
            // SAFETY: `dev` is bound (so `dev->driver` is set), `driver` is registered, and the
            // types array and its `mdev_type`s stay in place until after
            // `mdev_unregister_parent()` in the destructor.
            let ret = to_result(unsafe {
                bindings::mdev_register_parent(
                    this.parent.get(),
                    dev.as_raw(),
                    driver,
                    this.type_ptrs.as_mut_ptr(),
                    nr_types,
                )
            });
            if let Err(e) = ret {
                // SAFETY: The driver was registered above and no parent uses it.
                unsafe { bindings::mdev_unregister_driver(driver) };
                cleanup(this);
                return Err(e);
            }
            // INVARIANT: The driver and the parent are registered.
            Ok(())
        };
        // SAFETY: On success every field of `*slot` is initialised; on failure none is left
        // initialised (the closure drops what it wrote), and `slot` is not moved since it is
        // pinned.
        unsafe { pin_init::pin_init_from_closure(init) }
    }

    /// Returns the parent data.
    pub fn data(&self) -> &T::ParentData {
        &self.data
    }

    /// # Safety
    ///
    /// `mtype` must be an `mdev_type` of a registered `Parent<T>`.
    unsafe fn slot<'a>(mtype: *mut bindings::mdev_type) -> &'a TypeSlot {
        // SAFETY: The `mdev_type`s of a `Parent<T>` are the `raw` fields of its `TypeSlot`s,
        // which live as long as the registration.
        unsafe { &*crate::container_of!(Opaque::cast_from(mtype).cast_mut(), TypeSlot, raw) }
    }

    /// # Safety
    ///
    /// `mdev` must be an mdev of a registered `Parent<T>`.
    unsafe fn of_mdev<'a>(mdev: *mut bindings::mdev_device) -> (&'a Self, &'a TypeSlot) {
        // SAFETY: `mdev` is valid (safety requirement); its type and the type's parent are set
        // by the mdev core before the device is added and stay valid while the parent is
        // registered.
        let (mtype, parent) = unsafe { ((*mdev).type_, (*(*mdev).type_).parent) };
        // SAFETY: `parent` is the `parent` field of a registered `Parent<T>`.
        let this =
            unsafe { &*crate::container_of!(Opaque::cast_from(parent).cast_mut(), Self, parent) };
        // SAFETY: `mtype` is a type of that parent.
        (this, unsafe { Self::slot(mtype) })
    }

    /// # Safety
    ///
    /// Called by the mdev core with a new mdev of a registered `Parent<T>`.
    unsafe extern "C" fn probe_callback(mdev: *mut bindings::mdev_device) -> c_int {
        // SAFETY: By the safety requirement.
        let (this, slot) = unsafe { Self::of_mdev(mdev) };
        // SAFETY: `mdev` is being probed, so it is valid and in the `Core` context.
        let dev = unsafe { Device::<device::Core<'_>>::from_raw(mdev) };
        let max = T::max_instances(&this.data, slot.index);
        // INVARIANT: `count` only grows up to `max` and is decremented in `remove_callback`
        // for each successful probe.
        let mut count = slot.count.load(Relaxed);
        loop {
            if count >= max {
                return EUSERS.to_errno();
            }
            match slot.count.cmpxchg(count, count + 1, Relaxed) {
                Ok(_) => break,
                Err(old) => count = old,
            }
        }
        let mdev_dev: &device::Device<device::Core<'_>> = dev.as_ref();
        // SAFETY: The mdev core sets the parent's device at registration; it stays bound to its
        // driver while the parent is registered, which it is while an mdev is probed (see the
        // module documentation).
        let parent = unsafe { device::Device::<device::Bound>::from_raw((*this.parent.get()).dev) };
        let reg = T::probe(&this.data, parent, dev, slot.index)
            .and_then(|probe| match probe.pasid {
                Some(pasid) => {
                    vfio::Registration::<T::Vfio>::new_with_pasid(mdev_dev, pasid, probe.init)
                }
                None => vfio::Registration::<T::Vfio>::new(mdev_dev, probe.init),
            })
            .and_then(|reg| KBox::new(reg, GFP_KERNEL).map_err(Into::into));
        match reg {
            Ok(reg) => {
                // SAFETY: `mdev_dev` is valid; the driver data is ours until `remove_callback`.
                unsafe { bindings::dev_set_drvdata(mdev_dev.as_raw(), KBox::into_raw(reg).cast()) };
                0
            }
            Err(e) => {
                slot.count.fetch_sub(1, Relaxed);
                e.to_errno()
            }
        }
    }

    /// # Safety
    ///
    /// Called by the mdev core with an mdev of a registered `Parent<T>` that was probed.
    unsafe extern "C" fn remove_callback(mdev: *mut bindings::mdev_device) {
        // SAFETY: By the safety requirement.
        let (this, slot) = unsafe { Self::of_mdev(mdev) };
        // SAFETY: `mdev` is valid while it is being removed.
        let dev = unsafe { &raw mut (*mdev).dev };
        // SAFETY: `dev` is valid; `probe_callback` stored the registration as driver data.
        let reg = unsafe { bindings::dev_get_drvdata(dev) }.cast::<vfio::Registration<T::Vfio>>();
        // SAFETY: `dev` is valid while the mdev is being removed, and this callback, the only
        // other user of its driver data after `probe_callback`, clears it once.
        unsafe { bindings::dev_set_drvdata(dev, core::ptr::null_mut()) };
        if reg.is_null() {
            return;
        }
        // SAFETY: `reg` comes from `KBox::into_raw` in `probe_callback` and is taken back once.
        let reg = unsafe { KBox::from_raw(reg) };
        KBox::into_inner(reg).unregister_then(|vdev| T::remove(&this.data, vdev));
        slot.count.fetch_sub(1, Relaxed);
    }

    /// # Safety
    ///
    /// Called by the mdev core with a type of a registered `Parent<T>`.
    unsafe extern "C" fn get_available_callback(mtype: *mut bindings::mdev_type) -> c_uint {
        // SAFETY: By the safety requirement.
        let slot = unsafe { Self::slot(mtype) };
        // SAFETY: `mtype` belongs to a registered `Parent<T>`, whose `parent` field is the
        // type's parent.
        let this = unsafe {
            &*crate::container_of!(Opaque::cast_from((*mtype).parent).cast_mut(), Self, parent)
        };
        T::max_instances(&this.data, slot.index).saturating_sub(slot.count.load(Relaxed))
    }

    /// # Safety
    ///
    /// Called by the mdev core with a type of a registered `Parent<T>` and a sysfs buffer.
    unsafe extern "C" fn show_description_callback(
        mtype: *mut bindings::mdev_type,
        buf: *mut c_char,
    ) -> isize {
        // SAFETY: By the safety requirement.
        let slot = unsafe { Self::slot(mtype) };
        let desc = T::TYPES[slot.index].description;
        // SAFETY: `buf` is a sysfs page buffer and the format takes one C string.
        unsafe { bindings::sysfs_emit(buf, c"%s\n".as_char_ptr(), desc.as_char_ptr()) as isize }
    }
}

#[pinned_drop]
impl<T: Driver> PinnedDrop for Parent<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant the parent is registered. Unregistering removes every
        // mdev of the parent (each waits until its VFIO device is closed) and the types.
        unsafe { bindings::mdev_unregister_parent(self.parent.get()) };
        // SAFETY: By the type invariant the driver is registered, and no parent uses it any more.
        unsafe { bindings::mdev_unregister_driver(self.driver.get()) };
    }
}
