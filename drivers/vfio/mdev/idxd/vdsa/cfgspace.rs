// SPDX-License-Identifier: GPL-2.0

//! The vDSA's PCI configuration space, emulated.
//!
//! 4 KiB, a type 0 header with the parent DSA's IDs and DSA's class code
//! (system peripheral, other), then two capabilities:
//!
//! - 0x40: PCI Express, version 2, a root complex integrated endpoint like
//!   the DSA itself; no function level reset (the vDSA is reset through
//!   `VFIO_DEVICE_RESET`), no link;
//! - 0x80: MSI-X with [`bar0::VECTORS`] vectors, the table at
//!   [`bar0::MSIX_TABLE`] and the PBA at [`bar0::MSIX_PBA`] of BAR0, where
//!   no register lies.
//!
//! The extended configuration space holds no capability and reads 0.
//!
//! BAR0 (the control registers, [`bar0::SIZE`]) and BAR2 (the WQ's portal
//! pages, [`BAR2_SIZE`]) are 64-bit memory BARs; writing all ones to one and
//! reading it back gives its size. The guest may write the command register
//! (memory space, bus master, parity and SERR enables, INTx disable), the
//! cache line size, the interrupt line, the BAR addresses, the MSI-X enable
//! and function mask, and the PCI Express device control fields a function
//! without optional features has; the rest is read-only and writes to it
//! are ignored, as writes past the header and the capabilities are. The
//! memory space and bus master enables gate the device: the VFIO device
//! reads them here ([`ConfigSpace::memory_enabled`],
//! [`ConfigSpace::bus_master`]).
//!
//! Like the register file, this only describes the device. Accesses of any
//! length at any offset are accepted, byte by byte, as long as they stay
//! inside the 4 KiB. Each dword is an atomic: reads need no lock, and a
//! write changes each dword it touches in one atomic step.

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
};

use super::{bar0, portal::BAR2_SIZE};

/// Size of the configuration space (PCI Express, with the extended space).
pub(crate) const SIZE: u64 = 0x1000;

/// Bytes of the space that hold anything: the header and the capabilities.
const USED: usize = 0x100;

// Offsets and values of `include/uapi/linux/pci_regs.h`.
const PCI_VENDOR_ID: usize = 0x00;
const PCI_DEVICE_ID: usize = 0x02;
const PCI_COMMAND: usize = 0x04;
const PCI_STATUS: usize = 0x06;
const PCI_REVISION_ID: usize = 0x08;
const PCI_CACHE_LINE_SIZE: usize = 0x0c;
const PCI_BASE_ADDRESS_0: usize = 0x10;
const PCI_BASE_ADDRESS_2: usize = 0x18;
const PCI_SUBSYSTEM_VENDOR_ID: usize = 0x2c;
const PCI_SUBSYSTEM_ID: usize = 0x2e;
const PCI_CAPABILITY_LIST: usize = 0x34;
const PCI_INTERRUPT_LINE: usize = 0x3c;

const PCI_COMMAND_MEMORY: u16 = 0x2;
const PCI_COMMAND_MASTER: u16 = 0x4;
const PCI_COMMAND_PARITY: u16 = 0x40;
const PCI_COMMAND_SERR: u16 = 0x100;
const PCI_COMMAND_INTX_DISABLE: u16 = 0x400;
const PCI_STATUS_CAP_LIST: u16 = 0x10;
const PCI_BASE_ADDRESS_MEM_TYPE_64: u32 = 0x04;
const PCI_BASE_ADDRESS_MEM_PREFETCH: u32 = 0x08;
const PCI_BASE_ADDRESS_MEM_MASK: u32 = !0xf;

const PCI_CAP_ID_EXP: u8 = 0x10;
const PCI_CAP_ID_MSIX: u8 = 0x11;
const PCI_CAP_NEXT: usize = 1;

const PCI_EXP_FLAGS: usize = 2;
const PCI_EXP_FLAGS_VERS_2: u16 = 2;
const PCI_EXP_TYPE_RC_END: u16 = 0x9;
const PCI_EXP_FLAGS_TYPE_SHIFT: u16 = 4;
const PCI_EXP_DEVCAP: usize = 4;
const PCI_EXP_DEVCAP_RBER: u32 = 0x8000;
const PCI_EXP_DEVCTL: usize = 8;
const PCI_EXP_DEVCTL_ERRORS: u16 = 0x000f;
const PCI_EXP_DEVCTL_RELAX_EN: u16 = 0x0010;
const PCI_EXP_DEVCTL_NOSNOOP_EN: u16 = 0x0800;
const PCI_EXP_DEVCTL_READRQ: u16 = 0x7000;
const PCI_EXP_DEVCTL_READRQ_512B: u16 = 0x2000;

const PCI_MSIX_FLAGS: usize = 2;
const PCI_MSIX_FLAGS_MASKALL: u16 = 0x4000;
const PCI_MSIX_FLAGS_ENABLE: u16 = 0x8000;
const PCI_MSIX_TABLE: usize = 4;
const PCI_MSIX_PBA: usize = 8;

/// DSA's class code: base class system peripheral, subclass other.
const CLASS_SYSTEM_OTHER: u32 = 0x08_80_00;

/// Where the capabilities are.
const CAP_EXP: usize = 0x40;
const CAP_MSIX: usize = 0x80;

/// The identity of the parent DSA the vDSA shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    /// Vendor ID.
    pub(crate) vendor: u16,
    /// Device ID.
    pub(crate) device: u16,
    /// Revision ID.
    pub(crate) revision: u8,
    /// Subsystem vendor ID.
    pub(crate) subsystem_vendor: u16,
    /// Subsystem ID.
    pub(crate) subsystem: u16,
}

/// Dwords of the space that hold anything.
pub(crate) const USED_DWORDS: usize = USED / 4;

/// The values after creation and the writable bits of the header and the
/// capabilities, built once.
struct Layout {
    bytes: [u8; USED],
    wmask: [u8; USED],
}

impl Layout {
    fn new(id: Identity) -> Self {
        let mut l = Self {
            bytes: [0; USED],
            wmask: [0; USED],
        };

        l.put16(PCI_VENDOR_ID, id.vendor, 0);
        l.put16(PCI_DEVICE_ID, id.device, 0);
        l.put16(
            PCI_COMMAND,
            0,
            PCI_COMMAND_MEMORY
                | PCI_COMMAND_MASTER
                | PCI_COMMAND_PARITY
                | PCI_COMMAND_SERR
                | PCI_COMMAND_INTX_DISABLE,
        );
        l.put16(PCI_STATUS, PCI_STATUS_CAP_LIST, 0);
        // The revision and the 24-bit class code share a dword.
        l.put32(
            PCI_REVISION_ID,
            u32::from(id.revision) | CLASS_SYSTEM_OTHER << 8,
            0,
        );
        l.wmask[PCI_CACHE_LINE_SIZE] = 0xff;
        // Header type 0, single function, no BIST: all zero.
        l.put_bar64(PCI_BASE_ADDRESS_0, bar0::SIZE, false);
        l.put_bar64(PCI_BASE_ADDRESS_2, BAR2_SIZE, true);
        l.put16(PCI_SUBSYSTEM_VENDOR_ID, id.subsystem_vendor, 0);
        l.put16(PCI_SUBSYSTEM_ID, id.subsystem, 0);
        l.bytes[PCI_CAPABILITY_LIST] = CAP_EXP as u8;
        // No INTx pin; the line is the guest's scratch byte.
        l.wmask[PCI_INTERRUPT_LINE] = 0xff;

        l.bytes[CAP_EXP] = PCI_CAP_ID_EXP;
        l.bytes[CAP_EXP + PCI_CAP_NEXT] = CAP_MSIX as u8;
        l.put16(
            CAP_EXP + PCI_EXP_FLAGS,
            PCI_EXP_FLAGS_VERS_2 | PCI_EXP_TYPE_RC_END << PCI_EXP_FLAGS_TYPE_SHIFT,
            0,
        );
        // 128-byte payloads, no phantom functions, no extended tags, no
        // function level reset.
        l.put32(CAP_EXP + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER, 0);
        l.put16(
            CAP_EXP + PCI_EXP_DEVCTL,
            PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B,
            PCI_EXP_DEVCTL_ERRORS
                | PCI_EXP_DEVCTL_RELAX_EN
                | PCI_EXP_DEVCTL_NOSNOOP_EN
                | PCI_EXP_DEVCTL_READRQ,
        );

        l.bytes[CAP_MSIX] = PCI_CAP_ID_MSIX;
        l.put16(
            CAP_MSIX + PCI_MSIX_FLAGS,
            bar0::VECTORS - 1,
            PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
        );
        // Both in BAR0 (BIR 0).
        l.put32(CAP_MSIX + PCI_MSIX_TABLE, bar0::MSIX_TABLE, 0);
        l.put32(CAP_MSIX + PCI_MSIX_PBA, bar0::MSIX_PBA, 0);
        l
    }

    fn put16(&mut self, off: usize, value: u16, wmask: u16) {
        self.bytes[off..off + 2].copy_from_slice(&value.to_le_bytes());
        self.wmask[off..off + 2].copy_from_slice(&wmask.to_le_bytes());
    }

    fn put32(&mut self, off: usize, value: u32, wmask: u32) {
        self.bytes[off..off + 4].copy_from_slice(&value.to_le_bytes());
        self.wmask[off..off + 4].copy_from_slice(&wmask.to_le_bytes());
    }

    /// A 64-bit memory BAR of `size` bytes (a power of two): the address
    /// bits below the size read 0, which is how software sizes it.
    fn put_bar64(&mut self, off: usize, size: u64, prefetch: bool) {
        let mut flags = PCI_BASE_ADDRESS_MEM_TYPE_64;
        if prefetch {
            flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
        }
        let mask = !(size - 1);
        self.put32(off, flags, (mask as u32) & PCI_BASE_ADDRESS_MEM_MASK);
        self.put32(off + 4, 0, (mask >> 32) as u32);
    }

    /// Dword `d` of `bytes` (`of` false) or of `wmask` (`of` true).
    fn dword(&self, d: usize, of_mask: bool) -> u32 {
        let b = if of_mask { &self.wmask } else { &self.bytes };
        u32::from_le_bytes([b[4 * d], b[4 * d + 1], b[4 * d + 2], b[4 * d + 3]])
    }
}

/// The configuration space of one vDSA.
pub(crate) struct ConfigSpace {
    /// The reset values and the writable bits.
    layout: Layout,
    /// Contents of the header and the capabilities, dword by dword.
    dwords: [Atomic<u32>; USED_DWORDS],
}

impl ConfigSpace {
    /// The configuration space of a vDSA showing `id`, at its reset values.
    pub(crate) fn new(id: Identity) -> Self {
        let layout = Layout::new(id);
        let c = Self {
            layout,
            dwords: [const { Atomic::new(0) }; USED_DWORDS],
        };
        c.reset();
        c
    }

    /// Brings the configuration space back to its values after creation:
    /// decoding and bus mastering off, BAR addresses 0, MSI-X disabled.
    pub(crate) fn reset(&self) {
        for (d, a) in self.dwords.iter().enumerate() {
            a.store(self.layout.dword(d, false), Relaxed);
        }
    }

    /// The header and the capabilities, dword by dword, for a migration
    /// stream (the rest of the space reads 0).
    pub(crate) fn save(&self) -> [u32; USED_DWORDS] {
        core::array::from_fn(|d| self.dwords[d].load(Relaxed))
    }

    /// Checks that `dwords`, saved by [`ConfigSpace::save`] of a vDSA
    /// showing `id`, could be the contents of this vDSA's space: every bit
    /// the guest cannot write equals its value after creation here. Fails
    /// with `EINVAL` otherwise.
    pub(crate) fn check_saved(id: Identity, dwords: &[u32; USED_DWORDS]) -> Result {
        let layout = Layout::new(id);
        let fixed = |d: usize| !layout.dword(d, true);
        if dwords
            .iter()
            .enumerate()
            .all(|(d, &v)| v & fixed(d) == layout.dword(d, false) & fixed(d))
        {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    /// Sets the contents to `dwords`, checked by
    /// [`ConfigSpace::check_saved`].
    pub(crate) fn restore(&self, dwords: &[u32; USED_DWORDS]) {
        for (a, &v) in self.dwords.iter().zip(dwords) {
            a.store(v, Relaxed);
        }
    }

    /// The bytes `[off, off + len)`, or `EINVAL` if they leave the space.
    pub(super) fn range(off: u64, len: usize) -> Result<core::ops::Range<usize>> {
        let end = off.checked_add(len as u64).ok_or(EINVAL)?;
        if end > SIZE {
            return Err(EINVAL);
        }
        // Below `SIZE`.
        Ok(off as usize..end as usize)
    }

    /// Reads `buf.len()` bytes at `off`; reserved space reads 0.
    ///
    /// Fails with `EINVAL` if the access leaves the configuration space.
    pub(crate) fn read(&self, off: u64, buf: &mut [u8]) -> Result {
        let range = Self::range(off, buf.len())?;
        let mut d = usize::MAX;
        let mut v = [0u8; 4];
        for (b, i) in buf.iter_mut().zip(range) {
            if i >= USED {
                *b = 0;
                continue;
            }
            if i / 4 != d {
                d = i / 4;
                v = self.dwords[d].load(Relaxed).to_le_bytes();
            }
            *b = v[i % 4];
        }
        Ok(())
    }

    /// Writes `data` at `off`: the writable bits take the new value, the
    /// others are kept.
    ///
    /// Fails with `EINVAL` if the access leaves the configuration space.
    pub(crate) fn write(&self, off: u64, data: &[u8]) -> Result {
        let range = Self::range(off, data.len())?;
        let start = range.start;
        let end = range.end.min(USED);
        let mut i = start;
        while i < end {
            // The bytes of `data` that fall in dword `i / 4`.
            let d = i / 4;
            let last = end.min(4 * d + 4);
            let mut value = [0u8; 4];
            let mut touched = [0u8; 4];
            for j in i..last {
                value[j % 4] = data[j - start];
                touched[j % 4] = 0xff;
            }
            let mask = self.layout.dword(d, true) & u32::from_le_bytes(touched);
            let value = u32::from_le_bytes(value);
            bar0::update(&self.dwords[d], |old| (old & !mask) | (value & mask));
            i = last;
        }
        Ok(())
    }

    /// The 16 bits at `off` (2-byte aligned, in the header or the
    /// capabilities).
    fn get16(&self, off: usize) -> u16 {
        let d = self.dwords[off / 4].load(Relaxed);
        (d >> (8 * (off % 4))) as u16
    }

    /// The command register.
    pub(crate) fn command(&self) -> u16 {
        self.get16(PCI_COMMAND)
    }

    /// Whether the guest enabled memory decoding: BAR accesses need it.
    pub(crate) fn memory_enabled(&self) -> bool {
        self.command() & PCI_COMMAND_MEMORY != 0
    }

    /// Whether the guest enabled bus mastering: enabling the device needs
    /// it.
    pub(crate) fn bus_master(&self) -> bool {
        self.command() & PCI_COMMAND_MASTER != 0
    }

    /// Whether MSI-X is enabled and not masked as a whole.
    pub(crate) fn msix_enabled(&self) -> bool {
        let flags = self.get16(CAP_MSIX + PCI_MSIX_FLAGS);
        flags & PCI_MSIX_FLAGS_ENABLE != 0 && flags & PCI_MSIX_FLAGS_MASKALL == 0
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_vdsa_cfgspace)]
mod tests {
    use super::*;
    use crate::vdsa::bar0::{fixture::backing, Registers};

    const ID: Identity = Identity {
        vendor: 0x8086,
        device: 0x0b25,
        revision: 0x01,
        subsystem_vendor: 0x8086,
        subsystem: 0x0000,
    };

    /// The writable bits, as the description at the top of this file gives
    /// them: `(offset, mask)` of every byte with any.
    const WRITABLE: &[(u64, u8)] = &[
        // Command: memory, master, parity, SERR, INTx disable.
        (0x04, 0x46),
        (0x05, 0x05),
        (0x0c, 0xff),
        // BAR0, 4 KiB.
        (0x11, 0xf0),
        (0x12, 0xff),
        (0x13, 0xff),
        (0x14, 0xff),
        (0x15, 0xff),
        (0x16, 0xff),
        (0x17, 0xff),
        // BAR2, 16 KiB.
        (0x19, 0xc0),
        (0x1a, 0xff),
        (0x1b, 0xff),
        (0x1c, 0xff),
        (0x1d, 0xff),
        (0x1e, 0xff),
        (0x1f, 0xff),
        (0x3c, 0xff),
        // Device control: error reporting, relaxed ordering, no snoop,
        // maximum read request size.
        (0x48, 0x1f),
        (0x49, 0x78),
        // MSI-X: enable, function mask.
        (0x83, 0xc0),
    ];

    fn read(c: &ConfigSpace, off: u64, len: usize) -> Result<u32> {
        let mut b = [0u8; 4];
        c.read(off, &mut b[..len])?;
        Ok(u32::from_le_bytes(b))
    }

    fn write(c: &ConfigSpace, off: u64, len: usize, v: u32) -> Result {
        c.write(off, &v.to_le_bytes()[..len])
    }

    #[test]
    fn header() -> Result {
        let c = ConfigSpace::new(ID);
        assert_eq!(read(&c, 0x00, 4)?, 0x0b25_8086);
        assert_eq!(read(&c, 0x04, 4)?, 0x0010_0000);
        assert_eq!(read(&c, 0x08, 4)?, 0x0880_0001);
        // Header type 0.
        assert_eq!(read(&c, 0x0c, 4)?, 0);
        // BAR0: 64-bit memory; BAR2: 64-bit prefetchable memory.
        assert_eq!(read(&c, 0x10, 4)?, 0x4);
        assert_eq!(read(&c, 0x18, 4)?, 0xc);
        assert_eq!(read(&c, 0x20, 4)?, 0);
        assert_eq!(read(&c, 0x2c, 4)?, 0x0000_8086);
        // No expansion ROM, no INTx pin.
        assert_eq!(read(&c, 0x30, 4)?, 0);
        assert_eq!(read(&c, 0x34, 1)?, 0x40);
        assert_eq!(read(&c, 0x3c, 4)?, 0);
        Ok(())
    }

    #[test]
    fn capabilities() -> Result {
        let c = ConfigSpace::new(ID);
        // Walk the list as the PCI core does.
        let mut found = KVec::new();
        let mut pos = read(&c, 0x34, 1)?;
        while pos != 0 {
            assert!(found.len() < 4);
            found.push((read(&c, pos.into(), 1)?, pos), GFP_KERNEL)?;
            pos = read(&c, (pos + 1).into(), 1)?;
        }
        assert_eq!(&found[..], &[(0x10, 0x40), (0x11, 0x80)]);
        // PCI Express v2, RCiEP, role-based error reporting, no FLR.
        assert_eq!(read(&c, 0x42, 2)?, 0x0092);
        assert_eq!(read(&c, 0x44, 4)?, 0x8000);
        assert_eq!(read(&c, 0x48, 2)?, 0x2810);
        // No link.
        assert_eq!(read(&c, 0x4c, 4)?, 0);
        // MSI-X: 2 vectors, table in BAR0 at 0x800, PBA at cap + 8.
        assert_eq!(read(&c, 0x82, 2)?, 0x0001);
        assert_eq!(read(&c, 0x84, 4)?, 0x800);
        assert_eq!(read(&c, 0x88, 4)?, 0xc00);
        // No extended capability.
        assert_eq!(read(&c, 0x100, 4)?, 0);
        Ok(())
    }

    #[test]
    fn msix_table_and_pba_shadow_no_register() -> Result {
        let c = ConfigSpace::new(ID);
        let table = u64::from(read(&c, 0x84, 4)?);
        let pba = u64::from(read(&c, 0x88, 4)?);
        let vectors = u64::from(read(&c, 0x82, 2)? & 0x7ff) + 1;
        assert_eq!(table & 7, 0);
        assert_eq!(pba & 7, 0);
        // Each vector is 16 bytes in the table and one bit in the PBA.
        let areas = [(table, vectors * 16), (pba, 8)];
        let regs = Registers::new(&backing())?;
        let pristine = regs.state();
        for (start, len) in areas {
            assert!(start + len <= bar0::SIZE);
            for off in (start..start + len).step_by(4) {
                assert_eq!(regs.read(off, 4)?, 0);
                regs.write(off, 4, 0xffff_ffff)?;
            }
        }
        assert_eq!(regs.state(), pristine);
        assert!(table + vectors * 16 <= pba || pba + 8 <= table);
        Ok(())
    }

    #[test]
    fn bar_sizing() -> Result {
        let c = ConfigSpace::new(ID);
        for (bar, size, flags) in [(0x10, bar0::SIZE, 0x4), (0x18, BAR2_SIZE, 0xc)] {
            write(&c, bar, 4, 0xffff_ffff)?;
            write(&c, bar + 4, 4, 0xffff_ffff)?;
            let lo = read(&c, bar, 4)?;
            let hi = read(&c, bar + 4, 4)?;
            assert_eq!(lo & 0xf, flags);
            let mask = u64::from(hi) << 32 | u64::from(lo & !0xf);
            assert_eq!(!mask + 1, size);
            // An address, with the low bits ignored.
            write(&c, bar, 4, 0xfebf_5fff)?;
            write(&c, bar + 4, 4, 0x1)?;
            let addr = u64::from(read(&c, bar + 4, 4)?) << 32 | u64::from(read(&c, bar, 4)?);
            assert_eq!(addr, (0x1_febf_5000 & !(size - 1)) | u64::from(flags));
        }
        Ok(())
    }

    #[test]
    fn command_register_gates_the_device() -> Result {
        let c = ConfigSpace::new(ID);
        assert!(!c.memory_enabled() && !c.bus_master());
        write(&c, 0x04, 2, 0x2)?;
        assert!(c.memory_enabled() && !c.bus_master());
        write(&c, 0x04, 2, 0x6)?;
        assert!(c.memory_enabled() && c.bus_master());
        // Reserved and read-only bits stay 0; the status is read-only.
        write(&c, 0x04, 4, 0xffff_ffff)?;
        assert_eq!(read(&c, 0x04, 4)?, 0x0010_0546);
        write(&c, 0x04, 1, 0)?;
        assert!(!c.memory_enabled() && !c.bus_master());
        // MSI-X enable and function mask.
        assert!(!c.msix_enabled());
        write(&c, 0x82, 2, 0x8000)?;
        assert!(c.msix_enabled());
        write(&c, 0x83, 1, 0xc0)?;
        assert!(!c.msix_enabled());
        assert_eq!(read(&c, 0x82, 2)?, 0xc001);
        Ok(())
    }

    #[test]
    fn writes_everywhere() -> Result {
        let pristine = ConfigSpace::new(ID);
        for len in [1, 2, 4] {
            for value in [0xffff_ffffu32, 0] {
                let c = ConfigSpace::new(ID);
                let mut off = 0;
                while off + len as u64 <= SIZE {
                    write(&c, off, len, value)?;
                    off += len as u64;
                }
                for off in 0..SIZE {
                    let before = read(&pristine, off, 1)? as u8;
                    let mask = WRITABLE
                        .iter()
                        .find(|(o, _)| *o == off)
                        .map_or(0, |(_, m)| *m);
                    let expected = (before & !mask) | (value as u8 & mask);
                    assert_eq!(read(&c, off, 1)? as u8, expected);
                }
                // Back to the values after creation.
                c.reset();
                assert_eq!(c.save(), pristine.save());
            }
        }
        Ok(())
    }

    #[test]
    fn reserved_space_reads_zero() -> Result {
        let c = ConfigSpace::new(ID);
        for off in (0x8c..SIZE).step_by(4) {
            assert_eq!(read(&c, off, 4)?, 0);
        }
        for off in [0x20, 0x24, 0x28, 0x30, 0x38, 0x3c, 0x7c] {
            assert_eq!(read(&c, off, 4)?, 0);
        }
        Ok(())
    }

    #[test]
    fn accesses_outside_the_space() {
        let c = ConfigSpace::new(ID);
        let mut b = [0u8; 4];
        assert_eq!(c.read(SIZE, &mut b[..1]), Err(EINVAL));
        assert_eq!(c.read(SIZE - 2, &mut b), Err(EINVAL));
        assert_eq!(c.read(u64::MAX, &mut b), Err(EINVAL));
        assert_eq!(c.write(SIZE - 1, &b[..2]), Err(EINVAL));
        assert_eq!(c.write(u64::MAX - 1, &b), Err(EINVAL));
        assert_eq!(c.read(SIZE - 4, &mut b), Ok(()));
        assert_eq!(c.write(SIZE - 1, &b[..1]), Ok(()));
    }
}
