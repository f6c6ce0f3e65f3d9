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
//!
//! A `1swq-v1` vDSA's portal pages are never mapped: its WQ is a share of
//! a shared WQ, which takes a descriptor only with ENQCMDS and the PASID
//! the descriptor names. Each descriptor written there is checked, given
//! the vDSA's host PASID, unprivileged, and stored into the shared WQ's
//! limited IMS portal with ENQCMDS ([`SharedDescriptor`]).

use kernel::{
    mm::virt::VmaNew,
    portal,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    time::{delay::fsleep, Delta, Instant, Monotonic},
    uaccess::UserSliceReader,
    vfio::{self, pci},
};

use crate::{
    desc::{Dword0, Fields, COMPLETION_BYTES, OPCODE_BATCH},
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
    /// Whether a descriptor may block on a page fault: not on a shared
    /// WQ, which the blocked descriptor would stall for the other vDSAs
    /// (and no vDSA has page requests to resolve the fault).
    pub(crate) block_on_fault: bool,
}

/// Checks a descriptor written through VFIO: its operation is one the vDSA
/// shows (a batch only where [`Allowed::batch`]), it blocks on faults only
/// where [`Allowed::block_on_fault`], its completion record is aligned as
/// the device requires (a misaligned one confuses the device), and a
/// completion interrupt names the vDSA's own handle. `EINVAL` if not.
pub(crate) fn check(cmd: &portal::Command, allowed: &Allowed<'_>) -> Result {
    let f = Fields::of(cmd);
    let opcode: u8 = f.dw1.opcode().into();
    let shown = allowed.opcap[usize::from(opcode / 64)] & (1 << (opcode % 64)) != 0;
    if !shown || (opcode == OPCODE_BATCH && !allowed.batch) {
        return Err(EINVAL);
    }
    if f.dw1.block_on_fault().into_bool() && !allowed.block_on_fault {
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

/// Reads the descriptor of a VFIO write of `buf` at `off` of BAR 2 and
/// checks it: the whole 64 bytes at a descriptor slot of a portal page,
/// passing [`check`]. `EINVAL` for any other write.
fn read_checked(
    allowed: &Allowed<'_>,
    off: u64,
    buf: &mut UserSliceReader,
) -> Result<portal::Command> {
    let len = buf.len();
    if len != portal::COMMAND_SIZE || off % len as u64 != 0 || off >= MAPPED {
        return Err(EINVAL);
    }
    let mut cmd = portal::Command::zeroed();
    buf.read_slice(&mut cmd.0)?;
    check(&cmd, allowed)?;
    Ok(cmd)
}

/// Submits the descriptor of a VFIO write of `buf` at `off` of BAR 2 (see
/// [`read_checked`]) into the same page of `wq`'s IMS portals with
/// MOVDIR64B. `EINVAL` for any other write or a descriptor that fails the
/// checks; nothing is submitted then.
pub(crate) fn write(
    shared: &Shared,
    wq: u16,
    allowed: &Allowed<'_>,
    off: u64,
    buf: &mut UserSliceReader,
) -> Result<usize> {
    let cmd = read_checked(allowed, off, buf)?;
    let bar = shared.bar2.try_access().ok_or(ENODEV)?;
    let at = usize::from(wq) * WQ_PORTALS_BYTES + IMS_PORTALS + off as usize;
    portal::movdir64b(&*bar, at, &cmd)?;
    Ok(portal::COMMAND_SIZE)
}

// TIMEOUT: a vDSA that keeps to its WQ's size never finds the shared WQ
// full (see `crate::config::AdiSharedWq`); one whose descriptor is refused
// went past it, or waits behind one that did, for entries that the device
// frees in microseconds (milliseconds under emulation). After this long,
// the descriptor is dropped as a full WQ drops it.
const SHARED_WAIT: Delta = Delta::from_millis(20);
/// The pause between two tries of a refused descriptor.
const SHARED_BACKOFF: Delta = Delta::from_micros(20);

/// A descriptor of a `1swq-v1` vDSA: checked, and what the shared WQ made
/// of it.
pub(crate) struct SharedDescriptor {
    cmd: portal::Command,
    /// Its operation, for a software error.
    pub(crate) opcode: u8,
}

impl SharedDescriptor {
    /// The descriptor of a VFIO write of `buf` at `off` of a `1swq-v1`
    /// vDSA's BAR 2, checked as [`write`] checks it; `EINVAL` if not.
    pub(crate) fn read(allowed: &Allowed<'_>, off: u64, buf: &mut UserSliceReader) -> Result<Self> {
        let cmd = read_checked(allowed, off, buf)?;
        let opcode = Fields::of(&cmd).dw1.opcode().into();
        Ok(Self { cmd, opcode })
    }

    /// Submits the descriptor to the shared WQ `wq` for the vDSA whose host
    /// PASID is `pasid`: dword 0 becomes that PASID, unprivileged, whatever
    /// the writer put there, and the descriptor is stored into the WQ's
    /// limited IMS portal with ENQCMDS. While the WQ refuses it, the
    /// writer waits its turn among the writers it refused
    /// ([`super::adi::Turns`]), for [`SHARED_WAIT`] at most: [`EBUSY`]
    /// then. May sleep.
    pub(crate) fn submit(mut self, shared: &Shared, wq: u16, pasid: u32) -> Result {
        let dw0 = Dword0::zeroed()
            .try_with_pasid(pasid)?
            .with_privileged(false);
        self.cmd.0[..4].copy_from_slice(&dw0.into_raw().to_le_bytes());
        let at = usize::from(wq) * WQ_PORTALS_BYTES + IMS_PORTALS + PORTAL_PAGE_BYTES;
        let enqcmds = || {
            let bar = shared.bar2.try_access().ok_or(ENODEV)?;
            portal::enqcmds(&*bar, at, &self.cmd)
        };
        let turns = &shared.adi.swq_turns;
        if turns.waiting.load(Relaxed) == 0 {
            match enqcmds() {
                Err(e) if e == EAGAIN => {}
                other => return other,
            }
        }
        turns.waiting.fetch_add(1, Relaxed);
        let result = {
            let _turn = turns.turn.lock();
            let start = Instant::<Monotonic>::now();
            loop {
                match enqcmds() {
                    Err(e) if e == EAGAIN => {}
                    other => break other,
                }
                if start.elapsed() > SHARED_WAIT {
                    break Err(EBUSY);
                }
                fsleep(SHARED_BACKOFF);
            }
        };
        turns.waiting.fetch_sub(1, Relaxed);
        result
    }
}
