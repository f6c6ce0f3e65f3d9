// SPDX-License-Identifier: GPL-2.0

//! PCI Interrupt Message Store (IMS).
//!
//! C header: [`include/linux/pci.h`](srctree/include/linux/pci.h)
//!
//! IMS is interrupt storage that a device implements on its own terms, beside its MSI-X table.
//! This module serves devices whose IMS is an array of 16-byte slots in a BAR (address low,
//! address high, data, control with a mask bit and a PASID check), such as the Intel Data
//! Streaming Accelerator: [`Domain`] is the IMS domain of a bound device over such an array,
//! [`Vector`] an interrupt of one slot, with the PASID its slot accepts ([`Cookie`]), and [`Irq`]
//! a handler registered on a vector.
//!
//! The domain needs an IMS-capable parent: on x86, interrupt remapping. Elsewhere
//! [`Domain::new`] fails with [`EOPNOTSUPP`] and the driver keeps using MSI-X.
//!
//! Ownership: a [`Vector`] keeps its domain alive, an [`Irq`] frees its handler before its
//! vector, and all of them borrow the bound device, so everything is gone before the device is
//! unbound and its MSI data and BAR mappings are released. A domain, vector or handler that is
//! leaked instead (`mem::forget`, a reference cycle) is a bug of its owner, but not a memory
//! safety issue: a device-managed action removes the domain, with the interrupts still
//! allocated on it, when the device is unbound, before its BAR mapping and MSI data go, so no
//! interrupt of the domain outlives them.

use super::{Bar, Device, DevresBar};
use crate::{
    bindings,
    device::Bound,
    error::to_result,
    ffi::c_void,
    io::{Io, IoBackend, IoBase, MmioBackend},
    irq::{self, IrqRequest},
    prelude::*,
    str::CStr,
    sync::{
        atomic::{Atomic, Relaxed},
        new_mutex, Arc, Mutex,
    },
};

/// Bytes of one IMS slot.
pub const SLOT_BYTES: usize = bindings::PCI_IMS_ARRAY_SLOT_SIZE as usize;

/// Control word bit that enables the PASID check of a slot (`PCI_IMS_ARRAY_CTRL_PASID_EN`).
const CTRL_PASID_EN: u64 = 1 << 3;
/// Shift of the PASID in the control word (`PCI_IMS_ARRAY_CTRL_PASID`).
const CTRL_PASID_SHIFT: u32 = 12;
/// PASIDs have 20 bits.
const PASID_MAX: u32 = (1 << 20) - 1;

/// The instance cookie of a vector: the PASID whose work may raise it, if any.
///
/// The cookie is the PASID part of the slot's control word, as
/// `pci_ims_array_pasid_cookie()` encodes it.
///
/// # Examples
///
/// ```
/// use kernel::pci::ims::Cookie;
///
/// assert_eq!(Cookie::ANY.raw(), 0);
/// assert_eq!(Cookie::ANY.pasid(), None);
/// let c = Cookie::pasid_only(1)?;
/// assert_eq!(c.raw(), 0x1008);
/// assert_eq!(c.pasid(), Some(1));
/// assert_eq!(Cookie::pasid_only(0xfffff)?.raw(), 0xffff_f008);
/// assert!(Cookie::pasid_only(0x10_0000).is_err());
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cookie(u64);

impl Cookie {
    /// Work of any PASID (or none) may raise the vector.
    pub const ANY: Self = Self(0);

    /// Only work of `pasid` may raise the vector; [`EINVAL`] if `pasid` has more than 20 bits.
    pub fn pasid_only(pasid: u32) -> Result<Self> {
        if pasid > PASID_MAX {
            return Err(EINVAL);
        }
        Ok(Self((u64::from(pasid) << CTRL_PASID_SHIFT) | CTRL_PASID_EN))
    }

    /// The PASID the vector is restricted to, if any.
    pub fn pasid(self) -> Option<u32> {
        if self.0 & CTRL_PASID_EN == 0 {
            return None;
        }
        // CAST: the value was built from a 20-bit PASID.
        Some((self.0 >> CTRL_PASID_SHIFT) as u32 & PASID_MAX)
    }

    /// The raw cookie, as the C side stores it.
    pub fn raw(self) -> u64 {
        self.0
    }
}

/// The slot to allocate a vector at.
///
/// # Examples
///
/// ```
/// use kernel::pci::ims::Index;
///
/// assert_eq!(Index::Any.raw(), u32::MAX);
/// assert_eq!(Index::At(7).raw(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Any free slot.
    Any,
    /// This slot.
    At(u32),
}

impl Index {
    /// The index as `pci_ims_alloc_irq()` takes it (`MSI_ANY_INDEX` for [`Index::Any`]).
    pub fn raw(self) -> u32 {
        match self {
            Self::Any => u32::MAX,
            Self::At(i) => i,
        }
    }
}

/// The domain itself, shared by the [`Domain`] handle and its vectors.
///
/// # Invariants
///
/// `pdev` has an IMS domain over `slots` slots of `bar`, and the device-managed action
/// [`remove_domain`] for it, which this object runs and unregisters when dropped.
struct Inner<'a, const SIZE: usize> {
    pdev: &'a Device<Bound>,
    slots: u32,
    /// Vectors allocated.
    in_use: Atomic<u32>,
    /// Keeps the BAR mapped while the domain writes slots.
    _bar: Arc<DevresBar<SIZE>>,
}

/// The device-managed action of a domain: removes the IMS domain of the `struct pci_dev` `data`
/// and frees the interrupts still allocated on it.
///
/// # Safety
///
/// `data` is a bound PCI device, whose IMS domain's slots are still mapped.
unsafe extern "C" fn remove_domain(data: *mut c_void) {
    // SAFETY: By the safety requirements `data` is a bound PCI device; the slots the domain
    // writes when it frees its interrupts are mapped.
    unsafe { bindings::pci_remove_ims_domain(data.cast()) };
}

impl<const SIZE: usize> Drop for Inner<'_, SIZE> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `pdev` has an IMS domain and its action is registered;
        // `pdev` is bound (`'a`), the slots are mapped (`_bar`). Every vector held a reference to
        // `self`, so all of them are freed already. This runs the action and unregisters it.
        unsafe {
            bindings::devm_release_action(
                self.pdev.as_ref().as_raw(),
                Some(remove_domain),
                self.pdev.as_raw().cast(),
            )
        };
    }
}

/// The IMS domain of a bound PCI device over an array of slots in one of its BARs.
///
/// Dropping the last handle or vector removes the domain.
///
/// # Examples
///
/// ```no_run
/// use kernel::{device::Bound, pci::{self, ims}, prelude::*, sync::Arc};
///
/// fn first_vector<'a>(
///     pdev: &'a pci::Device<Bound>,
///     bar: Arc<pci::DevresBar<0x8000>>,
/// ) -> Result<ims::Vector<'a, 0x8000>> {
///     // 256 slots at 0x4000, one of them for work of PASID 5.
///     let domain = ims::Domain::new(pdev, bar, 0x4000, 256)?;
///     domain.alloc(ims::Index::Any, ims::Cookie::pasid_only(5)?)
/// }
/// ```
pub struct Domain<'a, const SIZE: usize = 0> {
    inner: Arc<Inner<'a, SIZE>>,
}

impl<'a, const SIZE: usize> Domain<'a, SIZE> {
    /// Creates the IMS domain of `pdev` over `slots` slots at byte `offset` of `bar`.
    ///
    /// Fails with [`EINVAL`] if the array is not within the BAR or has no slot, with
    /// [`EOPNOTSUPP`] if the platform cannot serve IMS (no interrupt remapping), with [`EEXIST`]
    /// if the device has an IMS domain already.
    pub fn new(
        pdev: &'a Device<Bound>,
        bar: Arc<DevresBar<SIZE>>,
        offset: usize,
        slots: u32,
    ) -> Result<Self> {
        let base = {
            let io: &Bar<'_, SIZE> = bar.access(pdev.as_ref())?;
            let len = usize::try_from(slots)?
                .checked_mul(SLOT_BYTES)
                .ok_or(EINVAL)?;
            let end = offset.checked_add(len).ok_or(EINVAL)?;
            if slots == 0 || offset % SLOT_BYTES != 0 || end > Io::size(io) {
                return Err(EINVAL);
            }
            MmioBackend::as_ptr(IoBase::as_view(io))
                .cast::<u8>()
                .wrapping_add(offset)
        };
        // SAFETY: `pdev` is a bound PCI device; `base` points to `slots` slots within the mapping
        // of `bar`, which the domain keeps (`_bar`) and which stays mapped while `pdev` is bound,
        // which it is for `'a`, longer than the domain lives.
        to_result(unsafe {
            bindings::pci_ims_array_create_domain(pdev.as_raw(), base.cast(), slots)
        })?;
        // The domain goes at unbind at the latest: this action is registered after the BAR's
        // mapping and the device's MSI data, so it runs before they are released. On failure
        // it runs at once.
        //
        // SAFETY: `pdev` is bound; `remove_domain` gets it as its data, as it requires, and the
        // action runs while the BAR (registered earlier) is mapped.
        to_result(unsafe {
            bindings::devm_add_action_or_reset(
                pdev.as_ref().as_raw(),
                Some(remove_domain),
                pdev.as_raw().cast(),
            )
        })?;
        // INVARIANT: the domain was created and its action registered; if the allocation below
        // fails, dropping `Inner` runs the action.
        let inner = Inner {
            pdev,
            slots,
            in_use: Atomic::new(0),
            _bar: bar,
        };
        Ok(Self {
            inner: Arc::new(inner, GFP_KERNEL)?,
        })
    }

    /// The number of slots.
    pub fn slots(&self) -> u32 {
        self.inner.slots
    }

    /// The number of vectors allocated.
    pub fn in_use(&self) -> u32 {
        self.inner.in_use.load(Relaxed)
    }

    /// Allocates a vector at `index`, raised only by work that `cookie` allows.
    ///
    /// Its slot is written and unmasked when a handler is registered on it ([`Vector::register`]).
    /// Fails with [`ENOSPC`] if no slot is free, [`EBUSY`] if the slot `index` is taken,
    /// [`ERANGE`] if there is no such slot. May sleep.
    pub fn alloc(&self, index: Index, cookie: Cookie) -> Result<Vector<'a, SIZE>> {
        let mut icookie = bindings::msi_instance_cookie { value: cookie.0 };
        // SAFETY: `pdev` has an IMS domain (type invariant of `Inner`); `icookie` is valid for the
        // call, which copies it; no affinity descriptor.
        let map = unsafe {
            bindings::pci_ims_alloc_irq(
                self.inner.pdev.as_raw(),
                index.raw(),
                &mut icookie,
                core::ptr::null(),
            )
        };
        if map.index < 0 {
            let e = Error::from_errno(map.index);
            // The xarray says `EBUSY` both for a given slot that is taken and when no slot is
            // free.
            return Err(if index == Index::Any && e == EBUSY {
                ENOSPC
            } else {
                e
            });
        }
        // CAST: both are non-negative on success.
        let (slot, irq) = (map.index as u32, map.virq as u32);
        self.inner.in_use.fetch_add(1, Relaxed);
        // INVARIANT: the vector was allocated on the domain of `inner`.
        Ok(Vector {
            domain: self.inner.clone(),
            index: slot,
            irq,
            cookie,
        })
    }
}

/// An IMS vector: one slot of a [`Domain`], freed when dropped.
///
/// # Invariants
///
/// `irq` is the interrupt allocated at slot `index` of the IMS domain of `domain`, with `cookie`.
pub struct Vector<'a, const SIZE: usize = 0> {
    domain: Arc<Inner<'a, SIZE>>,
    index: u32,
    irq: u32,
    cookie: Cookie,
}

impl<'a, const SIZE: usize> Vector<'a, SIZE> {
    /// The slot: the device's interrupt handle for it (on the DSA 1.0, the handle work
    /// descriptors carry; 2.0 translates it with a command).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The Linux interrupt number.
    pub fn irq(&self) -> u32 {
        self.irq
    }

    /// The cookie the vector was allocated with.
    pub fn cookie(&self) -> Cookie {
        self.cookie
    }

    /// Registers `handler` on the vector, which the result owns: the handler is freed before
    /// the vector.
    pub fn register<H: irq::Handler + 'static>(
        self,
        flags: irq::Flags,
        name: &'static CStr,
        handler: impl PinInit<H, Error> + 'a,
    ) -> impl PinInit<Irq<'a, H, SIZE>, Error> + 'a {
        // SAFETY: `irq` was allocated for `pdev`, which is bound for `'a` (type invariant), and
        // it has no handler: the vector is moved into the result, which registers it once.
        let request = unsafe { IrqRequest::new(self.domain.pdev.as_ref(), self.irq) };
        try_pin_init!(Irq {
            vector: self,
            disabled <- new_mutex!(false),
            registration <- irq::Registration::new_static(request, flags, name, handler),
        }? Error)
    }
}

impl<const SIZE: usize> Drop for Vector<'_, SIZE> {
    fn drop(&mut self) {
        let map = bindings::msi_map {
            // CAST: both came from a successful `msi_map` (type invariant).
            index: self.index as i32,
            virq: self.irq as i32,
        };
        // SAFETY: By the type invariant the vector is allocated on the domain of `pdev`, which
        // `self.domain` keeps; any handler on it was freed: an `Irq` drops its registration
        // first.
        unsafe { bindings::pci_ims_free_irq(self.domain.pdev.as_raw(), map) };
        self.domain.in_use.fetch_sub(1, Relaxed);
    }
}

/// A handler registered on an IMS [`Vector`], which it owns.
///
/// The fields drop in their order: the handler is freed (`free_irq()`), then the vector.
#[pin_data]
pub struct Irq<'a, H: irq::Handler + 'static, const SIZE: usize = 0> {
    #[pin]
    registration: irq::Registration<'a, H>,
    vector: Vector<'a, SIZE>,
    /// Whether the vector is disabled; serialises [`Irq::disable`] and [`Irq::enable`].
    #[pin]
    disabled: Mutex<bool>,
}

impl<'a, H: irq::Handler + 'static, const SIZE: usize> Irq<'a, H, SIZE> {
    /// The vector.
    pub fn vector(&self) -> &Vector<'a, SIZE> {
        &self.vector
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        self.registration.handler()
    }

    /// Masks the vector's slot and waits for running handlers: the device raises nothing until
    /// [`Irq::enable`]. May sleep.
    pub fn disable(&self) {
        let mut disabled = self.disabled.lock();
        if *disabled {
            return;
        }
        // CAST: the flag is a bit of the low 32 of an `unsigned long`.
        let unlazy = bindings::IRQ_DISABLE_UNLAZY as usize;
        // SAFETY: `irq` is a valid interrupt with a handler (the registration); masking it at once
        // (not lazily) makes the chip set the slot's mask bit now.
        unsafe {
            bindings::irq_modify_status(self.vector.irq, 0, unlazy);
            bindings::disable_irq(self.vector.irq);
        }
        *disabled = true;
    }

    /// Unmasks the vector's slot after [`Irq::disable`].
    pub fn enable(&self) {
        let mut disabled = self.disabled.lock();
        if !*disabled {
            return;
        }
        // SAFETY: `irq` is a valid interrupt that `disable` disabled once, under the lock.
        unsafe { bindings::enable_irq(self.vector.irq) };
        *disabled = false;
    }

    /// Whether the vector is disabled.
    pub fn is_disabled(&self) -> bool {
        *self.disabled.lock()
    }
}
