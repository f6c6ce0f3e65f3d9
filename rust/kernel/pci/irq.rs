// SPDX-License-Identifier: GPL-2.0

//! PCI interrupt infrastructure.

use super::Device;
use crate::{
    bindings,
    device,
    device::Bound,
    error::to_result,
    irq::IrqRequest,
    prelude::*,
    sync::aref::ARef, //
};
use core::num::NonZero;

/// IRQ type flags for PCI interrupt allocation.
#[derive(Debug, Clone, Copy)]
pub enum IrqType {
    /// INTx interrupts.
    Intx,
    /// Message Signaled Interrupts (MSI).
    Msi,
    /// Extended Message Signaled Interrupts (MSI-X).
    MsiX,
}

impl IrqType {
    /// Convert to the corresponding kernel flags.
    const fn as_raw(self) -> u32 {
        match self {
            IrqType::Intx => bindings::PCI_IRQ_INTX,
            IrqType::Msi => bindings::PCI_IRQ_MSI,
            IrqType::MsiX => bindings::PCI_IRQ_MSIX,
        }
    }

    /// Construct from raw value.
    #[inline]
    const fn from_raw(raw: u32) -> Self {
        match raw {
            bindings::PCI_IRQ_MSIX => IrqType::MsiX,
            bindings::PCI_IRQ_MSI => IrqType::Msi,
            _ => IrqType::Intx,
        }
    }
}

/// Set of IRQ types that can be used for PCI interrupt allocation.
#[derive(Debug, Clone, Copy, Default)]
pub struct IrqTypes(u32);

impl IrqTypes {
    /// Create a set containing all IRQ types (MSI-X, MSI, and INTx).
    pub const fn all() -> Self {
        Self(bindings::PCI_IRQ_ALL_TYPES)
    }

    /// Build a set of IRQ types.
    ///
    /// # Examples
    ///
    /// ```ignore
    /// // Create a set with only MSI and MSI-X (no INTx interrupts).
    /// let msi_only = IrqTypes::default()
    ///     .with(IrqType::Msi)
    ///     .with(IrqType::MsiX);
    /// ```
    pub const fn with(self, irq_type: IrqType) -> Self {
        Self(self.0 | irq_type.as_raw())
    }

    /// Get the raw flags value.
    const fn as_raw(self) -> u32 {
        self.0
    }
}

/// A resolved IRQ vector from a PCI interrupt vector allocation.
///
/// Created by [`IrqVectorRegistration::index`]. Convert to [`IrqRequest`] via [`From`] to register
/// a handler with [`irq::Registration::new`](crate::irq::Registration::new).
pub struct IrqVector<'a> {
    request: IrqRequest<'a>,
    reg: &'a IrqVectorRegistration<'a>,
}

impl<'a> IrqVector<'a> {
    /// Creates a new [`IrqVector`] with an already resolved [`IrqRequest`].
    ///
    /// # Safety
    ///
    /// `request` must have been resolved from `reg`.
    #[inline]
    unsafe fn new(request: IrqRequest<'a>, reg: &'a IrqVectorRegistration<'a>) -> Self {
        Self { request, reg }
    }

    /// Returns the [`IrqVectorRegistration`] this vector was derived from.
    #[inline]
    pub fn vectors(&self) -> &'a IrqVectorRegistration<'a> {
        self.reg
    }

    /// Returns the interrupt type the PCI core selected for this vector's allocation.
    #[inline]
    pub fn irq_type(&self) -> IrqType {
        self.reg.irq_type()
    }
}

impl<'a> From<IrqVector<'a>> for IrqRequest<'a> {
    #[inline]
    fn from(vector: IrqVector<'a>) -> Self {
        vector.request
    }
}

/// An allocation of PCI interrupt vectors for a device.
///
/// This type owns the vector allocation; dropping it frees the vectors. IRQ handlers borrow from
/// this registration and must be dropped before it is.
///
/// # Invariants
///
/// `dev` has an allocation of `len` interrupt vectors.
pub struct IrqVectorRegistration<'a> {
    dev: &'a Device<Bound>,
    len: NonZero<usize>,
}

impl<'a> IrqVectorRegistration<'a> {
    /// Returns the number of allocated vectors.
    ///
    /// This is at least the `min_vecs` that [`Device::alloc_irq_vectors`] was asked for.
    #[inline]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len.get()
    }

    /// Returns the interrupt type the PCI core selected for this allocation.
    #[inline]
    pub fn irq_type(&self) -> IrqType {
        self.dev.vectors_type()
    }

    /// Returns the [`IrqVector`] at `index`.
    ///
    /// Returns [`EINVAL`] if the `index` is out of bounds for the length reported by
    /// [`Self::len()`].
    #[inline]
    pub fn index(&self, index: usize) -> Result<IrqVector<'_>> {
        let irq = self.dev.vector_irq(index)?;

        // SAFETY: `irq` is a valid IRQ number for `self.dev`, resolved from this registration.
        Ok(unsafe { IrqVector::new(IrqRequest::new(self.dev.as_ref(), irq), self) })
    }
}

impl Drop for IrqVectorRegistration<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant, `self.dev.as_raw()` is a valid pointer to a
        // `struct pci_dev` that has successfully allocated IRQ vectors.
        unsafe { bindings::pci_free_irq_vectors(self.dev.as_raw()) };
    }
}

impl Device<device::Bound> {
    /// Allocate IRQ vectors for this PCI device.
    ///
    /// Allocates between `min_vecs` and `max_vecs` interrupt vectors for the device.
    /// The allocation will use MSI-X, MSI, or INTx interrupts based on the `irq_types`
    /// parameter and hardware capabilities. When multiple types are specified, the kernel
    /// will try them in order of preference: MSI-X first, then MSI, then INTx interrupts.
    ///
    /// The allocated vectors are freed when the returned [`IrqVectorRegistration`] is dropped.
    /// Use [`IrqVectorRegistration::index`] to obtain an [`IrqVector`] for a given vector
    /// index.
    ///
    /// # Arguments
    ///
    /// * `min_vecs` - Minimum number of vectors required.
    /// * `max_vecs` - Maximum number of vectors to allocate.
    /// * `irq_types` - Types of interrupts that can be used.
    ///
    /// # Returns
    ///
    /// Returns the IRQ vector registration, or an error if `min_vecs` vectors cannot be
    /// allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// # use kernel::{ device::Bound, pci};
    /// # fn no_run(dev: &pci::Device<Bound>) -> Result {
    /// // Allocate using any available interrupt type in the order mentioned above.
    /// let vectors = dev.alloc_irq_vectors(1, 32, pci::IrqTypes::all())?;
    ///
    /// // Allocate MSI or MSI-X only (no INTx interrupts).
    /// let msi_only = pci::IrqTypes::default()
    ///     .with(pci::IrqType::Msi)
    ///     .with(pci::IrqType::MsiX);
    /// let vectors = dev.alloc_irq_vectors(4, 16, msi_only)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn alloc_irq_vectors(
        &self,
        min_vecs: u32,
        max_vecs: u32,
        irq_types: IrqTypes,
    ) -> Result<IrqVectorRegistration<'_>> {
        let len = self.alloc_vectors(min_vecs, max_vecs, irq_types)?;

        // INVARIANT: `pci_alloc_irq_vectors()` allocated `len` vectors for `self`.
        Ok(IrqVectorRegistration { dev: self, len })
    }

    /// Allocates the vectors for [`Self::alloc_irq_vectors`] and
    /// [`Self::alloc_irq_vectors_devres`], which free them, and returns their number.
    fn alloc_vectors(
        &self,
        min_vecs: u32,
        max_vecs: u32,
        irq_types: IrqTypes,
    ) -> Result<NonZero<usize>> {
        // SAFETY:
        // - `self.as_raw()` is guaranteed to be a valid pointer to a `struct pci_dev`
        //   by the type invariant of `Device`.
        // - `pci_alloc_irq_vectors` internally validates all other parameters
        //   and returns error codes.
        let ret = unsafe {
            bindings::pci_alloc_irq_vectors(self.as_raw(), min_vecs, max_vecs, irq_types.as_raw())
        };
        to_result(ret)?;
        NonZero::new(usize::try_from(ret)?).ok_or(EINVAL)
    }

    /// Returns the type of the device's allocated vectors.
    fn vectors_type(&self) -> IrqType {
        // SAFETY: `self.as_raw()` is a valid pointer to a `struct pci_dev`.
        IrqType::from_raw(unsafe { bindings::pci_irq_type(self.as_raw()) })
    }

    /// Returns the IRQ number of allocated vector `index`.
    fn vector_irq(&self, index: usize) -> Result<u32> {
        let index = u32::try_from(index)?;

        // SAFETY: `self.as_raw()` is a valid pointer to a `struct pci_dev`; `pci_irq_vector`
        // fails for an index it has no vector for.
        let irq = unsafe { bindings::pci_irq_vector(self.as_raw(), index) };
        u32::try_from(irq).map_err(|_| Error::from_errno(irq))
    }
}

/// Interrupt vectors of a PCI device that stay allocated until the driver unbinds.
///
/// Unlike an [`IrqVectorRegistration`], which frees the vectors when it is dropped and so
/// cannot hand out requests that outlive a borrow of itself, these vectors are freed by the
/// device's managed resources when the driver unbinds, after the driver's data (and any
/// [`irq::Registration`](crate::irq::Registration) in it) is gone. A request obtained from them
/// may therefore live as long as the device is bound, and be kept in the driver's data.
///
/// # Invariants
///
/// `len` vectors were allocated for `dev` with `pci_alloc_irq_vectors()`, and a managed action
/// that frees them when `dev` unbinds is registered.
#[derive(Clone, Copy)]
pub struct DevresIrqVectors<'a> {
    dev: &'a Device<Bound>,
    len: NonZero<usize>,
}

impl<'a> DevresIrqVectors<'a> {
    /// Returns the number of vectors.
    #[inline]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.len.get()
    }

    /// Returns the type of the vectors.
    #[inline]
    pub fn irq_type(&self) -> IrqType {
        self.dev.vectors_type()
    }

    /// Returns the request for vector `index`, to register a handler with.
    pub fn request(&self, index: usize) -> Result<IrqRequest<'a>> {
        if index >= self.len() {
            return Err(EINVAL);
        }
        let irq = self.dev.vector_irq(index)?;

        // SAFETY: `irq` is the IRQ of vector `index` of `self.dev`, which stays allocated until
        // the device unbinds (type invariant), so for all of `'a`.
        Ok(unsafe { IrqRequest::new(self.dev.as_ref(), irq) })
    }
}

/// Frees the interrupt vectors of a device when dropped.
struct FreeIrqVectors(ARef<Device>);

impl Drop for FreeIrqVectors {
    fn drop(&mut self) {
        // SAFETY: `self.0.as_raw()` is a valid pointer to a `struct pci_dev`, whose vectors were
        // allocated when this value was created.
        unsafe { bindings::pci_free_irq_vectors(self.0.as_raw()) };
    }
}

impl Device<device::Bound> {
    /// Allocates between `min_vecs` and `max_vecs` interrupt vectors, freed when the driver
    /// unbinds.
    ///
    /// Like [`Device::alloc_irq_vectors`], but the vectors are a managed resource of the
    /// device, so requests for them can be kept in the driver's data.
    pub fn alloc_irq_vectors_devres(
        &self,
        min_vecs: u32,
        max_vecs: u32,
        irq_types: IrqTypes,
    ) -> Result<DevresIrqVectors<'_>> {
        let len = self.alloc_vectors(min_vecs, max_vecs, irq_types)?;

        // Dropping the value, on success at unbind or here if registering fails, frees the
        // vectors.
        let free = FreeIrqVectors(self.into());
        crate::devres::register(self.as_ref(), free, GFP_KERNEL)?;

        // INVARIANT: `len` vectors are allocated and freed when `self` unbinds.
        Ok(DevresIrqVectors { dev: self, len })
    }
}
