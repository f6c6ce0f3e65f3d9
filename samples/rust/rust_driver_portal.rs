// SPDX-License-Identifier: GPL-2.0

//! Rust sample driver for 64-byte portal stores (based on QEMU's
//! `enqueue-testdev`).
//!
//! To make this driver probe, QEMU must be run with `-device enqueue-testdev`
//! and a CPU with MOVDIR64B and ENQCMDS. The device's BAR 0 holds a page of
//! 64-bit registers and a portal page. The driver checks, through the
//! device's own counters and its copy of the last store, that a direct store
//! arrives whole and that the device's refusal of an enqueue store reaches
//! the driver as `EAGAIN`. Each check is logged; probe fails if one fails.

use kernel::{
    device::Core,
    io::Io,
    pci,
    portal::{self, Command},
    prelude::*,
};

/// Offsets in BAR 0.
mod regs {
    pub(super) const ID: usize = 0x00;
    pub(super) const QUEUE_DEPTH: usize = 0x08;
    pub(super) const QUEUED: usize = 0x10;
    pub(super) const DIRECT: usize = 0x18;
    pub(super) const ENQUEUED: usize = 0x20;
    pub(super) const RETRIED: usize = 0x28;
    pub(super) const PARTIAL: usize = 0x30;
    pub(super) const LAST: usize = 0x40;
    pub(super) const PORTAL: usize = 0x1000;
    pub(super) const END: usize = 0x2000;
}

/// "ENQTESTD", the device's ID register.
const DEVICE_ID: u64 = 0x4454_5345_5451_4e45;

type Bar0<'bound> = pci::Bar<'bound, { regs::END }>;

struct PortalSample<'bound> {
    pdev: &'bound pci::Device,
    _bar: Bar0<'bound>,
}

struct PortalDriver;

kernel::pci_device_table!(
    PCI_TABLE,
    <PortalDriver as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::REDHAT, 0x15), ())]
);

/// Reads the 64 bytes of the device's copy of the last store.
fn last_store(bar: &Bar0<'_>) -> Result<Command> {
    let mut last = Command::zeroed();
    for (i, chunk) in last.0.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&bar.try_read64(regs::LAST + i * 8)?.to_le_bytes());
    }
    Ok(last)
}

/// A command whose bytes are all different, so a torn or shifted store
/// shows. `first` is the first dword: the PASID and privilege of an enqueue.
fn pattern(seed: u8, first: u32) -> Command {
    let mut cmd = Command::zeroed();
    for (i, b) in cmd.0.iter_mut().enumerate() {
        *b = seed.wrapping_add(i as u8);
    }
    cmd.0[..4].copy_from_slice(&first.to_le_bytes());
    cmd
}

impl PortalSample<'_> {
    /// Logs one check; returns an error if it failed.
    fn check(pdev: &pci::Device, name: &str, ok: bool) -> Result {
        if ok {
            dev_info!(pdev, "check: {}: ok\n", name);
            Ok(())
        } else {
            dev_err!(pdev, "check: {}: FAILED\n", name);
            Err(EIO)
        }
    }

    fn run_checks(pdev: &pci::Device, bar: &Bar0<'_>) -> Result {
        Self::check(pdev, "device ID", bar.try_read64(regs::ID)? == DEVICE_ID)?;

        // A direct store arrives as one 64-byte store with the exact bytes.
        let cmd = pattern(0x10, 0x1234_5678);
        let direct = bar.try_read64(regs::DIRECT)?;
        let partial = bar.try_read64(regs::PARTIAL)?;
        portal::movdir64b(bar, regs::PORTAL, &cmd)?;
        Self::check(
            pdev,
            "movdir64b: one whole store with the exact bytes",
            bar.try_read64(regs::DIRECT)? == direct + 1
                && bar.try_read64(regs::PARTIAL)? == partial
                && last_store(bar)? == cmd,
        )?;

        // Offsets outside the region or not 64-byte aligned are refused
        // before any store.
        let refused = [regs::PORTAL + 8, regs::END - 32, usize::MAX - 8]
            .iter()
            .all(|&off| portal::movdir64b(bar, off, &cmd) == Err(EINVAL));
        Self::check(
            pdev,
            "movdir64b: misaligned and out-of-range portals give EINVAL",
            refused && bar.try_read64(regs::DIRECT)? == direct + 1,
        )?;

        // An enqueue store is taken while the queue has room, refused with
        // EAGAIN when it is full, and taken again once it is drained. The
        // privilege bit (31) and the PASID pass through; bits 30:20 are
        // reserved and cleared by the CPU.
        bar.try_write64(2, regs::QUEUE_DEPTH)?;
        bar.try_write64(0, regs::QUEUED)?;
        let enqueued = bar.try_read64(regs::ENQUEUED)?;
        let retried = bar.try_read64(regs::RETRIED)?;
        let first = pattern(0x40, (1 << 31) | 0x2a);
        let second = pattern(0x80, (1 << 31) | 0x2b);
        let taken = portal::enqcmds(bar, regs::PORTAL, &first).is_ok()
            && portal::enqcmds(bar, regs::PORTAL, &second).is_ok();
        Self::check(
            pdev,
            "enqcmds: taken while the queue has room",
            taken && bar.try_read64(regs::ENQUEUED)? == enqueued + 2 && last_store(bar)? == second,
        )?;

        let full = portal::enqcmds(bar, regs::PORTAL, &first);
        Self::check(
            pdev,
            "enqcmds: a full queue refuses with EAGAIN",
            full == Err(EAGAIN)
                && bar.try_read64(regs::RETRIED)? == retried + 1
                && bar.try_read64(regs::ENQUEUED)? == enqueued + 2,
        )?;

        bar.try_write64(0, regs::QUEUED)?;
        let again = portal::enqcmds(bar, regs::PORTAL, &first);
        Self::check(
            pdev,
            "enqcmds: taken again once the queue is drained",
            again.is_ok() && bar.try_read64(regs::ENQUEUED)? == enqueued + 3,
        )?;

        let reserved = pattern(0xc0, 0x7ff0_0007);
        bar.try_write64(0, regs::QUEUED)?;
        portal::enqcmds(bar, regs::PORTAL, &reserved)?;
        let mut expected = reserved;
        expected.0[..4].copy_from_slice(&7u32.to_le_bytes());
        Self::check(
            pdev,
            "enqcmds: reserved bits 30:20 of the first dword are cleared",
            last_store(bar)? == expected,
        )?;
        bar.try_write64(0, regs::QUEUED)?;
        Ok(())
    }
}

impl pci::Driver for PortalDriver {
    type IdInfo = ();
    type Data<'bound> = PortalSample<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        if !portal::has_movdir64b() || !portal::has_enqcmds() {
            dev_err!(pdev, "the CPU lacks MOVDIR64B or ENQCMDS\n");
            return Err(ENODEV);
        }
        pdev.enable_device_mem()?;
        let bar = pdev.iomap_region_sized::<{ regs::END }>(0, c"rust_driver_portal")?;
        PortalSample::run_checks(pdev, &bar)?;
        dev_info!(pdev, "all checks passed\n");
        Ok(PortalSample { pdev, _bar: bar })
    }
}

impl Drop for PortalSample<'_> {
    fn drop(&mut self) {
        dev_dbg!(self.pdev, "unbound\n");
    }
}

kernel::module_pci_driver! {
    type: PortalDriver,
    name: "rust_driver_portal",
    authors: ["The vDSA developers"],
    description: "Rust sample driver for 64-byte portal stores",
    license: "GPL v2",
}
