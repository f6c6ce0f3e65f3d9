// SPDX-License-Identifier: GPL-2.0

//! Device portals: 64-byte commands stored in one piece.
//!
//! Some devices (Intel DSA and IAA among them) take work as 64-byte
//! descriptors written to a *portal*, a 64-byte aligned MMIO address. The
//! device must see each descriptor as one 64-byte write, never as a series
//! of smaller ones it could observe half done. Two x86-64 instructions do
//! that:
//!
//! - MOVDIR64B, a direct store: posted, always taken. Dedicated work queues
//!   take descriptors this way; software must not submit more than the queue
//!   holds.
//! - ENQCMDS, an enqueue store: the device answers whether it took the
//!   command. Shared work queues take descriptors this way and refuse them
//!   while full; [`enqcmds`] then returns [`EAGAIN`] and the caller retries
//!   (a bounded number of times) or gives up.
//!
//! There is no fallback: on a CPU without the instruction the functions
//! return [`EOPNOTSUPP`] rather than tear a descriptor into smaller stores.
//! Callers check [`has_movdir64b`] or [`has_enqcmds`] once, at probe.
//!
//! The portal is any MMIO region ([`Io`] with the MMIO backend), such as a
//! [`pci::Bar`](crate::pci::Bar); the offset is checked against the region's
//! size and the alignment of the resulting address at run time.

use crate::{
    bindings,
    error::{code::*, to_result},
    io::{Io, IoBackend, IoBase, MmioBackend},
    prelude::*,
};

/// Bytes in one command.
pub const COMMAND_SIZE: usize = 64;

/// A 64-byte command, aligned to 64 bytes as the stores' destinations are.
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Command(pub [u8; COMMAND_SIZE]);

impl Command {
    /// A command of zero bytes.
    pub const fn zeroed() -> Self {
        Self([0; COMMAND_SIZE])
    }
}

/// Returns whether the CPU has MOVDIR64B, needed by [`movdir64b`].
pub fn has_movdir64b() -> bool {
    #[cfg(CONFIG_X86_64)]
    {
        // SAFETY: The helper only reads the boot CPU's capability bits.
        unsafe { bindings::portal_has_movdir64b() }
    }
    #[cfg(not(CONFIG_X86_64))]
    false
}

/// Returns whether the CPU has ENQCMDS, needed by [`enqcmds`].
pub fn has_enqcmds() -> bool {
    #[cfg(CONFIG_X86_64)]
    {
        // SAFETY: The helper only reads the boot CPU's capability bits.
        unsafe { bindings::portal_has_enqcmds() }
    }
    #[cfg(not(CONFIG_X86_64))]
    false
}

/// Returns the address of the portal at `offset` in `io`, checking that a
/// whole command fits there and that the address is 64-byte aligned.
fn portal_addr<'a, IO>(io: IO, offset: usize) -> Result<*mut c_void>
where
    IO: IoBase<'a, Backend = MmioBackend>,
{
    let end = offset.checked_add(COMMAND_SIZE).ok_or(EINVAL)?;
    if end > io.size() {
        return Err(EINVAL);
    }
    let base = MmioBackend::as_ptr(io.as_view()).cast::<u8>();
    let addr = base.wrapping_add(offset);
    if addr.addr() % COMMAND_SIZE != 0 {
        return Err(EINVAL);
    }
    Ok(addr.cast())
}

/// Stores `cmd` at `offset` in `io` as one 64-byte direct store
/// (MOVDIR64B).
///
/// Fails with [`EINVAL`] if the 64 bytes at `offset` are not inside `io` or
/// not 64-byte aligned, and with [`EOPNOTSUPP`] on a CPU without MOVDIR64B.
pub fn movdir64b<'a, IO>(io: IO, offset: usize, cmd: &Command) -> Result
where
    IO: IoBase<'a, Backend = MmioBackend>,
{
    let dst = portal_addr(io, offset)?;
    if !has_movdir64b() {
        return Err(EOPNOTSUPP);
    }
    #[cfg(CONFIG_X86_64)]
    // SAFETY: `dst` is the address of 64 bytes inside the MMIO region `io`,
    // mapped for `'a` by the invariant of `Mmio`, and 64-byte aligned, as
    // checked by `portal_addr`. `cmd` is valid for reading 64 bytes. The CPU
    // has the instruction.
    unsafe {
        bindings::movdir64b_io(dst, core::ptr::from_ref(cmd).cast())
    };
    Ok(())
}

/// Stores `cmd` at `offset` in `io` as one 64-byte enqueue store (ENQCMDS,
/// with the PASID and privilege of the command's first dword).
///
/// Returns [`EAGAIN`] if the device did not take the command (its queue is
/// full); the caller may retry. Fails with [`EINVAL`] if the 64 bytes at
/// `offset` are not inside `io` or not 64-byte aligned, and with
/// [`EOPNOTSUPP`] on a CPU without ENQCMDS.
pub fn enqcmds<'a, IO>(io: IO, offset: usize, cmd: &Command) -> Result
where
    IO: IoBase<'a, Backend = MmioBackend>,
{
    let dst = portal_addr(io, offset)?;
    if !has_enqcmds() {
        return Err(EOPNOTSUPP);
    }
    #[cfg(CONFIG_X86_64)]
    {
        // SAFETY: As for `movdir64b`: `dst` addresses 64 aligned bytes
        // inside the mapped region, `cmd` is valid for reading 64 bytes,
        // the CPU has the instruction, and the kernel runs at CPL 0.
        let ret = unsafe { bindings::enqcmds(dst, core::ptr::from_ref(cmd).cast()) };
        to_result(ret)
    }
    #[cfg(not(CONFIG_X86_64))]
    Err(EOPNOTSUPP)
}

/// Pages of portals of a PCI BAR that userspace may map, to submit commands
/// itself.
///
/// Created by the driver that owns the BAR, for the range of it that holds
/// the portals it hands out; [`UserPortals::map`] maps pages of that range,
/// uncached, into a VMA being set up by `mmap(2)`. Nothing else of the BAR
/// can be mapped through it.
///
/// The mapping is not revoked when the driver unbinds: the driver keeps the
/// file that was mapped open (and its device bound) as long as a mapping
/// exists, as VFIO does for a device file.
///
/// # Invariants
///
/// `[phys, phys + len)` is within a memory BAR of a PCI device, page
/// aligned.
pub struct UserPortals {
    phys: u64,
    len: u64,
}

impl UserPortals {
    /// The range `[offset, offset + len)` of BAR `bar` of `pdev`, which must
    /// be page aligned and within the BAR.
    pub fn new(
        pdev: &crate::pci::Device<crate::device::Bound>,
        bar: u32,
        offset: u64,
        len: u64,
    ) -> Result<Self> {
        let page = crate::page::PAGE_SIZE as u64;
        let start = pdev.resource_start(bar)?;
        let bar_len = pdev.resource_len(bar)?;
        let end = offset.checked_add(len).ok_or(EINVAL)?;
        if start == 0 || start % page != 0 || offset % page != 0 || len % page != 0 || end > bar_len
        {
            return Err(EINVAL);
        }
        // INVARIANT: Checked above.
        Ok(Self {
            phys: start + offset,
            len,
        })
    }

    /// Maps the bytes `[offset, offset + vma length)` of the range, uncached,
    /// at the start of `vma`; `offset` must be page aligned and the whole
    /// VMA within the range.
    pub fn map(&self, vma: &crate::mm::virt::VmaNew, offset: u64) -> Result {
        let page = crate::page::PAGE_SIZE as u64;
        let size = (vma.end() - vma.start()) as u64;
        let end = offset.checked_add(size).ok_or(EINVAL)?;
        if offset % page != 0 || size == 0 || end > self.len {
            return Err(EINVAL);
        }
        vma.set_dontcopy();
        vma.set_dontexpand();
        let pfn = (self.phys + offset) / page;
        // SAFETY: `vma` is being set up by `mmap(2)` (type invariant of `VmaNew`), the range
        // `[vma.start(), vma.end())` is the whole VMA, and the pages mapped are MMIO pages of a
        // PCI BAR (type invariant), never RAM the kernel uses.
        to_result(unsafe {
            bindings::portal_remap_user(vma.as_ptr(), vma.start(), pfn as usize, size as usize)
        })
    }
}

/// Returns whether the file being mapped into `vma` was opened by a task
/// with `CAP_SYS_RAWIO` (in the initial user namespace).
pub fn opener_has_rawio(vma: &crate::mm::virt::VmaNew) -> bool {
    // SAFETY: `vma` is a valid VMA for the duration of the call; the helper
    // reads its file's credentials.
    unsafe { bindings::portal_opener_has_rawio(vma.as_ptr()) }
}
