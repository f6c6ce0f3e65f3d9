// SPDX-License-Identifier: GPL-2.0

//! The interrupts of the host's self-test jobs (`CONFIG_VFIO_MDEV_IDXD_SELFTEST`, see
//! `submit`).
//!
//! The host keeps five IMS vectors with counting handlers for its jobs (`submit ... ims`): two
//! for work of its kernel PASID, one for work of any PASID, one for another PASID (which must
//! not raise it), and one for its kernel PASID, masked. It also registers a counting handler on
//! the last MSI-X entry (`submit ... msix`), the reference IMS is measured against.
//! A job checks that each handler counted exactly the completions it may raise.
//!
//! [`JobIrqs`] owns the vectors and is dropped with the IMS domain at unbind; [`JobVectors`],
//! what a job needs of them, is kept in the IMS status that jobs and debugfs read.

use kernel::{
    fmt,
    irq::{self, IrqRequest, IrqReturn},
    pci::ims::Cookie,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
};

use crate::{
    cmd::{Command, IntTable},
    ims::{Ims, ImsVector},
    submit::JobIrq,
    Shared,
};

/// Interrupts counted by a handler.
pub(crate) struct Counter(Atomic<u64>);

impl Counter {
    fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(Counter(Atomic::new(0)), GFP_KERNEL)?)
    }

    /// Interrupts so far.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// A handler that counts its interrupts.
pub(crate) struct CountingHandler(Arc<Counter>);

impl irq::Handler for CountingHandler {
    fn handle(&self) -> IrqReturn {
        self.0 .0.fetch_add(1, Relaxed);
        IrqReturn::Handled
    }
}

/// What a host job needs of a kept vector.
#[derive(Clone)]
pub(crate) struct JobVector {
    /// The interrupt handle for descriptors.
    pub(crate) handle: u16,
    /// The slot.
    pub(crate) slot: u32,
    /// The Linux interrupt number.
    pub(crate) irq: u32,
    /// The only PASID whose work may raise it, if any.
    pub(crate) pasid: Option<u32>,
    /// Masked: raises nothing.
    pub(crate) masked: bool,
    /// Its handler's count.
    pub(crate) counter: Arc<Counter>,
}

/// The vectors jobs may use, as the IMS status keeps them.
#[derive(Default)]
pub(crate) struct JobVectors {
    /// The IMS job vectors.
    ims: KVec<JobVector>,
    /// The MSI-X completion vector.
    msix: Option<JobVector>,
}

impl JobVectors {
    /// The vectors of a job: none to poll, the IMS job vectors, the first
    /// of them, or the MSI-X completion vector; [`ENODEV`] if there are
    /// none.
    pub(crate) fn for_job(&self, irq: JobIrq) -> Result<KVec<JobVector>> {
        let chosen = match irq {
            JobIrq::Poll => return Ok(KVec::new()),
            JobIrq::Ims => &self.ims[..],
            JobIrq::Ims1 => self.ims.get(..1).unwrap_or(&[]),
            JobIrq::MsiX => self.msix.as_slice(),
        };
        if chosen.is_empty() {
            return Err(ENODEV);
        }
        let mut v = KVec::with_capacity(chosen.len(), GFP_KERNEL)?;
        for jv in chosen {
            v.push(jv.clone(), GFP_KERNEL)?;
        }
        Ok(v)
    }

    /// Requests the handles again after a reset took them back (DSA 2.0).
    pub(crate) fn reissue_int_handles(&mut self, shared: &Shared) -> Result {
        if let Some(v) = self.msix.as_mut() {
            let entry = u16::try_from(v.slot)?;
            v.handle = shared.exec(Command::RequestIntHandle(IntTable::MsiX, entry))?;
        }
        for v in self.ims.iter_mut() {
            v.handle = shared.exec(Command::RequestIntHandle(
                IntTable::Ims,
                u16::try_from(v.slot)?,
            ))?;
        }
        Ok(())
    }

    /// Writes the vectors, for the `config` file.
    pub(crate) fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for v in self.ims.iter() {
            write!(
                f,
                "ims_vector slot {} handle {} irq {} ",
                v.slot, v.handle, v.irq
            )?;
            match v.pasid {
                Some(p) => write!(f, "pasid {p}")?,
                None => write!(f, "pasid any")?,
            }
            writeln!(
                f,
                " masked {} count {}",
                u8::from(v.masked),
                v.counter.get()
            )?;
        }
        if let Some(v) = &self.msix {
            writeln!(
                f,
                "msix_vector entry {} handle {} irq {} count {}",
                v.slot,
                v.handle,
                v.irq,
                v.counter.get()
            )?;
        }
        Ok(())
    }
}

/// The job vectors the host keeps, with the IMS domain.
#[derive(Default)]
pub(crate) struct JobIrqs<'bound> {
    ims: KVec<ImsVector<'bound, CountingHandler>>,
    /// The MSI-X completion vector's handler and handle.
    msix: Option<(Pin<KBox<irq::Registration<'bound, CountingHandler>>>, u16)>,
}

impl<'bound> JobIrqs<'bound> {
    /// The job vectors of `ims`: the MSI-X completion vector `msix`, if
    /// there is one, and the IMS job vectors, if the device has an IMS
    /// domain. What cannot be had is logged and left out.
    pub(crate) fn new(ims: &Ims<'bound>, msix: Option<(u16, IrqRequest<'bound>)>) -> Self {
        let pdev = &ims.shared().pdev;
        let mut jobs = Self::default();
        if let Some((entry, request)) = msix {
            if let Err(e) = jobs.register_msix(ims, entry, request) {
                dev_warn!(pdev, "no MSI-X completion vector: {:?}\n", e);
            }
        }
        if ims.domain().is_ok() {
            if let Err(e) = jobs.alloc_ims(ims) {
                dev_warn!(pdev, "IMS: no vectors for the host's jobs: {:?}\n", e);
            }
        }
        jobs
    }

    /// Registers a counting handler on the MSI-X completion vector (entry
    /// `entry`) and gets its handle.
    fn register_msix(
        &mut self,
        ims: &Ims<'bound>,
        entry: u16,
        request: IrqRequest<'bound>,
    ) -> Result {
        let shared = ims.shared();
        let counter = Counter::new()?;
        let irq = request.irq();
        let reg = KBox::pin_init(
            irq::Registration::new_static(
                request,
                irq::Flags::TRIGGER_NONE,
                c"idxd_vdcm-msix",
                Ok::<_, Error>(CountingHandler(counter.clone())),
            ),
            GFP_KERNEL,
        )?;
        let handle = if shared.caps.version_major >= 2 {
            shared.exec(Command::RequestIntHandle(IntTable::MsiX, entry))?
        } else {
            entry
        };
        self.msix = Some((reg, handle));
        let vector = JobVector {
            handle,
            slot: entry.into(),
            irq,
            pasid: None,
            masked: false,
            counter,
        };
        shared.ims.with_jobs(|j| j.msix = Some(vector));
        Ok(())
    }

    /// Allocates the IMS job vectors: two for the kernel PASID, one for any
    /// PASID, one for a PASID the host does not use, and one for the kernel
    /// PASID, masked.
    fn alloc_ims(&mut self, ims: &Ims<'bound>) -> Result {
        let shared = ims.shared();
        let kernel = Cookie::pasid_only(shared.pasid)?;
        // Any other 20-bit PASID.
        let other = Cookie::pasid_only(shared.pasid ^ 1)?;
        let plan = [
            (kernel, false),
            (kernel, false),
            (Cookie::ANY, false),
            (other, false),
            (kernel, true),
        ];
        self.ims.reserve(plan.len(), GFP_KERNEL)?;
        let mut jobs = KVec::with_capacity(plan.len(), GFP_KERNEL)?;
        for (cookie, masked) in plan {
            let counter = Counter::new()?;
            let v = ims.alloc(cookie, Ok::<_, Error>(CountingHandler(counter.clone())))?;
            if masked {
                v.disable();
            }
            jobs.push(
                JobVector {
                    handle: v.handle(),
                    slot: v.slot(),
                    irq: v.irq(),
                    pasid: v.pasid(),
                    masked,
                    counter,
                },
                GFP_KERNEL,
            )?;
            self.ims.push(v, GFP_KERNEL)?;
        }
        shared.ims.with_jobs(|j| j.ims = jobs);
        Ok(())
    }

    /// Frees the vectors, jobs no longer seeing them first; their handles
    /// are the device's last.
    pub(crate) fn free(mut self, ims: &Ims<'bound>) {
        let shared = ims.shared();
        let JobVectors { ims: jobs, msix } = shared.ims.with_jobs(core::mem::take);
        while let Some(v) = self.ims.pop() {
            let h = jobs
                .iter()
                .find(|j| j.slot == v.slot())
                .map_or(v.handle(), |j| j.handle);
            ims.free(v, h);
        }
        if let Some((reg, handle)) = self.msix.take() {
            if shared.caps.version_major >= 2 {
                let handle = msix.map_or(handle, |m| m.handle);
                // Best effort: the reset at unbind drops all handles anyway.
                let _ = shared.exec(Command::ReleaseIntHandle(IntTable::MsiX, handle));
            }
            drop(reg);
        }
    }
}
