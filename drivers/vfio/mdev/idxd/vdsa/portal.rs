// SPDX-License-Identifier: GPL-2.0

//! The vDSA's BAR 2: the portals of its WQ, mapped to the hardware.
//!
//! A DSA has four 4 KiB portal pages per WQ in its BAR 2, at
//! `wq * 0x4000`: unlimited and limited MSI-X portals, then unlimited and
//! limited IMS portals. A vDSA's BAR 2 is 16 KiB, laid out as a DSA with
//! one WQ would have it, but its first two pages map the WQ's IMS portals:
//! page 0 the unlimited one, page 1 the limited one (the page the upstream
//! idxd driver submits through). A completion interrupt requested through
//! an IMS portal indexes the IMS table, whose entries check the PASID, so a
//! vDSA cannot raise the host's MSI-X vectors. Pages 2 and 3 are not
//! mapped.
//!
//! INTEL-SA-01084: upstream idxd treats submission from user space as
//! unsafe on every DSA and lets only `CAP_SYS_RAWIO` map a portal. The vDSA
//! applies the same rule to the opener of the VFIO device, unless the
//! operator accepted the advisory with the module parameter
//! `unsafe_user_portals`.
//!
//! The portal pages can also be written through VFIO instead of being
//! mapped (a VMM that traps them, a VFIO program's `pwrite`): one write of
//! a whole 64-byte descriptor at a descriptor slot. The driver checks it
//! ([`check`]), as upstream idxd checks a descriptor written to its
//! character device, and stores it into the WQ's portal with MOVDIR64B;
//! this path needs no capability.

use kernel::{
    mm::virt::VmaNew,
    portal,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    uaccess::UserSliceReader,
    vfio::{self, pci},
};

use crate::{
    desc::{Fields, COMPLETION_BYTES, OPCODE_BATCH},
    regs::{IMS_PORTALS, PORTAL_PAGE_BYTES, WQ_PORTALS_BYTES},
    Shared,
};

/// Size of a vDSA's BAR 2: the portal pages of one WQ, as on the DSA.
pub(crate) const BAR2_SIZE: u64 = WQ_PORTALS_BYTES as u64;

/// Bytes of the vDSA's BAR 2 that are mapped: the two portal pages.
const MAPPED: u64 = 2 * PORTAL_PAGE_BYTES as u64;

/// The areas of BAR 2 that can be mapped, for the sparse mmap capability.
pub(crate) const SPARSE_AREAS: [(u64, u64); 1] = [(0, MAPPED)];

/// Set once the opt-in has been logged.
static LOGGED_UNSAFE: Atomic<bool> = Atomic::new(false);

/// Maps the pages of the vDSA's BAR 2 from `pos` (a file offset) into
/// `vma`: only from the BAR 2 region, within the portal pages, shared, and
/// with `CAP_SYS_RAWIO` or the operator's opt-in.
pub(crate) fn mmap(shared: &Shared, wq: u16, vma: &VmaNew, pos: u64) -> Result {
    let (index, off) = vfio::split_offset(pos);
    if index != u64::from(pci::BAR2_REGION_INDEX) {
        return Err(EINVAL);
    }
    let len = (vma.end() - vma.start()) as u64;
    if off.checked_add(len).is_none_or(|end| end > MAPPED) {
        return Err(EINVAL);
    }
    // A private mapping of a portal would be copied on write, not stored.
    if vma.flags() & kernel::bindings::VM_SHARED == 0 || vma.executable() {
        return Err(EINVAL);
    }
    if !portal::opener_has_rawio(vma) {
        if crate::module_parameters::unsafe_user_portals.value() == 0 {
            return Err(EPERM);
        }
        if !LOGGED_UNSAFE.xchg(true, Relaxed) {
            pr_warn!(
                "vDSA portals mapped without CAP_SYS_RAWIO (unsafe_user_portals=1, INTEL-SA-01084 accepted)\n"
            );
        }
    }
    let portals = shared.adi.user_portals.as_ref().ok_or(ENODEV)?;
    let wq_base = u64::from(wq) * WQ_PORTALS_BYTES as u64;
    portals.map(vma, wq_base + IMS_PORTALS as u64 + off)
}

/// What a descriptor written through VFIO may be, for one vDSA.
pub(crate) struct Allowed<'a> {
    /// The operations the vDSA shows in OPCAP (256 bits).
    pub(crate) opcap: &'a [u64; 4],
    /// The vDSA's interrupt handle, if it has one.
    pub(crate) handle: Option<u16>,
    /// Whether a batch may be submitted: its descriptors are in memory the
    /// driver does not check, which INTEL-SA-01084 rules out on DSA 1.0.
    pub(crate) batch: bool,
}

/// Checks a descriptor written through VFIO: its operation is one the vDSA
/// shows (a batch only where [`Allowed::batch`]), its completion record is
/// aligned as the device requires (a misaligned one confuses the device),
/// and a completion interrupt names the vDSA's own handle. `EINVAL` if not.
pub(crate) fn check(cmd: &portal::Command, allowed: &Allowed<'_>) -> Result {
    let f = Fields::of(cmd);
    let opcode: u8 = f.dw1.opcode().into();
    let shown = allowed.opcap[usize::from(opcode / 64)] & (1 << (opcode % 64)) != 0;
    if !shown || (opcode == OPCODE_BATCH && !allowed.batch) {
        return Err(EINVAL);
    }
    if f.dw1.crav().into_bool() && f.completion % COMPLETION_BYTES as u64 != 0 {
        return Err(EINVAL);
    }
    if f.dw1.rci().into_bool() && allowed.handle != Some(f.int_handle) {
        return Err(EINVAL);
    }
    Ok(())
}

/// Submits the descriptor of a VFIO write of `buf` at `off` of BAR 2: the
/// whole 64 bytes at a descriptor slot of a portal page, checked
/// ([`check`]), then stored into the same page of `wq`'s IMS portals with
/// MOVDIR64B. `EINVAL` for any other write or a descriptor that fails the
/// checks; nothing is submitted then.
pub(crate) fn write(
    shared: &Shared,
    wq: u16,
    allowed: &Allowed<'_>,
    off: u64,
    buf: &mut UserSliceReader,
) -> Result<usize> {
    let len = buf.len();
    if len != portal::COMMAND_SIZE || off % len as u64 != 0 || off >= MAPPED {
        return Err(EINVAL);
    }
    let mut cmd = portal::Command::zeroed();
    buf.read_slice(&mut cmd.0)?;
    check(&cmd, allowed)?;
    let bar = shared.bar2.try_access().ok_or(ENODEV)?;
    let at = usize::from(wq) * WQ_PORTALS_BYTES + IMS_PORTALS + off as usize;
    portal::movdir64b(&*bar, at, &cmd)?;
    Ok(len)
}
