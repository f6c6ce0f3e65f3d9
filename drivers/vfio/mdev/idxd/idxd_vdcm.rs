// SPDX-License-Identifier: GPL-2.0

//! VFIO mediated devices for Intel DSA work queues.
//!
//! The host driver for the Intel Data Streaming Accelerator (DSA). It owns the
//! physical function and exposes its work queues (WQs) as assignable device
//! interfaces (ADIs): VFIO mediated devices, virtual DSAs, whose slow path is
//! emulated here and whose submission portals are mapped to the hardware.
//!
//! The physical function's driver maps the control registers (BAR0) and the
//! portals (BAR2), checks the capabilities and the Scalable IOV DVSEC (see
//! [`siov`]), resets the device, configures the host's own WQs from the
//! module parameters (see [`config`]), runs admin commands with their
//! completion interrupt (see [`device`] and [`irq`]), reports software
//! errors (see [`swerr`]) and recovers from halts (see [`halt`]). With
//! `CONFIG_VFIO_MDEV_IDXD_SELFTEST`, it runs self-test jobs on the host's
//! WQs through debugfs (see `submit` and `job_irqs`). Its state is under
//! `/sys/kernel/debug/idxd_vdcm-<device>/` (see [`debugfs`]). On a device
//! whose Scalable IOV check passed, the WQs the host leaves become vDSAs
//! (see [`vdsa`]), with completion interrupts from the device's IMS (see
//! [`ims`]).
//!
//! Teardown order, at unbind: remove the vDSAs (each waits until userspace
//! has closed it) and the mdev parent, stop and wait for debugfs users,
//! disable the WQs and the device and reset it, free the interrupt, detach
//! the kernel PASID, unmap the BARs.

use kernel::{
    device::{Bound, Core},
    io::Io,
    iommu::pasid::{GlobalPasid, KernelPasid},
    irq::{self, IrqRequest},
    mdev, pci, portal,
    prelude::*,
    sync::{atomic::Atomic, new_mutex, Arc, Completion, Mutex},
};

mod cmd;
mod config;
mod debugfs;
mod desc;
mod device;
mod dma;
mod event_irq;
mod halt;
mod ims;
#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
mod job_irqs;
mod regs;
mod siov;
#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
mod submit;
mod swerr;
mod vdsa;

use cmd::Command;
use config::{AdiWqs, Plan};
use debugfs::DebugFsDir;
use device::{exec_polled, read_caps, Bar0};
pub(crate) use device::{Shared, BAR0_MIN};
use event_irq::EventIrq;
use halt::HaltState;
use regs::{Capabilities, DeviceState, Tables, WQ_PORTALS_BYTES};
#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
use submit::{Jobs, Pool};
use swerr::SwerrLog;
use vdsa::adi::{AdiPool, AdiSlot};

/// The MSI-X table entry of the completion interrupts of the host's
/// self-test jobs: the last one, which is a vDSA's WQ's (entry 0 carries the
/// device's events, entry `i + 1` WQ `i`'s completions, and vDSAs take
/// theirs through IMS). `None` if that is a host WQ's.
fn selftest_msix_entry(caps: &Capabilities, plan: &Plan) -> Option<u16> {
    let entry = u16::from(caps.num_wqs);
    plan.wqs()
        .all(|wq| dma::msix_entry(wq.index) != entry)
        .then_some(entry)
}

/// Per-device state, alive from a successful probe until unbind.
#[pin_data(PinnedDrop)]
struct Dsa<'bound> {
    pdev: &'bound pci::Device<Bound>,
    shared: Arc<Shared>,
    /// The debugfs directory; taken at unbind.
    #[pin]
    debugfs: Mutex<Option<DebugFsDir>>,
    #[pin]
    irq: irq::ThreadedRegistration<'bound, EventIrq>,
    /// Detached at unbind, after the device is reset (the PCI core
    /// requires the device to have no PASID attached when the driver is
    /// gone).
    #[pin]
    pasid: Mutex<Option<KernelPasid>>,
    /// The mdev parent of the vDSAs, if the device can have them; taken
    /// first at unbind.
    #[pin]
    vdsa: Mutex<Option<Pin<KBox<mdev::Parent<vdsa::VdsaDriver>>>>>,
    /// The IMS domain and the host's IMS vectors; taken at unbind, before
    /// the device is reset.
    #[pin]
    ims: Mutex<Option<ims::Ims<'bound>>>,
    /// The host WQs' dmaengine channels; taken at unbind, before the IMS
    /// domain.
    #[pin]
    dma: Mutex<Option<dma::HostDma<'bound>>>,
}

struct IdxdVdcm;

kernel::pci_device_table!(
    PCI_TABLE,
    <IdxdVdcm as pci::Driver>::IdInfo,
    [
        // Sapphire Rapids, DSA 1.0.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x0b25), ()),
        // Granite Rapids-D.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x11fb), ()),
        // Diamond Rapids.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1212), ()),
    ]
);

impl pci::Driver for IdxdVdcm {
    type IdInfo = ();
    type Data<'bound> = Dsa<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || Self::setup(pdev))
    }

    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        let s = &this.shared;
        // The vDSAs go first: removing each waits until userspace has
        // closed it (asked through its request interrupt), and closing
        // disables its WQ.
        drop(this.vdsa.lock().take());
        // Running jobs stop submitting and wait for what they have in
        // flight; removing the files waits for them.
        #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
        s.jobs.stop();
        drop(this.debugfs.lock().take());
        if let Some(dma) = this.dma.lock().take() {
            dma.shutdown(s);
        }
        drop(this.ims.lock().take());
        if let Err(e) = s.disable() {
            dev_warn!(pdev, "leaving the device unreset: {:?}\n", e);
        }
        drop(this.pasid.lock().take());
    }
}

/// What probe learns of a device it can drive.
struct Checked {
    caps: Capabilities,
    tables: Tables,
    plan: Plan,
}

impl IdxdVdcm {
    /// Checks, resets and configures the device, and returns the
    /// initialiser of the driver's data, which enables it.
    fn setup<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
    ) -> Result<impl PinInit<Dsa<'bound>, Error> + 'bound> {
        pdev.enable_device_mem()?;
        pdev.set_master();

        let bar = pdev.iomap_region_sized::<BAR0_MIN>(0, c"idxd_vdcm")?;
        let Checked { caps, tables, plan } = Self::check(pdev, &bar)?;
        Self::reset(pdev, &bar)?;

        // The mediated devices need the DVSEC; the host's own WQs do not.
        let siov = siov::enable(pdev)
            .inspect_err(|e| dev_warn!(pdev, "no mediated devices: {}\n", e))
            .is_ok();

        // The host's shared WQ tags its DMA with a PASID that translates
        // like the device's own DMA; the ADIs need PASIDs too.
        let pasid = KernelPasid::new(pdev.as_ref()).inspect_err(|e| {
            dev_err!(
                pdev,
                "refusing device: the IOMMU gives it no PASID ({:?})\n",
                e
            );
        })?;

        let bar2 = pdev
            .iomap_region_sized::<WQ_PORTALS_BYTES>(2, c"idxd_vdcm")?
            .into_devres()?;
        let portals_len = usize::from(caps.num_wqs) * WQ_PORTALS_BYTES;
        if pdev.resource_len(2)? < portals_len as u64 {
            dev_err!(pdev, "refusing device: BAR2 is too small for the portals\n");
            return Err(ENODEV);
        }

        // Vector 0 carries the device's events; vector `i + 1` the
        // completions of host WQ `i`'s channel (see `dma`); the last one
        // those of the self-test jobs (see `job_irqs`), if they run.
        let bound: &'bound pci::Device<Bound> = pdev;
        let vectors = bound.alloc_irq_vectors_devres(
            1,
            u32::from(caps.num_wqs) + 1,
            pci::IrqTypes::default().with(pci::IrqType::MsiX),
        )?;
        let request = vectors.request(0)?;
        // A device that grants fewer vectors than one per host WQ gets no
        // channels, but still its vDSAs.
        let mut dma_requests = Some(KVec::new());
        for wq in plan.wqs() {
            let entry = dma::msix_entry(wq.index);
            match vectors.request(entry.into()) {
                Ok(r) => {
                    if let Some(reqs) = dma_requests.as_mut() {
                        reqs.push(r, GFP_KERNEL)?;
                    }
                }
                Err(e) => {
                    dev_warn!(
                        pdev,
                        "no MSI-X vector {} for host WQ {} ({:?}): no dmaengine channels\n",
                        entry,
                        wq.index,
                        e
                    );
                    dma_requests = None;
                    break;
                }
            }
        }
        let completion = match selftest_msix_entry(&caps, &plan) {
            Some(entry) if cfg!(CONFIG_VFIO_MDEV_IDXD_SELFTEST) => vectors
                .request(entry.into())
                .ok()
                .map(|request| (entry, request)),
            _ => None,
        };
        let pasid_value = pasid.pasid();

        let adi = if siov {
            plan.adi_wqs(&caps, module_parameters::swq_vdsas.value())
        } else {
            None
        };
        if adi.is_some_and(|a| a.shared.is_some()) && !portal::has_enqcmds() {
            dev_err!(pdev, "refusing device: the CPU has no ENQCMDS\n");
            return Err(ENODEV);
        }
        let (adi_slots, user_portals) = Self::adi_resources(bound, adi, portals_len)?;

        #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
        let pool = Pool::new(pdev.as_ref())?;
        let shared = Arc::pin_init(
            try_pin_init!(Shared {
                pdev: pdev.into(),
                bar0: Arc::new(bar.into_devres()?, GFP_KERNEL)?,
                bar2,
                caps,
                tables,
                plan,
                siov,
                pasid: pasid_value,
                cmd_lock <- new_mutex!(()),
                cmd_done <- Completion::new(),
                #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
                jobs <- Jobs::new(pool),
                halt: HaltState::new(),
                swerr: SwerrLog::new(),
                adi <- AdiPool::new(adi, adi_slots, user_portals),
                vfio_calls: Atomic::new(0),
                ims <- ims::Status::new(),
                dma: dma::Status::new(),
                dma_live <- new_mutex!(None),
            }? Error),
            GFP_KERNEL,
        )?;
        let debugfs = debugfs::create(pdev, &shared)?;

        let handler = EventIrq {
            shared: shared.clone(),
        };
        Ok(try_pin_init!(Dsa {
            pdev: bound,
            shared: shared.clone(),
            debugfs <- new_mutex!(Some(debugfs)),
            irq <- irq::ThreadedRegistration::new_static(
                request,
                irq::Flags::SHARED,
                c"idxd_vdcm",
                Ok::<_, Error>(handler),
            ),
            pasid <- new_mutex!(Some(pasid)),
            vdsa <- new_mutex!(None),
            ims <- new_mutex!(None),
            dma <- new_mutex!(None),
        }? Error)
        .pin_chain(move |dsa| Self::start(&dsa, completion, dma_requests)))
    }

    /// Reads the capabilities and plans the host's WQs, refusing with one
    /// message a device the driver cannot drive.
    fn check(pdev: &pci::Device<Core<'_>>, bar: &Bar0<'_>) -> Result<Checked> {
        let bar_len = usize::try_from(pdev.resource_len(0)?).map_err(|_| ENODEV)?;
        let (caps, tables) = read_caps(pdev, bar, bar_len)?;

        dev_info!(
            pdev,
            "DSA {}.{}: {} WQs (size {}), {} groups, {} engines, max transfer {} bytes\n",
            caps.version_major,
            caps.version_minor,
            caps.num_wqs,
            caps.total_wq_size,
            caps.num_groups,
            caps.num_engines,
            caps.max_xfer_bytes
        );
        dev_dbg!(pdev, "tables: {:?}\n", tables);

        if !caps.configurable {
            dev_err!(pdev, "refusing device: its configuration is read-only\n");
            return Err(ENODEV);
        }
        let plan = Plan::new(
            &caps,
            module_parameters::dwq_size.value(),
            module_parameters::swq_size.value(),
        )
        .map_err(|e| {
            dev_err!(pdev, "refusing device: {}\n", e);
            EINVAL
        })?;
        if plan.dedicated.is_some() && !portal::has_movdir64b() {
            dev_err!(pdev, "refusing device: the CPU has no MOVDIR64B\n");
            return Err(ENODEV);
        }
        if plan.shared.is_some() && !portal::has_enqcmds() {
            dev_err!(pdev, "refusing device: the CPU has no ENQCMDS\n");
            return Err(ENODEV);
        }
        Ok(Checked { caps, tables, plan })
    }

    /// Resets the device, to start from a known state whatever firmware or
    /// an earlier driver left behind.
    fn reset(pdev: &pci::Device<Core<'_>>, bar: &Bar0<'_>) -> Result {
        exec_polled(bar, Command::ResetDevice).inspect_err(|e| {
            dev_err!(pdev, "device reset failed: {:?}\n", e);
        })?;
        let state = bar.read(regs::GENSTS).state();
        if state != DeviceState::Disabled {
            dev_err!(pdev, "refusing device: still {:?} after reset\n", state);
            return Err(EIO);
        }
        Ok(())
    }

    /// What the host keeps for the WQs left for vDSAs, `adi`: a host PASID
    /// per dedicated WQ and per vDSA of the shared WQ for as long as the
    /// device is bound (see `vdsa::adi`), and the
    /// portal pages userspace maps (the first `portals_len` bytes of BAR 2).
    fn adi_resources(
        pdev: &pci::Device<Bound>,
        adi: Option<AdiWqs>,
        portals_len: usize,
    ) -> Result<(KVec<Arc<AdiSlot>>, Option<portal::UserPortals>)> {
        let user_portals = match adi {
            Some(_) => Some(portal::UserPortals::new(pdev, 2, 0, portals_len as u64)?),
            None => None,
        };
        let mut slots = KVec::new();
        for wq in adi.iter().flat_map(AdiWqs::indices) {
            let pasid = GlobalPasid::new(pdev.as_ref())?;
            slots.push(AdiSlot::new(wq, false, pasid)?, GFP_KERNEL)?;
        }
        if let Some(swq) = adi.and_then(|a| a.shared) {
            for _ in 0..swq.vdsas {
                let pasid = GlobalPasid::new(pdev.as_ref())?;
                slots.push(AdiSlot::new(swq.index, true, pasid)?, GFP_KERNEL)?;
            }
        }
        Ok((slots, user_portals))
    }

    /// Configures and enables the device, sets up IMS, and registers the
    /// mdev parent of the vDSAs: the last step of probe, once the driver's
    /// data (with the event interrupt) is in place.
    fn start<'bound>(
        dsa: &Dsa<'bound>,
        completion: Option<(u16, IrqRequest<'bound>)>,
        dma_requests: Option<KVec<IrqRequest<'bound>>>,
    ) -> Result {
        let s = &dsa.shared;
        s.configure()?;
        s.enable().inspect_err(|_| {
            let _ = s.disable();
        })?;
        *dsa.ims.lock() = Some(ims::Ims::new(
            dsa.pdev,
            s.clone(),
            module_parameters::ims_cycles.value(),
            completion,
        ));
        if let Some(requests) = dma_requests {
            match dma::HostDma::new(dsa.pdev, s, requests) {
                Ok(dma) => *dsa.dma.lock() = Some(dma),
                Err(e) => dev_warn!(dsa.pdev, "no dmaengine channels: {:?}\n", e),
            }
        }
        for wq in s.plan.wqs() {
            dev_info!(
                dsa.pdev,
                "WQ {}: {} entries, {}\n",
                wq.index,
                wq.size,
                wq.mode.name()
            );
        }
        if let Some(adi) = s.adi.wqs {
            let parent = vdsa::VdsaParent::new(s.clone(), dsa.pdev)
                .and_then(|data| {
                    KBox::pin_init(mdev::Parent::new(dsa.pdev.as_ref(), data), GFP_KERNEL)
                })
                .inspect_err(|_| {
                    let _ = s.disable();
                })?;
            *dsa.vdsa.lock() = Some(parent);
            if adi.count > 0 {
                dev_info!(
                    dsa.pdev,
                    "vDSAs: {} WQs ({}-{}) of {} entries\n",
                    adi.count,
                    adi.first,
                    adi.last(),
                    adi.size
                );
            }
            if let Some(swq) = adi.shared {
                dev_info!(
                    dsa.pdev,
                    "vDSAs: shared WQ {} of {} entries for {} vDSAs of {} entries\n",
                    swq.index,
                    swq.size,
                    swq.vdsas,
                    swq.vdsa_size()
                );
            }
        }
        Ok(())
    }
}

#[pinned_drop]
impl PinnedDrop for Dsa<'_> {
    fn drop(self: Pin<&mut Self>) {
        dev_dbg!(
            self.pdev,
            "unbound (DSA {}.{})\n",
            self.shared.caps.version_major,
            self.shared.caps.version_minor
        );
    }
}

kernel::module_pci_driver! {
    type: IdxdVdcm,
    name: "idxd_vdcm",
    authors: ["The vDSA developers"],
    description: "VFIO mediated devices for Intel DSA work queues",
    license: "GPL v2",
    params: {
        dwq_size: u32 {
            default: 16,
            description: "Entries of the host's dedicated WQ (MOVDIR64B); 0: none",
        },
        swq_size: u32 {
            default: 16,
            description: "Entries of the host's shared WQ (ENQCMDS); 0: none",
        },
        swq_vdsas: u32 {
            default: 0,
            description: "vDSAs of type 1swq-v1 (at most 64, one per entry): the last WQ left for vDSAs is shared by them; 0: none",
        },
        unsafe_user_portals: u32 {
            default: 0,
            description: "1: let a vDSA's opener without CAP_SYS_RAWIO map its portals (accepts INTEL-SA-01084)",
        },
        ims_cycles: u32 {
            default: 0,
            description: "Test: allocate and free every IMS vector this many times at probe",
        },
    },
}
