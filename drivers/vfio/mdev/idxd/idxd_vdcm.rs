// SPDX-License-Identifier: GPL-2.0

//! VFIO mediated devices for Intel DSA work queues.
//!
//! The host driver for the Intel Data Streaming Accelerator (DSA). It owns the
//! physical function and will expose its work queues (WQs) as assignable device
//! interfaces (ADIs): VFIO mediated devices, virtual DSAs, whose slow path is
//! emulated here and whose submission portals are mapped to the hardware.
//!
//! This first part binds to the DSA devices, maps the control registers and
//! reads the capability registers into typed values, refusing a device whose
//! registers it does not understand.

use kernel::{
    device::Core,
    io::Io,
    pci,
    prelude::*, //
};

mod cmd;
mod regs;

use regs::{Capabilities, Tables};

/// Bytes of BAR0 this driver reaches today: the capability registers.
const BAR0_MAPPED: usize = 0x1000;

type Bar0<'bound> = pci::Bar<'bound, BAR0_MAPPED>;

/// Per-device state, alive from a successful probe until unbind.
struct Dsa<'bound> {
    pdev: &'bound pci::Device,
    _bar0: Bar0<'bound>,
    caps: Capabilities,
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

impl Dsa<'_> {
    /// Reads the capability registers and the table offsets and decodes
    /// them, refusing with one message a device the driver cannot drive.
    fn read_caps(
        pdev: &pci::Device,
        bar: &Bar0<'_>,
        bar_len: usize,
    ) -> Result<(Capabilities, Tables)> {
        // The 64-bit registers are read with a run-time alignment check: the
        // BAR's I/O region only promises 4-byte alignment at build time. The
        // offsets are 8-byte aligned in a page-aligned BAR, so they pass.
        let caps = Capabilities::decode(
            bar.read(regs::VERSION),
            bar.try_read(regs::GENCAP)?,
            bar.try_read(regs::WQCAP)?,
            bar.try_read(regs::GRPCAP)?,
            bar.try_read(regs::ENGCAP)?,
        )
        .and_then(|caps| {
            let offsets = bar
                .try_read(regs::TABLE_OFFSETS)
                .map_err(|_| regs::CapsError::Reserved("TABLE_OFFSETS"))?;
            Ok((caps, Tables::decode(offsets, &caps, bar_len)?))
        });
        caps.map_err(|e| {
            dev_err!(pdev, "refusing device: {}\n", e);
            ENODEV
        })
    }
}

impl pci::Driver for IdxdVdcm {
    type IdInfo = ();
    type Data<'bound> = Dsa<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pdev.enable_device_mem()?;
        pdev.set_master();

        let bar = pdev.iomap_region_sized::<BAR0_MAPPED>(0, c"idxd_vdcm")?;

        let bar_len = usize::try_from(pdev.resource_len(0)?).map_err(|_| ENODEV)?;
        let (caps, tables) = Dsa::read_caps(pdev, &bar, bar_len)?;

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

        Ok(Dsa {
            pdev,
            _bar0: bar,
            caps,
        })
    }
}

impl Drop for Dsa<'_> {
    fn drop(&mut self) {
        dev_dbg!(
            self.pdev,
            "unbound (DSA {}.{})\n",
            self.caps.version_major,
            self.caps.version_minor
        );
    }
}

kernel::module_pci_driver! {
    type: IdxdVdcm,
    name: "idxd_vdcm",
    authors: ["The vDSA developers"],
    description: "VFIO mediated devices for Intel DSA work queues",
    license: "GPL v2",
}
