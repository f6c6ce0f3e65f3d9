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
    io::{poll::read_poll_timeout, Io},
    pci,
    prelude::*,
    time::Delta, //
};

mod cmd;
mod regs;

use cmd::{Command, Outcome};
use regs::{Capabilities, DeviceState, Tables};

// TIMEOUT: the DSA architecture gives no bound for an admin command; a reset
// of a busy device drains it first. One second is far above what the
// hardware and the emulated device take.
const CMD_TIMEOUT: Delta = Delta::from_millis(1000);
const CMD_POLL: Delta = Delta::from_micros(100);

/// Bytes of BAR0 this driver reaches today: the capability registers.
const BAR0_MAPPED: usize = 0x1000;

type Bar0<'bound> = pci::Bar<'bound, BAR0_MAPPED>;

/// Per-device state, alive from a successful probe until unbind.
struct Dsa<'bound> {
    pdev: &'bound pci::Device,
    bar0: Bar0<'bound>,
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

impl Dsa<'_> {
    /// Runs one admin command to completion by polling `CMDSTS`, and
    /// returns its result or the kernel error code for its failure.
    ///
    /// Completion interrupts come with the device's interrupt set-up; until
    /// then the driver polls, which is only done at probe and unbind.
    fn exec(bar: &Bar0<'_>, command: Command) -> Result<u16> {
        // An earlier command that never finished (a device in a bad state)
        // must not be overwritten.
        Self::wait_idle(bar)?;
        bar.write_reg(command.encode(false)?);
        let sts = Self::wait_idle(bar)?;
        Outcome::from_status(sts).into_result()
    }

    /// Waits until no admin command is active and returns `CMDSTS`.
    fn wait_idle(bar: &Bar0<'_>) -> Result<regs::CMDSTS> {
        read_poll_timeout(
            || Ok(bar.read(regs::CMDSTS)),
            |s| !s.active().into_bool(),
            CMD_POLL,
            CMD_TIMEOUT,
        )
    }

    /// Resets the device to its disabled, unconfigured state.
    fn reset(pdev: &pci::Device, bar: &Bar0<'_>) -> Result {
        Self::exec(bar, Command::ResetDevice).inspect_err(|e| {
            dev_err!(pdev, "device reset failed: {:?}\n", e);
        })?;
        let state = bar.read(regs::GENSTS).state();
        if state != DeviceState::Disabled {
            dev_err!(pdev, "device still {:?} after reset\n", state);
            return Err(EIO);
        }
        Ok(())
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

        // Start from a known state, whatever firmware or an earlier driver
        // left behind.
        Dsa::reset(pdev, &bar)?;

        Ok(Dsa {
            pdev,
            bar0: bar,
            caps,
        })
    }
}

impl Drop for Dsa<'_> {
    fn drop(&mut self) {
        // Leave the device reset for the next driver.
        if let Err(e) = Dsa::reset(self.pdev, &self.bar0) {
            dev_warn!(self.pdev, "leaving the device unreset: {:?}\n", e);
        }
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
