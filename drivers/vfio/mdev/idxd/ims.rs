// SPDX-License-Identifier: GPL-2.0

//! The DSA's Interrupt Message Store (IMS).
//!
//! The IMS table is an array of 16-byte slots in BAR0 (at `TABLE_OFFSETS.ims`, with
//! `GENCAP.max_ims_mult` times 256 slots). The driver hands it to the kernel's PCI/IMS array
//! domain at probe, when the device has one and the platform can remap its interrupts, and keeps
//! it until unbind, freeing every vector first. A vector's slot is the interrupt handle of the
//! work descriptors that use it on DSA 1.0; on 2.0 the handle comes from the Request Interrupt
//! Handle command. A vector allocated for a PASID only takes completions of work of that PASID;
//! other work naming it completes with status 0x19 (invalid interrupt handle) and raises
//! nothing.
//!
//! Each WQ left for vDSAs gets a vector with its host PASID, whose handler raises vector 1 of the
//! vDSA that has the WQ (see `vdsa::adi`). With `CONFIG_VFIO_MDEV_IDXD_SELFTEST`, the host also
//! keeps vectors for its self-test jobs (see `job_irqs`). The `ims_cycles` module parameter has
//! probe allocate every slot and free them that many times first.
//!
//! On DSA 2.0 a reset of the device takes every handle back: after recovering from a halt the
//! driver requests them again ([`Shared::reissue_int_handles`]); the vectors keep their slots.
//!
//! Lock order: see "Locking" in Documentation/driver-api/vfio/mdev-idxd.rst.

use kernel::{
    device::Bound,
    fmt,
    irq::{self, IrqRequest},
    pci::{
        self,
        ims::{Cookie, Domain, Index, Irq},
    },
    prelude::*,
    sync::{new_mutex, Arc, Mutex},
};

#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
use crate::job_irqs::{JobIrqs, JobVectors};
use crate::{
    cmd::{Command, IntTable},
    vdsa::adi::CompletionIrq,
    Shared, BAR0_MIN,
};

/// An IMS vector with its handler and the device's interrupt handle for it.
pub(crate) struct ImsVector<'bound, H: irq::Handler + 'static> {
    irq: Pin<KBox<Irq<'bound, H, BAR0_MIN>>>,
    handle: u16,
}

impl<H: irq::Handler + 'static> ImsVector<'_, H> {
    /// The handle work descriptors name in their completion interrupt handle.
    pub(crate) fn handle(&self) -> u16 {
        self.handle
    }

    /// The slot.
    pub(crate) fn slot(&self) -> u32 {
        self.irq.vector().index()
    }

    /// The Linux interrupt number.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    pub(crate) fn irq(&self) -> u32 {
        self.irq.vector().irq()
    }

    /// The PASID whose work may raise the vector, if only one.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    pub(crate) fn pasid(&self) -> Option<u32> {
        self.irq.vector().cookie().pasid()
    }

    /// Masks the vector: it raises nothing.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    pub(crate) fn disable(&self) {
        self.irq.disable();
    }
}

/// Why the device has no IMS domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// The device has no IMS table.
    NoTable,
    /// The platform cannot serve IMS: no interrupt remapping.
    NoRemapping,
    /// Another error.
    Error(Error),
}

/// The IMS state that the host's jobs and debugfs see.
#[derive(Default)]
struct StatusInner {
    /// `None` before probe decided; the slots, or why there is no domain.
    domain: Option<Result<u32, Refused>>,
    /// Vectors allocated.
    in_use: u32,
    /// The vectors of the host's self-test jobs.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    jobs: JobVectors,
}

/// The IMS state that the host's jobs and debugfs see, kept in `Shared`.
#[pin_data]
pub(crate) struct Status {
    #[pin]
    inner: Mutex<StatusInner>,
}

impl Status {
    /// An initialiser: no domain yet.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            inner <- new_mutex!(StatusInner::default()),
        })
    }

    /// Runs `f` on the vectors of the host's self-test jobs.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    pub(crate) fn with_jobs<R>(&self, f: impl FnOnce(&mut JobVectors) -> R) -> R {
        f(&mut self.inner.lock().jobs)
    }

    /// Writes the IMS state, for the `config` file.
    pub(crate) fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.lock();
        match inner.domain {
            None => writeln!(f, "ims no")?,
            Some(Ok(slots)) => writeln!(f, "ims yes slots {} in_use {}", slots, inner.in_use)?,
            Some(Err(Refused::NoTable)) => writeln!(f, "ims no (no IMS table)")?,
            Some(Err(Refused::NoRemapping)) => writeln!(f, "ims no (no interrupt remapping)")?,
            Some(Err(Refused::Error(e))) => writeln!(f, "ims no ({:?})", e)?,
        }
        #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
        inner.jobs.show(f)?;
        Ok(())
    }
}

impl Shared {
    /// Requests again the interrupt handles the host holds, after a reset of the device took them
    /// back (DSA 2.0; on 1.0 a handle is its entry and nothing was given): the self-test job
    /// vectors' and each vDSA WQ's vector's, in the order of probe. A handle
    /// may come back different: the next jobs and the vDSAs' next Request Interrupt Handle
    /// commands get the new one (a vDSA's guest, shown the halt, resets its device, which drops
    /// the handle it had).
    pub(crate) fn reissue_int_handles(&self) -> Result {
        if self.caps.version_major < 2 {
            return Ok(());
        }
        self.request_dma_handles()?;
        #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
        self.ims.with_jobs(|jobs| jobs.reissue_int_handles(self))?;
        for slot in self.adi.slots.iter() {
            if let Some(entry) = slot.ims_slot() {
                let handle = self.exec(Command::RequestIntHandle(IntTable::Ims, entry))?;
                slot.set_vector(Some((entry, handle)));
            }
        }
        Ok(())
    }
}

/// The device's IMS domain, if any, and the vectors the host keeps; dropped at unbind.
pub(crate) struct Ims<'bound> {
    pdev: &'bound pci::Device<Bound>,
    shared: Arc<Shared>,
    domain: Option<Domain<'bound, BAR0_MIN>>,
    /// One vector per WQ left for vDSAs (see [`crate::vdsa::adi`]).
    adi: KVec<ImsVector<'bound, CompletionIrq>>,
    /// The vectors of the host's self-test jobs, and their MSI-X reference.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    jobs: JobIrqs<'bound>,
}

impl<'bound> Ims<'bound> {
    /// Creates the IMS domain over the device's IMS table, or says once why not, runs `cycles`
    /// allocation cycles and allocates the vDSAs' vectors. With the self-test jobs, also
    /// registers their MSI-X completion vector `msix` (its entry, and the request) if there
    /// is one and allocates their IMS vectors, before the vDSAs'.
    pub(crate) fn new(
        pdev: &'bound pci::Device<Bound>,
        shared: Arc<Shared>,
        cycles: u32,
        msix: Option<(u16, IrqRequest<'bound>)>,
    ) -> Self {
        let slots = shared.caps.ims_entries;
        let domain = if slots == 0 {
            Err(Refused::NoTable)
        } else {
            Domain::new(pdev, shared.bar0.clone(), shared.tables.ims, slots).map_err(|e| {
                if e == EOPNOTSUPP {
                    Refused::NoRemapping
                } else {
                    Refused::Error(e)
                }
            })
        };
        match &domain {
            Ok(_) => dev_info!(pdev, "IMS: {} vectors\n", slots),
            Err(Refused::NoTable) => dev_info!(pdev, "IMS unavailable: the device has none\n"),
            Err(Refused::NoRemapping) => dev_info!(
                pdev,
                "IMS unavailable: the platform does not remap interrupts\n"
            ),
            Err(Refused::Error(e)) => dev_warn!(pdev, "IMS unavailable: {:?}\n", e),
        }
        shared.ims.inner.lock().domain = Some(domain.as_ref().map(|_| slots).map_err(|e| *e));
        let mut ims = Self {
            pdev,
            shared,
            domain: domain.ok(),
            adi: KVec::new(),
            #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
            jobs: JobIrqs::default(),
        };
        if ims.domain.is_some() && cycles > 0 {
            match (0..cycles).try_for_each(|_| ims.cycle()) {
                Ok(()) => dev_info!(
                    pdev,
                    "IMS: {} cycles of {} vectors, all distinct\n",
                    cycles,
                    slots
                ),
                Err(e) => dev_err!(pdev, "IMS: allocation cycles failed: {:?}\n", e),
            }
        }
        #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
        {
            ims.jobs = JobIrqs::new(&ims, msix);
        }
        // Without the self-test jobs, nothing takes completions on MSI-X
        // (and the driver asks for no vector for them).
        #[cfg(not(CONFIG_VFIO_MDEV_IDXD_SELFTEST))]
        let _ = msix;
        if ims.domain.is_some() {
            if let Err(e) = ims.alloc_adi_vectors() {
                dev_warn!(pdev, "IMS: no vectors for the vDSAs: {:?}\n", e);
            }
        }
        ims
    }

    /// The driver's shared state.
    #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The IMS domain; [`ENODEV`] if the device has none.
    pub(crate) fn domain(&self) -> Result<&Domain<'bound, BAR0_MIN>> {
        self.domain.as_ref().ok_or(ENODEV)
    }

    fn update_in_use(&self) {
        if let Some(d) = &self.domain {
            self.shared.ims.inner.lock().in_use = d.in_use();
        }
    }

    /// Allocates a vector for work that `cookie` allows, registers `handler` on it and gets its
    /// interrupt handle. Give it back with [`Ims::free`].
    pub(crate) fn alloc<H: irq::Handler + 'static>(
        &self,
        cookie: Cookie,
        handler: impl PinInit<H, Error> + 'bound,
    ) -> Result<ImsVector<'bound, H>> {
        let vector = self.domain()?.alloc(Index::Any, cookie)?;
        let slot = u16::try_from(vector.index())?;
        let irq = KBox::pin_init(
            vector.register(irq::Flags::TRIGGER_NONE, c"idxd_vdcm-ims", handler),
            GFP_KERNEL,
        )?;
        let handle = if self.shared.caps.version_major >= 2 {
            self.shared
                .exec(Command::RequestIntHandle(IntTable::Ims, slot))?
        } else {
            slot
        };
        self.update_in_use();
        Ok(ImsVector { irq, handle })
    }

    /// Frees a vector, giving its handle back to the device first: `handle`, the one the device
    /// gave last for its slot (a recovery from a halt requests them again).
    pub(crate) fn free<H: irq::Handler + 'static>(&self, v: ImsVector<'bound, H>, handle: u16) {
        if self.shared.caps.version_major >= 2 {
            // Best effort: the reset at unbind drops all handles anyway.
            let _ = self
                .shared
                .exec(Command::ReleaseIntHandle(IntTable::Ims, handle));
        }
        drop(v);
        self.update_in_use();
    }

    /// Allocates the vector of each WQ left for vDSAs, for work of the WQ's
    /// host PASID, and tells the WQ's slot its handle.
    fn alloc_adi_vectors(&mut self) -> Result {
        let shared = self.shared.clone();
        self.adi.reserve(shared.adi.slots.len(), GFP_KERNEL)?;
        for slot in shared.adi.slots.iter() {
            let cookie = Cookie::pasid_only(slot.pasid.pasid())?;
            let v = self.alloc(cookie, Ok::<_, Error>(CompletionIrq(slot.clone())))?;
            slot.set_vector(Some((u16::try_from(v.slot())?, v.handle())));
            self.adi.push(v, GFP_KERNEL)?;
        }
        Ok(())
    }

    /// Allocates every free slot, checks they are distinct and that no more is free, and frees
    /// them.
    fn cycle(&self) -> Result {
        let domain = self.domain()?;
        let slots = domain.slots() as usize;
        let mut seen = KVec::from_elem(false, slots, GFP_KERNEL)?;
        let mut vectors = KVec::with_capacity(slots, GFP_KERNEL)?;
        let before = domain.in_use();
        for _ in before as usize..slots {
            let v = domain.alloc(Index::Any, Cookie::ANY)?;
            let slot = v.index() as usize;
            if slot >= slots || seen[slot] {
                dev_err!(self.pdev, "IMS: slot {} allocated twice\n", slot);
                return Err(EIO);
            }
            seen[slot] = true;
            vectors.push(v, GFP_KERNEL)?;
        }
        if domain.alloc(Index::Any, Cookie::ANY).err() != Some(ENOSPC) {
            dev_err!(self.pdev, "IMS: an allocation beyond the table\n");
            return Err(EIO);
        }
        drop(vectors);
        if domain.in_use() != before {
            return Err(EIO);
        }
        Ok(())
    }
}

impl Drop for Ims<'_> {
    fn drop(&mut self) {
        // The vDSAs are gone (their parent goes first at unbind).
        let shared = self.shared.clone();
        while let Some(v) = self.adi.pop() {
            let entry = u16::try_from(v.slot()).ok();
            let h = shared
                .adi
                .slots
                .iter()
                .find(|s| entry.is_some() && s.ims_slot() == entry)
                .and_then(|s| s.handle())
                .unwrap_or(v.handle());
            self.free(v, h);
        }
        for slot in shared.adi.slots.iter() {
            slot.set_vector(None);
        }
        #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
        core::mem::take(&mut self.jobs).free(self);
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_ims)]
mod tests {
    use super::*;

    /// The DSA's IMS entry control: bit 0 mask, bit 3 PASID enable, PASID in
    /// bits 31:12.
    fn control(pasid: u32) -> u64 {
        (u64::from(pasid) << 12) | (1 << 3)
    }

    #[test]
    fn cookie_is_the_entry_control_pasid_part() {
        for pasid in [0, 1, 0x12345, 0xfffff] {
            let Ok(c) = Cookie::pasid_only(pasid) else {
                panic!("a 20-bit PASID makes a cookie");
            };
            assert_eq!(c.raw(), control(pasid));
            // Never the mask bit: the chip owns it.
            assert_eq!(c.raw() & 1, 0);
            assert_eq!(c.pasid(), Some(pasid));
        }
        assert_eq!(Cookie::ANY.raw(), 0);
        assert_eq!(Cookie::ANY.pasid(), None);
        assert_eq!(Cookie::pasid_only(1 << 20).err(), Some(EINVAL));
    }

    #[test]
    fn index_any_is_msi_any_index() {
        assert_eq!(Index::Any.raw(), u32::MAX);
        assert_eq!(Index::At(255).raw(), 255);
    }
}
