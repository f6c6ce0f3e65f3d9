// SPDX-License-Identifier: GPL-2.0

//! The vDSA's control registers: BAR0, emulated.
//!
//! A vDSA of type `1dwq-v1` shows one dedicated WQ in one group with one
//! engine, configured by the host and read-only to the guest (`GENCAP`
//! reports no configuration support). The capability registers are fixed
//! when the vDSA is created, from the physical WQ it is backed by: its size,
//! its transfer and batch limits, and the operations of the physical device.
//! The guest writes only `GENCTRL`, `INTCAUSE` (write 1 to clear), `CMD`,
//! `SWERR` (write 1 to clear) and `MSIX_PERM`; a write to `CMD` hands the
//! command to the virtual command engine ([`super::vcmd`]), which runs it and
//! reports in `CMDSTS`. Writes to any other register are ignored.
//!
//! The registers the guest or the device change are atomics: a read needs
//! no lock and never waits for a command in progress, and the guest's
//! writes other than `CMD` are single atomic stores or read-modify-writes.
//! The virtual command engine, which changes several registers at a time,
//! runs under the vDSA's command lock (see [`super::vcmd`]).
//!
//! Accesses are 4 or 8 bytes, naturally aligned, inside the BAR; an 8-byte
//! access covers two dwords, so the two halves of a 64-bit register may also
//! be accessed one at a time. Offsets inside the BAR that hold no register
//! read 0. The MSI-X table and PBA, also in this BAR, are emulated by the
//! VMM, like vfio-pci's: they read 0 here and writes to them are ignored.
//!
//! Layout (offsets in BAR0):
//!
//! ```text
//!   0x000 - 0x0df  general registers (VERSION .. SWERR)
//!   0x400 - 0x43f  GRPCFG of group 0
//!   0x500 - 0x51f  WQCFG of WQ 0
//!   0x600 - 0x60f  MSIX_PERM of vectors 0 and 1
//!   0x800 - 0x81f  MSI-X table (2 vectors)
//!   0xc00 - 0xc07  MSI-X PBA
//! ```

use kernel::{
    io::register::Register,
    num::Bounded,
    prelude::*,
    sync::atomic::{Acquire, Atomic, Relaxed, Release},
};

use crate::regs::{
    self, grpcfg, wqcfg, MsixPerm, WqcfgLimits, WqcfgMode, WqcfgSize, WqcfgState, CMD, CMDCAP,
    CMDSTS, ENGCAP, GENCAP, GENCTRL, GENSTS, GRPCAP, INTCAUSE, OPCAP, SWERR0, TABLE_OFFSETS,
    VERSION, WQCAP,
};
use crate::regs::{DeviceState, SWERR1, TABLE_OFFSET_UNIT};

use super::migration::{StreamReader, StreamWriter};

/// Size of BAR0: a power of two that holds every register, the tables and
/// the MSI-X table and PBA.
pub(crate) const SIZE: u64 = 0x1000;

/// Offset of the group configuration table.
const GRPCFG: usize = 0x400;
/// Offset of the WQ configuration table.
const WQCFG: usize = 0x500;
/// Offset of the MSI-X permissions table.
const MSIX_PERM: usize = 0x600;
/// Offset of the MSI-X table (a multiple of 8, as the capability requires).
pub(crate) const MSIX_TABLE: u32 = 0x800;
/// Offset of the MSI-X pending bit array.
pub(crate) const MSIX_PBA: u32 = 0xc00;
/// MSI-X vectors: 0 for device events (commands, errors), 1 for the WQ's
/// completion interrupts.
pub(crate) const VECTORS: u16 = 2;

/// Bytes of the WQCFG entry of the one WQ (`WQCAP.wqcfg_size` 0).
const WQCFG_BYTES: usize = 32;
/// Bytes of one MSI-X permissions entry.
const MSIX_PERM_BYTES: usize = 8;
/// Bytes of the software error register.
const SWERR_BYTES: usize = 32;
/// Bytes of the operation capabilities register.
const OPCAP_BYTES: usize = 32;

/// `WqcfgState.state` of an enabled WQ.
const WQ_STATE_ENABLED: Bounded<u32, 2> = Bounded::<u32, 2>::new::<1>();

/// The architecture version the type shows: DSA 1.0.
const VERSION_1_0: u32 = 0x100;

/// Command codes the type supports (`CMDCAP`): 1 to 10 (device and WQ
/// commands), 13 and 14 (request and release an interrupt handle). Drain
/// and abort PASID (11, 12) are not offered: the WQ has no PASID.
const CMDCAP_CODES: u32 = 0x7ffe & !(1 << 11 | 1 << 12);

/// Offset of a register, for matching.
const fn at<R: Register>() -> usize {
    R::OFFSET
}

/// What the vDSA shows of the physical WQ backing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backing {
    /// The physical device's general capabilities.
    pub(crate) gencap: GENCAP,
    /// The physical device's operation capabilities (256 bits).
    pub(crate) opcap: [u64; 4],
    /// Entries of the physical WQ.
    pub(crate) wq_size: u16,
    /// Priority of the physical WQ in its group (1 to 15).
    pub(crate) priority: u8,
    /// Log2 of the physical WQ's largest transfer.
    pub(crate) max_xfer_shift: u8,
    /// Log2 of the physical WQ's largest batch.
    pub(crate) max_batch_shift: u8,
}

/// A guest's write that needs more than storing: the command it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// Nothing more to do.
    Stored,
    /// `CMD` was written: run the command (see [`super::vcmd::execute`]).
    Command(CMD),
}

/// The guest-visible state of a register file, as a value: what
/// [`Registers::reset`] restores, and what tests compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State {
    genctrl: u32,
    gensts: u32,
    intcause: u32,
    cmd: u32,
    cmdsts: u32,
    swerr: [u64; 4],
    msix_perm: [u32; VECTORS as usize],
    wq_enabled: bool,
    int_handle: Option<u16>,
}

impl State {
    /// Bytes of [`State::encode`].
    pub(crate) const ENCODED_LEN: usize = 5 * 4 + 4 * 8 + 2 * 4 + 4;

    /// Writes the state to a migration stream.
    pub(crate) fn encode(&self, w: &mut StreamWriter<'_>) {
        for v in [
            self.genctrl,
            self.gensts,
            self.intcause,
            self.cmd,
            self.cmdsts,
        ] {
            w.u32(v);
        }
        for q in self.swerr {
            w.u64(q);
        }
        for p in self.msix_perm {
            w.u32(p);
        }
        w.u8(self.wq_enabled.into());
        w.u8(self.int_handle.is_some().into());
        w.u16(self.int_handle.unwrap_or(0));
    }

    /// Reads a state from a migration stream and checks that it is one the
    /// registers can be in: only the bits the guest or the virtual command
    /// engine set, a device state the engine leaves, and no enabled WQ in a
    /// disabled device. Fails with `EINVAL` otherwise.
    pub(crate) fn decode(r: &mut StreamReader<'_>) -> Result<Self> {
        let [genctrl, gensts, intcause, cmd, cmdsts] = [0; 5].map(|_| r.u32());
        let swerr = [0; 4].map(|_| r.u64());
        let msix_perm = [0; VECTORS as usize].map(|_| r.u32());
        let wq_enabled = r.bool()?;
        let has_handle = r.bool()?;
        let handle = r.u16();
        if !has_handle && handle != 0 {
            return Err(EINVAL);
        }
        let s = Self {
            genctrl,
            gensts,
            intcause,
            cmd,
            cmdsts,
            swerr,
            msix_perm,
            wq_enabled,
            int_handle: has_handle.then_some(handle),
        };
        if s.is_valid() {
            Ok(s)
        } else {
            Err(EINVAL)
        }
    }

    fn is_valid(&self) -> bool {
        let genctrl = GENCTRL::zeroed()
            .with_softerr_int_en(true)
            .with_halt_int_en(true)
            .into_raw();
        let state = |s| GENSTS::zeroed().with_state(s).into_raw();
        let enabled = self.gensts == state(DeviceState::Enabled);
        let halted = self.gensts == state(DeviceState::Halted);
        let intcause = INTCAUSE::zeroed()
            .with_error(true)
            .with_command(true)
            .with_halt_state(true)
            .with_int_handle_revoked(true)
            .into_raw();
        let cmdsts = CMDSTS::zeroed()
            .with_err(u8::MAX)
            .with_result(u16::MAX)
            .into_raw();
        // What the engine records of an error (see `vcmd::software_error`):
        // WQ index 0, no PASID, not privileged.
        let swerr0 = SWERR0::zeroed()
            .with_valid(true)
            .with_overflow(true)
            .with_desc_valid(true)
            .with_wq_idx_valid(true)
            .with_batch(true)
            .with_fault_rw(true)
            .with_error(u8::MAX)
            .with_operation(u8::MAX)
            .into_raw();
        let swerr1 = SWERR1::zeroed()
            .with_batch_idx(u16::MAX)
            .with_invalid_flags(u32::MAX)
            .into_raw();
        let perm = MsixPerm::zeroed()
            .with_ignore(true)
            .with_pasid_en(true)
            .try_with_pasid(0xf_ffffu32)
            .map_or(0, |p| p.into_raw());
        self.genctrl & !genctrl == 0
            && (self.gensts == state(DeviceState::Disabled) || enabled || halted)
            && self.intcause & !intcause == 0
            && self.cmdsts & !cmdsts == 0
            && self.swerr[0] & !swerr0 == 0
            && self.swerr[1] & !swerr1 == 0
            && self.swerr[3] == 0
            && self.msix_perm.iter().all(|&p| p & !perm == 0)
            && (!self.wq_enabled || enabled || halted)
    }

    /// The guest's interrupt handle, if it holds one.
    pub(crate) fn int_handle(&self) -> Option<u16> {
        self.int_handle
    }

    /// Whether an interrupt cause is pending.
    pub(crate) fn intcause(&self) -> u32 {
        self.intcause
    }
}

/// `int_handle` when the guest holds no handle (handles are 16 bits).
const NO_HANDLE: u32 = u32::MAX;

/// Atomically replaces the value of `a` with `f(value)`; returns the old and
/// the new value.
pub(super) fn update(a: &Atomic<u32>, f: impl Fn(u32) -> u32) -> (u32, u32) {
    let mut old = a.load(Relaxed);
    loop {
        let new = f(old);
        match a.cmpxchg(old, new, Relaxed) {
            Ok(_) => return (old, new),
            Err(cur) => old = cur,
        }
    }
}

/// [`update`] of a quadword.
fn update64(a: &Atomic<u64>, f: impl Fn(u64) -> u64) -> u64 {
    let mut old = a.load(Relaxed);
    while let Err(cur) = a.cmpxchg(old, f(old), Relaxed) {
        old = cur;
    }
    old
}

/// The register file of one vDSA.
///
/// The capability and configuration registers are fixed at creation; the
/// others hold the guest-visible state, which [`Registers::reset`] brings
/// back to its values after creation. Reads and the guest's writes need no
/// lock; the methods the virtual command engine uses to change the state
/// expect their caller to hold the vDSA's command lock, so that a command's
/// changes are not mixed with another's.
pub(crate) struct Registers {
    gencap: GENCAP,
    wqcap: WQCAP,
    grpcap: GRPCAP,
    engcap: ENGCAP,
    opcap: [u64; 4],
    table_offsets: TABLE_OFFSETS,
    /// WQCFG dwords 0 to 3 (size, threshold, mode, limits).
    wqcfg: [u32; 4],
    genctrl: Atomic<u32>,
    gensts: Atomic<u32>,
    intcause: Atomic<u32>,
    cmd: Atomic<u32>,
    cmdsts: Atomic<u32>,
    swerr: [Atomic<u64>; 4],
    msix_perm: [Atomic<u32>; VECTORS as usize],
    wq_enabled: Atomic<bool>,
    /// The handle given to the guest, or [`NO_HANDLE`].
    int_handle: Atomic<u32>,
}

impl Registers {
    /// The registers of a vDSA backed by `backing`, at their reset values.
    ///
    /// The transfer and batch limits shown are those of the physical WQ,
    /// bounded by the physical device's. Fails with `EINVAL` for a WQ
    /// without entries or with a priority out of range.
    pub(crate) fn new(backing: &Backing) -> Result<Self> {
        if backing.wq_size == 0 || !(1..=15).contains(&backing.priority) {
            return Err(EINVAL);
        }
        let phys = backing.gencap;
        let xfer = backing.max_xfer_shift.min(u8::from(phys.max_xfer_shift()));
        let batch = backing
            .max_batch_shift
            .min(u8::from(phys.max_batch_shift()));
        // What the engines do with a descriptor comes from the physical
        // device; what concerns configuration, the event log, IMS and page
        // faults (no PASID, no page requests) is left out.
        let gencap = GENCAP::zeroed()
            .with_overlap_copy(phys.overlap_copy().into_bool())
            .with_cache_control_mem(phys.cache_control_mem().into_bool())
            .with_cache_control_cache(phys.cache_control_cache().into_bool())
            .with_dest_readback(phys.dest_readback().into_bool())
            .with_drain_readback(phys.drain_readback().into_bool())
            .with_cmd_cap(true)
            .try_with_max_xfer_shift(xfer)?
            .try_with_max_batch_shift(batch)?;
        let wqcap = WQCAP::zeroed()
            .with_total_wq_size(backing.wq_size)
            .with_num_wqs(1u8)
            .with_dedicated_mode(true);
        let grpcap = GRPCAP::zeroed().with_num_groups(1u8);
        let engcap = ENGCAP::zeroed().with_num_engines(1u8);
        let unit = |off: usize| (off / TABLE_OFFSET_UNIT) as u16;
        let table_offsets = TABLE_OFFSETS::zeroed()
            .with_grpcfg(unit(GRPCFG))
            .with_wqcfg(unit(WQCFG))
            .with_msix_perm(unit(MSIX_PERM));
        let wqcfg = [
            WqcfgSize::zeroed().with_size(backing.wq_size).into_raw(),
            // No threshold: a dedicated WQ's submitter tracks its entries.
            0,
            WqcfgMode::zeroed()
                .with_dedicated(true)
                .try_with_priority(backing.priority)?
                .into_raw(),
            WqcfgLimits::zeroed()
                .try_with_max_xfer_shift(xfer)?
                .try_with_max_batch_shift(batch)?
                .into_raw(),
        ];
        Ok(Self {
            gencap,
            wqcap,
            grpcap,
            engcap,
            opcap: backing.opcap,
            table_offsets,
            wqcfg,
            genctrl: Atomic::new(0),
            gensts: Atomic::new(0),
            intcause: Atomic::new(0),
            cmd: Atomic::new(0),
            cmdsts: Atomic::new(0),
            swerr: [const { Atomic::new(0) }; 4],
            msix_perm: [const { Atomic::new(0) }; VECTORS as usize],
            wq_enabled: Atomic::new(false),
            int_handle: Atomic::new(NO_HANDLE),
        })
    }

    /// The guest-visible state, register by register (each read on its
    /// own: a command running meanwhile may show half done).
    pub(crate) fn state(&self) -> State {
        let handle = self.int_handle.load(Relaxed);
        State {
            genctrl: self.genctrl.load(Relaxed),
            gensts: self.gensts.load(Relaxed),
            intcause: self.intcause.load(Relaxed),
            cmd: self.cmd.load(Relaxed),
            cmdsts: self.cmdsts.load(Relaxed),
            swerr: [0, 1, 2, 3].map(|i| self.swerr[i].load(Relaxed)),
            msix_perm: [0, 1].map(|i| self.msix_perm[i].load(Relaxed)),
            wq_enabled: self.wq_enabled.load(Relaxed),
            int_handle: u16::try_from(handle).ok(),
        }
    }

    /// Sets the guest-visible state to `s` (a state [`State::decode`]
    /// accepted), under the vDSA's command lock.
    pub(super) fn restore(&self, s: &State) {
        self.genctrl.store(s.genctrl, Relaxed);
        self.gensts.store(s.gensts, Relaxed);
        self.intcause.store(s.intcause, Relaxed);
        self.cmd.store(s.cmd, Relaxed);
        for (q, v) in self.swerr.iter().zip(s.swerr) {
            q.store(v, Relaxed);
        }
        for (p, v) in self.msix_perm.iter().zip(s.msix_perm) {
            p.store(v, Relaxed);
        }
        self.wq_enabled.store(s.wq_enabled, Relaxed);
        self.set_int_handle(s.int_handle);
        self.cmdsts.store(s.cmdsts, Release);
    }

    /// Brings the guest-visible state back to its values after creation:
    /// device and WQ disabled, no interrupt cause, no software error, no
    /// interrupt handle, `CMD` and `CMDSTS` zero.
    ///
    /// The caller has disabled the physical WQ and released the handle
    /// (see [`super::vcmd::reset`]).
    pub(super) fn reset(&self) {
        self.genctrl.store(0, Relaxed);
        self.gensts.store(0, Relaxed);
        self.intcause.store(0, Relaxed);
        self.cmd.store(0, Relaxed);
        self.cmdsts.store(0, Relaxed);
        for q in &self.swerr {
            q.store(0, Relaxed);
        }
        for p in &self.msix_perm {
            p.store(0, Relaxed);
        }
        self.wq_enabled.store(false, Relaxed);
        self.int_handle.store(NO_HANDLE, Relaxed);
    }

    /// Checks an access of `size` bytes at `off` and returns the offset of
    /// its first dword.
    fn check(off: u64, size: usize) -> Result<usize> {
        let len: u64 = match size {
            4 => 4,
            8 => 8,
            _ => return Err(EINVAL),
        };
        if off & (len - 1) != 0 || off >= SIZE || SIZE - off < len {
            return Err(EINVAL);
        }
        // Below `SIZE`.
        Ok(off as usize)
    }

    /// Reads `size` bytes (4 or 8) at `off`.
    ///
    /// Fails with `EINVAL` for another size, an unaligned access or one past
    /// the BAR.
    pub(crate) fn read(&self, off: u64, size: usize) -> Result<u64> {
        let off = Self::check(off, size)?;
        let q = self.qword(off & !7);
        Ok(match (size, off & 4) {
            (8, _) => q,
            (_, 0) => q & 0xffff_ffff,
            _ => q >> 32,
        })
    }

    /// Writes `size` bytes (4 or 8) of `value` at `off`.
    ///
    /// Fails with `EINVAL` for another size, an unaligned access or one past
    /// the BAR; a write to a read-only register is ignored.
    pub(crate) fn write(&self, off: u64, size: usize, value: u64) -> Result<Written> {
        let off = Self::check(off, size)?;
        let mut written = self.write_dword(off, value as u32);
        if size == 8 {
            if let Written::Command(cmd) = self.write_dword(off + 4, (value >> 32) as u32) {
                written = Written::Command(cmd);
            }
        }
        Ok(written)
    }

    /// The quadword at `off` (8-byte aligned): the registers narrower than
    /// 64 bits fill its low dword, reserved space reads 0.
    fn qword(&self, off: usize) -> u64 {
        let dword = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
        match off {
            o if o == at::<VERSION>() => u64::from(VERSION_1_0),
            o if o == at::<GENCAP>() => self.gencap.into_raw(),
            o if o == at::<WQCAP>() => self.wqcap.into_raw(),
            o if o == at::<GRPCAP>() => self.grpcap.into_raw(),
            o if o == at::<ENGCAP>() => self.engcap.into_raw(),
            o if (at::<OPCAP>()..at::<OPCAP>() + OPCAP_BYTES).contains(&o) => {
                self.opcap[(o - at::<OPCAP>()) / 8]
            }
            // The second quadword (the performance monitor's offset) is 0.
            o if o == at::<TABLE_OFFSETS>() => self.table_offsets.into_raw(),
            // GENCFG reads 0: no read buffer limit, no event log.
            o if o == at::<GENCTRL>() => self.genctrl.load(Relaxed).into(),
            o if o == at::<GENSTS>() => self.gensts.load(Relaxed).into(),
            o if o == at::<INTCAUSE>() => self.intcause.load(Relaxed).into(),
            o if o == at::<CMD>() => self.cmd.load(Relaxed).into(),
            o if o == at::<CMDSTS>() => self.cmdsts.load(Acquire).into(),
            o if o == at::<CMDCAP>() => CMDCAP_CODES.into(),
            o if (at::<SWERR0>()..at::<SWERR0>() + SWERR_BYTES).contains(&o) => {
                let q = (o - at::<SWERR0>()) / 8;
                if q == 0 {
                    self.swerr[0].load(Acquire)
                } else {
                    self.swerr[q].load(Relaxed)
                }
            }
            o if o == GRPCFG + grpcfg::WQS * 8 => 1,
            o if o == GRPCFG + grpcfg::ENGINES * 8 => 1,
            o if (WQCFG..WQCFG + WQCFG_BYTES).contains(&o) => {
                let d = (o - WQCFG) / 4;
                dword(self.wqcfg_dword(d), self.wqcfg_dword(d + 1))
            }
            o if (MSIX_PERM..MSIX_PERM + usize::from(VECTORS) * MSIX_PERM_BYTES).contains(&o) => {
                self.msix_perm[(o - MSIX_PERM) / MSIX_PERM_BYTES]
                    .load(Relaxed)
                    .into()
            }
            _ => 0,
        }
    }

    /// Dword `d` of the WQ's configuration.
    fn wqcfg_dword(&self, d: usize) -> u32 {
        match d {
            wqcfg::STATE if self.wq_enabled() => {
                WqcfgState::zeroed().with_state(WQ_STATE_ENABLED).into_raw()
            }
            wqcfg::STATE => 0,
            d => self.wqcfg.get(d).copied().unwrap_or(0),
        }
    }

    /// Writes the dword at `off` (4-byte aligned, inside the BAR).
    fn write_dword(&self, off: usize, v: u32) -> Written {
        match off {
            o if o == at::<GENCTRL>() => {
                // No event log: only the software error and halt enables.
                let w = GENCTRL::from_raw(v);
                let kept = GENCTRL::zeroed()
                    .with_softerr_int_en(w.softerr_int_en().into_bool())
                    .with_halt_int_en(w.halt_int_en().into_bool());
                self.genctrl.store(kept.into_raw(), Relaxed);
            }
            o if o == at::<INTCAUSE>() => {
                update(&self.intcause, |c| c & !v);
            }
            o if o == at::<CMD>() => {
                self.cmd.store(v, Relaxed);
                return Written::Command(CMD::from_raw(v));
            }
            o if o == at::<SWERR0>() => {
                // Write 1 to clear `valid` and `overflow`; the rest is
                // read-only.
                let w = SWERR0::from_raw(v.into());
                update64(&self.swerr[0], |q| {
                    let mut e = SWERR0::from_raw(q);
                    if w.valid().into_bool() {
                        e = e.with_valid(false);
                    }
                    if w.overflow().into_bool() {
                        e = e.with_overflow(false);
                    }
                    e.into_raw()
                });
            }
            o if (MSIX_PERM..MSIX_PERM + usize::from(VECTORS) * MSIX_PERM_BYTES).contains(&o)
                && o % MSIX_PERM_BYTES == 0 =>
            {
                // Stored and read back; without PASIDs they change nothing.
                let w = MsixPerm::from_raw(v);
                let kept = MsixPerm::zeroed()
                    .with_ignore(w.ignore().into_bool())
                    .with_pasid_en(w.pasid_en().into_bool())
                    .with_pasid(w.pasid());
                self.msix_perm[(o - MSIX_PERM) / MSIX_PERM_BYTES].store(kept.into_raw(), Relaxed);
            }
            _ => {}
        }
        Written::Stored
    }

    // State the virtual command engine reads and changes, under the
    // vDSA's command lock.

    /// The device state shown in `GENSTS`.
    pub(super) fn device_state(&self) -> DeviceState {
        GENSTS::from_raw(self.gensts.load(Relaxed)).state()
    }

    /// Sets the device state shown in `GENSTS`.
    pub(super) fn set_device_state(&self, state: DeviceState) {
        self.gensts
            .store(GENSTS::zeroed().with_state(state).into_raw(), Relaxed);
    }

    /// Whether the WQ is enabled.
    pub(super) fn wq_enabled(&self) -> bool {
        self.wq_enabled.load(Relaxed)
    }

    /// Sets whether the WQ is enabled (shown in WQCFG).
    pub(super) fn set_wq_enabled(&self, enabled: bool) {
        self.wq_enabled.store(enabled, Relaxed);
    }

    /// The interrupt handle given to the guest, if any.
    pub(super) fn int_handle(&self) -> Option<u16> {
        u16::try_from(self.int_handle.load(Relaxed)).ok()
    }

    /// Records the interrupt handle given to the guest.
    pub(super) fn set_int_handle(&self, handle: Option<u16>) {
        self.int_handle
            .store(handle.map_or(NO_HANDLE, u32::from), Relaxed);
    }

    /// Whether command code `code` is in `CMDCAP`.
    pub(super) fn supports(&self, code: u32) -> bool {
        code < 32 && CMDCAP_CODES & (1 << code) != 0
    }

    /// `GENCTRL`.
    pub(super) fn genctrl(&self) -> GENCTRL {
        GENCTRL::from_raw(self.genctrl.load(Relaxed))
    }

    /// Reports the completion of command `cmd` with status `sts`.
    ///
    /// `CMDSTS` is written last, with release ordering, after everything
    /// else the command changed.
    pub(super) fn complete(&self, cmd: CMD, sts: CMDSTS) {
        self.cmd.store(cmd.into_raw(), Relaxed);
        self.cmdsts.store(sts.into_raw(), Release);
    }

    /// Sets the causes of `cause` in `INTCAUSE`; returns whether one of them
    /// was not already pending.
    pub(super) fn raise_cause(&self, cause: INTCAUSE) -> bool {
        let (old, new) = update(&self.intcause, |c| c | cause.into_raw());
        new != old
    }

    /// Records a software error: the first one since the guest cleared
    /// `SWERR` is kept, later ones only set `overflow`.
    ///
    /// The first quadword, whose `valid` bit the guest polls, is written
    /// last.
    pub(super) fn record_swerr(&self, e: &regs::SoftwareError) {
        let first = e.e0.with_valid(true).into_raw();
        let old = update64(&self.swerr[0], |q| {
            let cur = SWERR0::from_raw(q);
            if cur.valid().into_bool() {
                cur.with_overflow(true).into_raw()
            } else {
                q
            }
        });
        if SWERR0::from_raw(old).valid().into_bool() {
            return;
        }
        self.swerr[1].store(e.e1.into_raw(), Relaxed);
        self.swerr[2].store(e.fault_addr, Relaxed);
        self.swerr[3].store(0, Relaxed);
        self.swerr[0].store(first, Release);
    }
}

/// The backing the KUnit tests of the vDSA's blocks share.
#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
pub(super) mod fixture {
    use super::*;

    /// A physical WQ of 16 entries, priority 10, on a DSA 1.0 that moves up
    /// to 2 GiB and batches up to 1024 descriptors, with IMS, an event log
    /// and block on fault; the WQ is limited to 1 MiB and 32 descriptors.
    pub(crate) fn backing() -> Backing {
        Backing {
            // max_xfer_shift 31, max_batch_shift 10, max_ims_mult 8,
            // config_en, evl_support 1, cmd_cap, overlap_copy,
            // block_on_fault.
            gencap: GENCAP::from_raw(
                (1 << 31) | (8 << 25) | (10 << 21) | (31 << 16) | (1 << 12) | (1 << 4) | 0b11,
            ),
            // NOOP, BATCH, DRAIN, MEMMOVE, FILL, ... and the last opcode.
            opcap: [0x00ff_00fb, 0, 0, 1 << 63],
            wq_size: 16,
            priority: 10,
            max_xfer_shift: 20,
            max_batch_shift: 5,
        }
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_vdsa_bar0)]
mod tests {
    use super::fixture::backing;
    use super::*;

    fn regs() -> Result<Registers> {
        Registers::new(&backing())
    }

    #[test]
    fn capabilities_the_guest_checks() -> Result {
        let r = regs()?;
        assert_eq!(r.read(0x00, 4)?, 0x100);
        // GENCAP: cmd_cap, overlap_copy, limits of the WQ; no block on
        // fault, event log, IMS or configuration support.
        let gencap = GENCAP::from_raw(r.read(0x10, 8)?);
        assert_eq!(gencap.into_raw(), (5 << 21) | (20 << 16) | (1 << 4) | 0b10);
        assert!(!gencap.config_en().into_bool());
        // WQCAP: one dedicated WQ of 16 entries, 32-byte WQCFG.
        assert_eq!(r.read(0x20, 8)?, (1 << 49) | (1 << 16) | 16);
        assert_eq!(r.read(0x30, 8)?, 1);
        assert_eq!(r.read(0x38, 8)?, 1);
        // OPCAP mirrors the physical device, all four quadwords.
        assert_eq!(r.read(0x40, 8)?, 0x00ff_00fb);
        assert_eq!(r.read(0x48, 8)?, 0);
        assert_eq!(r.read(0x58, 8)?, 1 << 63);
        assert_eq!(r.read(0x5c, 4)?, 1 << 31);
        // Tables at 0x400, 0x500, 0x600; no IMS, no perfmon.
        assert_eq!(r.read(0x60, 8)?, (6 << 32) | (5 << 16) | 4);
        assert_eq!(r.read(0x68, 8)?, 0);
        // CMDCAP: 1-10, 13, 14.
        assert_eq!(r.read(0xb0, 4)?, 0x67fe);
        Ok(())
    }

    #[test]
    fn configuration_tables() -> Result {
        let r = regs()?;
        // GRPCFG of group 0: WQ 0, engine 0, no flags.
        assert_eq!(r.read(0x400, 8)?, 1);
        assert_eq!(r.read(0x408, 8)?, 0);
        assert_eq!(r.read(0x420, 8)?, 1);
        assert_eq!(r.read(0x428, 8)?, 0);
        // WQCFG of WQ 0: size 16, no threshold, dedicated, priority 10,
        // PASID disabled, limits 2^20 and 2^5, disabled.
        assert_eq!(r.read(0x500, 4)?, 16);
        assert_eq!(r.read(0x504, 4)?, 0);
        assert_eq!(r.read(0x508, 4)?, (10 << 4) | 1);
        assert_eq!(r.read(0x50c, 4)?, (5 << 5) | 20);
        assert_eq!(r.read(0x518, 4)?, 0);
        assert_eq!(r.read(0x51c, 4)?, 0);
        // The next WQCFG entry does not exist.
        assert_eq!(r.read(0x520, 8)?, 0);
        Ok(())
    }

    #[test]
    fn limits_never_exceed_the_physical_device() -> Result {
        let b = Backing {
            max_xfer_shift: 31,
            max_batch_shift: 15,
            gencap: GENCAP::zeroed()
                .try_with_max_xfer_shift(16u8)?
                .try_with_max_batch_shift(3u8)?,
            ..backing()
        };
        let r = Registers::new(&b)?;
        let gencap = GENCAP::from_raw(r.read(0x10, 8)?);
        assert_eq!(u8::from(gencap.max_xfer_shift()), 16);
        assert_eq!(u8::from(gencap.max_batch_shift()), 3);
        assert_eq!(r.read(0x50c, 4)?, (3 << 5) | 16);
        Ok(())
    }

    #[test]
    fn refuses_impossible_backings() {
        let b = Backing {
            wq_size: 0,
            ..backing()
        };
        assert_eq!(Registers::new(&b).err(), Some(EINVAL));
        for priority in [0, 16] {
            let b = Backing {
                priority,
                ..backing()
            };
            assert_eq!(Registers::new(&b).err(), Some(EINVAL));
        }
    }

    #[test]
    fn access_sizes_and_alignment() -> Result {
        let r = regs()?;
        let pristine = r.state();
        let mut off = 0;
        while off < SIZE + 16 {
            for size in [1, 2, 3, 4, 8, 16] {
                let ok = matches!(size, 4 | 8) && off % size as u64 == 0 && off < SIZE;
                assert_eq!(r.read(off, size).is_ok(), ok);
                // Writing zero changes nothing anywhere (CMD excepted:
                // command 0 is only handed back).
                assert_eq!(r.write(off, size, 0).is_ok(), ok);
                if !ok {
                    assert_eq!(r.read(off, size), Err(EINVAL));
                    assert_eq!(r.write(off, size, 0), Err(EINVAL));
                }
            }
            off += 1;
        }
        assert_eq!(r.state(), pristine);
        // Past the end, however large.
        assert_eq!(r.read(!7, 8), Err(EINVAL));
        assert_eq!(r.write(SIZE, 4, 0), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn both_halves_of_64_bit_registers() -> Result {
        let r = regs()?;
        for off in (0..SIZE).step_by(8) {
            let q = r.read(off, 8)?;
            assert_eq!(r.read(off, 4)?, q & 0xffff_ffff);
            assert_eq!(r.read(off + 4, 4)?, q >> 32);
        }
        Ok(())
    }

    #[test]
    fn read_only_registers_ignore_writes() -> Result {
        let r = regs()?;
        let pristine = r.state();
        // Everything but GENCTRL, INTCAUSE, CMD, SWERR0 and MSIX_PERM.
        let writable = |off: u64| matches!(off, 0x88 | 0x98 | 0xa0 | 0xc0 | 0x600 | 0x608);
        for off in (0..SIZE).step_by(4).filter(|&o| !writable(o & !7)) {
            assert_eq!(r.write(off, 4, u64::from(u32::MAX))?, Written::Stored);
        }
        for off in (0..SIZE).step_by(8).filter(|&o| !writable(o)) {
            assert_eq!(r.write(off, 8, u64::MAX)?, Written::Stored);
        }
        assert_eq!(r.state(), pristine);
        Ok(())
    }

    #[test]
    fn writable_registers() -> Result {
        let r = regs()?;
        // GENCTRL keeps the two interrupt enables only.
        r.write(0x88, 4, 0xffff_ffff)?;
        assert_eq!(r.read(0x88, 4)?, 0b11);
        r.write(0x88, 4, 0b10)?;
        assert_eq!(r.read(0x88, 8)?, 0b10);
        // CMD is handed back, and reads back.
        assert_eq!(
            r.write(0xa0, 4, 0x8010_0000)?,
            Written::Command(CMD::from_raw(0x8010_0000))
        );
        assert_eq!(r.read(0xa0, 4)?, 0x8010_0000);
        // An 8-byte write covering CMD.
        assert_eq!(
            r.write(0xa0, 8, 0xffff_ffff_0050_0000)?,
            Written::Command(CMD::from_raw(0x0050_0000))
        );
        assert_eq!(r.read(0xa0, 8)?, 0x0050_0000);
        // CMDSTS is read-only.
        r.write(0xa8, 4, 0xffff_ffff)?;
        assert_eq!(r.read(0xa8, 4)?, 0);
        // MSIX_PERM: ignore, pasid_en and the PASID are kept.
        r.write(0x608, 8, u64::MAX)?;
        assert_eq!(r.read(0x608, 8)?, 0xffff_f00c);
        r.write(0x608, 4, 0)?;
        assert_eq!(r.read(0x608, 8)?, 0);
        // Its high dword is reserved.
        r.write(0x60c, 4, 0xffff_ffff)?;
        assert_eq!(r.read(0x608, 8)?, 0);
        Ok(())
    }

    #[test]
    fn write_1_to_clear() -> Result {
        let r = regs()?;
        assert!(r.raise_cause(INTCAUSE::from_raw(0x8000_0003)));
        assert!(!r.raise_cause(INTCAUSE::from_raw(0x1)));
        r.write(0x98, 4, 0x2)?;
        assert_eq!(r.read(0x98, 4)?, 0x8000_0001);
        r.write(0x98, 8, 0xffff_ffff_8000_0000)?;
        assert_eq!(r.read(0x98, 4)?, 0x1);
        r.write(0x98, 4, 0)?;
        assert_eq!(r.read(0x98, 4)?, 0x1);

        let e = regs::SoftwareError {
            e0: SWERR0::from_raw(0x1a << 8 | 1 << 3),
            e1: regs::SWERR1::zeroed().with_batch_idx(3u16),
            fault_addr: 0x1000,
        };
        r.record_swerr(&e);
        assert_eq!(r.read(0xc0, 8)?, 0x1a09);
        assert_eq!(r.read(0xc8, 8)?, 3);
        assert_eq!(r.read(0xd0, 8)?, 0x1000);
        r.record_swerr(&e);
        assert_eq!(r.read(0xc0, 8)?, 0x1a0b);
        // Only valid and overflow clear; the high half is read-only.
        r.write(0xc4, 4, 0xffff_ffff)?;
        r.write(0xc0, 8, 0xffff_ffff_ffff_fffd)?;
        assert_eq!(r.read(0xc0, 8)?, 0x1a0a);
        r.write(0xc0, 4, 0x2)?;
        assert_eq!(r.read(0xc0, 8)?, 0x1a08);
        Ok(())
    }
}
