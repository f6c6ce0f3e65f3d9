// SPDX-License-Identifier: GPL-2.0

//! DSA work descriptors and completion records.
//!
//! A descriptor is 64 bytes, stored whole into a WQ portal; the device writes
//! a 32-byte completion record at the address the descriptor gives, status
//! byte last. Layouts follow the DSA architecture specification (the upstream
//! C driver's `include/uapi/linux/idxd.h` describes the same).

use kernel::{bitfield, portal, prelude::*};

/// Bytes of a completion record; its address must be aligned to this.
pub(crate) const COMPLETION_BYTES: usize = 32;

/// Operations the host driver submits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Opcode {
    /// No operation.
    Noop = 0x00,
    /// Copy `size` bytes from `src` to `dst`.
    Memmove = 0x03,
    /// Fill `size` bytes at `dst` with an 8-byte pattern.
    Fill = 0x04,
    /// Compare `size` bytes at `src` and `dst`.
    Compare = 0x05,
}

bitfield! {
    /// Descriptor dword 0: the PASID and privilege of an ENQCMDS submission
    /// (ignored by a dedicated WQ, which uses its WQCFG).
    pub(crate) struct Dword0(u32) {
        /// PASID.
        19:0 pasid;
        /// Privileged (supervisor) request.
        31:31 privileged;
    }
}

/// The batch operation: its descriptors are in memory, out of the host's sight.
pub(crate) const OPCODE_BATCH: u8 = 0x01;

bitfield! {
    /// Descriptor dword 1: flags and opcode.
    pub(crate) struct Dword1(u32) {
        /// Block on fault: wait for a page fault to be resolved.
        1:1 block_on_fault;
        /// Completion record address valid.
        2:2 crav;
        /// Request a completion record.
        3:3 rcr;
        /// Request a completion interrupt.
        4:4 rci;
        /// Check the result of a compare against the expected one.
        7:7 check_result;
        /// Opcode.
        31:24 opcode;
    }
}

/// A descriptor to submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Descriptor {
    /// PASID of an ENQCMDS submission.
    pub(crate) pasid: u32,
    /// Privileged request.
    pub(crate) privileged: bool,
    /// Operation.
    pub(crate) opcode: u8,
    /// DMA address of the 32-byte aligned completion record.
    pub(crate) completion: u64,
    /// Source address, or the fill pattern.
    pub(crate) src: u64,
    /// Destination address (the second source of a compare).
    pub(crate) dst: u64,
    /// Bytes to process.
    pub(crate) size: u32,
    /// Completion interrupt handle, if the completion raises an interrupt.
    pub(crate) int_handle: Option<u16>,
}

// Byte offsets of the descriptor's fields.
const DW0: usize = 0;
const DW1: usize = 4;
const COMPLETION: usize = 8;
const SRC: usize = 16;
const DST: usize = 24;
const SIZE: usize = 32;
const INT_HANDLE: usize = 36;

/// The fields of a stored descriptor that decide whether the host may submit it for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fields {
    /// Flags and opcode.
    pub(crate) dw1: Dword1,
    /// Completion record address.
    pub(crate) completion: u64,
    /// Completion interrupt handle.
    pub(crate) int_handle: u16,
}

impl Fields {
    /// The fields of the 64 bytes `cmd`.
    pub(crate) fn of(cmd: &portal::Command) -> Self {
        let b = &cmd.0;
        let le32 = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        Self {
            dw1: Dword1::from_raw(le32(DW1)),
            completion: u64::from(le32(COMPLETION)) | u64::from(le32(COMPLETION + 4)) << 32,
            int_handle: u16::from_le_bytes([b[INT_HANDLE], b[INT_HANDLE + 1]]),
        }
    }
}

impl Descriptor {
    /// The 64 bytes to store into a portal. A completion record is always
    /// requested, so every outcome, errors included, is reported in memory;
    /// with an interrupt handle, the completion raises an interrupt too.
    pub(crate) fn encode(&self) -> Result<portal::Command> {
        let dw0 = Dword0::zeroed()
            .try_with_pasid(self.pasid)?
            .with_privileged(self.privileged);
        let dw1 = Dword1::zeroed()
            .with_crav(true)
            .with_rcr(true)
            .with_rci(self.int_handle.is_some())
            .with_opcode(self.opcode);
        let mut cmd = portal::Command::zeroed();
        let b = &mut cmd.0;
        b[DW0..DW0 + 4].copy_from_slice(&dw0.into_raw().to_le_bytes());
        b[DW1..DW1 + 4].copy_from_slice(&dw1.into_raw().to_le_bytes());
        b[COMPLETION..COMPLETION + 8].copy_from_slice(&self.completion.to_le_bytes());
        b[SRC..SRC + 8].copy_from_slice(&self.src.to_le_bytes());
        b[DST..DST + 8].copy_from_slice(&self.dst.to_le_bytes());
        b[SIZE..SIZE + 4].copy_from_slice(&self.size.to_le_bytes());
        if let Some(h) = self.int_handle {
            b[INT_HANDLE..INT_HANDLE + 2].copy_from_slice(&h.to_le_bytes());
        }
        Ok(cmd)
    }
}

/// Byte offsets in a completion record.
pub(crate) mod record {
    /// Status; nonzero once the device is done.
    pub(crate) const STATUS: usize = 0;
    /// Result of a compare: 0 equal, 1 different.
    pub(crate) const RESULT: usize = 1;
    /// Bytes completed (of a compare that differs: offset of the first
    /// difference).
    pub(crate) const BYTES: usize = 4;
    /// Address of a page fault.
    pub(crate) const FAULT_ADDR: usize = 8;
}

/// Completion status of a descriptor (low 6 bits of the status byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Done.
    Success,
    /// Done, with a result other than the expected one.
    SuccessPredicateFalse,
    /// A page fault the device could not resolve.
    PageFault,
    /// Any other error: the architected code.
    Error(u8),
}

impl Status {
    /// Status bits of the status byte (bit 7 tells read from write faults).
    const CODE_MASK: u8 = 0x3f;

    /// Decodes a nonzero status byte.
    pub(crate) fn decode(byte: u8) -> Self {
        match byte & Self::CODE_MASK {
            0x01 => Self::Success,
            0x02 => Self::SuccessPredicateFalse,
            0x03 => Self::PageFault,
            code => Self::Error(code),
        }
    }

    /// The architected code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0x01,
            Self::SuccessPredicateFalse => 0x02,
            Self::PageFault => 0x03,
            Self::Error(code) => code,
        }
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_desc)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_memmove() {
        let d = Descriptor {
            pasid: 0x12345,
            privileged: true,
            opcode: Opcode::Memmove as u8,
            completion: 0x1122_3344_5566_7780,
            src: 0x1000,
            dst: 0x2000,
            size: 4096,
            int_handle: None,
        };
        let Ok(cmd) = d.encode() else {
            panic!("a valid descriptor encodes");
        };
        let b = &cmd.0;
        // PASID in bits 19:0, privilege in bit 31.
        assert_eq!(b[0..4], (0x8001_2345u32).to_le_bytes());
        // Opcode 3 in bits 31:24, CRAV (bit 2) and RCR (bit 3).
        assert_eq!(b[4..8], (0x0300_000cu32).to_le_bytes());
        assert_eq!(b[8..16], 0x1122_3344_5566_7780u64.to_le_bytes());
        assert_eq!(b[16..24], 0x1000u64.to_le_bytes());
        assert_eq!(b[24..32], 0x2000u64.to_le_bytes());
        assert_eq!(b[32..36], 4096u32.to_le_bytes());
        assert!(b[36..].iter().all(|&x| x == 0));
    }

    #[test]
    fn encodes_a_completion_interrupt() {
        let d = Descriptor {
            pasid: 1,
            privileged: true,
            opcode: Opcode::Memmove as u8,
            completion: 0x1000,
            src: 0x2000,
            dst: 0x3000,
            size: 64,
            int_handle: Some(0x1a5),
        };
        let Ok(cmd) = d.encode() else {
            panic!("a valid descriptor encodes");
        };
        let b = &cmd.0;
        // RCI is bit 4 of the flags.
        assert_eq!(b[4..8], (0x0300_001cu32).to_le_bytes());
        assert_eq!(b[36..38], 0x1a5u16.to_le_bytes());
        assert!(b[38..].iter().all(|&x| x == 0));
    }

    #[test]
    fn refuses_a_wide_pasid() {
        let d = Descriptor {
            pasid: 1 << 20,
            privileged: false,
            opcode: Opcode::Noop as u8,
            completion: 0,
            src: 0,
            dst: 0,
            size: 0,
            int_handle: None,
        };
        assert_eq!(d.encode().err(), Some(EOVERFLOW));
    }

    #[test]
    fn decodes_status() {
        assert_eq!(Status::decode(0x01), Status::Success);
        assert_eq!(Status::decode(0x02), Status::SuccessPredicateFalse);
        // Bit 7 (a write fault) is not part of the code.
        assert_eq!(Status::decode(0x83), Status::PageFault);
        assert_eq!(Status::decode(0x10), Status::Error(0x10));
        assert_eq!(Status::decode(0x10).code(), 0x10);
    }
}
