// SPDX-License-Identifier: GPL-2.0

//! DSA admin commands: the `CMD` register's encoding and the `CMDSTS` errors.
//!
//! One definition serves both directions: the host driver encodes the
//! commands it issues to the device, and the virtual DSA decodes what a guest
//! writes to its virtual command register and answers with the same error
//! codes the hardware uses.

use kernel::{error::code::*, fmt, prelude::*};

use crate::regs::{CMD, CMDSTS};

/// Command codes (`CMD.code`).
mod code {
    pub(super) const ENABLE_DEVICE: u8 = 1;
    pub(super) const DISABLE_DEVICE: u8 = 2;
    pub(super) const DRAIN_ALL: u8 = 3;
    pub(super) const ABORT_ALL: u8 = 4;
    pub(super) const RESET_DEVICE: u8 = 5;
    pub(super) const ENABLE_WQ: u8 = 6;
    pub(super) const DISABLE_WQ: u8 = 7;
    pub(super) const DRAIN_WQ: u8 = 8;
    pub(super) const ABORT_WQ: u8 = 9;
    pub(super) const RESET_WQ: u8 = 10;
    pub(super) const DRAIN_PASID: u8 = 11;
    pub(super) const ABORT_PASID: u8 = 12;
    pub(super) const REQUEST_INT_HANDLE: u8 = 13;
    pub(super) const RELEASE_INT_HANDLE: u8 = 14;
}

/// WQs per block in the mask form of the WQ commands.
const WQS_PER_BLOCK: u16 = 16;
/// Blocks addressable by the 4-bit block index of the mask form.
const WQ_BLOCKS: u16 = 16;
/// Operand bit of the interrupt handle commands selecting IMS over MSI-X.
const INT_HANDLE_IMS: u32 = 1 << 16;
/// Largest PASID (20 bits).
const PASID_MAX: u32 = (1 << 20) - 1;

/// A set of WQs within one block of 16, the operand of the disable, drain,
/// abort and reset WQ commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WqSet {
    block: u8,
    mask: u16,
}

impl WqSet {
    /// The set holding only WQ `wq`.
    pub(crate) fn one(wq: u16) -> Result<Self> {
        if wq >= WQS_PER_BLOCK * WQ_BLOCKS {
            return Err(EINVAL);
        }
        Ok(Self {
            // Below 16 by the check above.
            block: (wq / WQS_PER_BLOCK) as u8,
            mask: 1 << (wq % WQS_PER_BLOCK),
        })
    }

    /// The WQ indices in the set, in increasing order.
    pub(crate) fn wqs(self) -> impl Iterator<Item = u16> {
        let base = u16::from(self.block) * WQS_PER_BLOCK;
        (0..WQS_PER_BLOCK)
            .filter(move |bit| self.mask & (1 << bit) != 0)
            .map(move |bit| base + bit)
    }

    fn operand(self) -> u32 {
        u32::from(self.mask) | u32::from(self.block) << 16
    }

    fn from_operand(operand: u32) -> Self {
        Self {
            block: ((operand >> 16) & 0xf) as u8,
            mask: (operand & 0xffff) as u16,
        }
    }
}

/// Where an interrupt handle points: an MSI-X table entry or an IMS entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntTable {
    /// The MSI-X table.
    MsiX,
    /// The interrupt message storage.
    Ims,
}

/// An admin command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    /// Enable the device with its current configuration.
    EnableDevice,
    /// Disable the device (drains it first).
    DisableDevice,
    /// Wait for all descriptors in the device to complete.
    DrainAll,
    /// Abandon all descriptors in the device.
    AbortAll,
    /// Reset the device to its disabled, unconfigured state.
    ResetDevice,
    /// Enable one WQ.
    EnableWq(u16),
    /// Disable the WQs of a set.
    DisableWqs(WqSet),
    /// Drain the WQs of a set.
    DrainWqs(WqSet),
    /// Abort the WQs of a set.
    AbortWqs(WqSet),
    /// Reset the configuration of the WQs of a set.
    ResetWqs(WqSet),
    /// Wait for the descriptors of one PASID to complete.
    DrainPasid(u32),
    /// Abandon the descriptors of one PASID.
    AbortPasid(u32),
    /// Ask for the interrupt handle of an MSI-X or IMS entry.
    RequestIntHandle(IntTable, u16),
    /// Give an interrupt handle back.
    ReleaseIntHandle(IntTable, u16),
}

impl Command {
    fn code(self) -> u8 {
        match self {
            Self::EnableDevice => code::ENABLE_DEVICE,
            Self::DisableDevice => code::DISABLE_DEVICE,
            Self::DrainAll => code::DRAIN_ALL,
            Self::AbortAll => code::ABORT_ALL,
            Self::ResetDevice => code::RESET_DEVICE,
            Self::EnableWq(_) => code::ENABLE_WQ,
            Self::DisableWqs(_) => code::DISABLE_WQ,
            Self::DrainWqs(_) => code::DRAIN_WQ,
            Self::AbortWqs(_) => code::ABORT_WQ,
            Self::ResetWqs(_) => code::RESET_WQ,
            Self::DrainPasid(_) => code::DRAIN_PASID,
            Self::AbortPasid(_) => code::ABORT_PASID,
            Self::RequestIntHandle(..) => code::REQUEST_INT_HANDLE,
            Self::ReleaseIntHandle(..) => code::RELEASE_INT_HANDLE,
        }
    }

    fn operand(self) -> u32 {
        let table = |t| match t {
            IntTable::MsiX => 0,
            IntTable::Ims => INT_HANDLE_IMS,
        };
        match self {
            Self::EnableDevice
            | Self::DisableDevice
            | Self::DrainAll
            | Self::AbortAll
            | Self::ResetDevice => 0,
            Self::EnableWq(wq) => u32::from(wq),
            Self::DisableWqs(s) | Self::DrainWqs(s) | Self::AbortWqs(s) | Self::ResetWqs(s) => {
                s.operand()
            }
            Self::DrainPasid(pasid) | Self::AbortPasid(pasid) => pasid,
            Self::RequestIntHandle(t, n) | Self::ReleaseIntHandle(t, n) => table(t) | u32::from(n),
        }
    }

    /// The `CMD` register value that issues this command, with a completion
    /// interrupt if `int_req`.
    ///
    /// Fails with `EINVAL` for an operand the register cannot hold (a PASID
    /// wider than 20 bits).
    pub(crate) fn encode(self, int_req: bool) -> Result<CMD> {
        let cmd = CMD::zeroed()
            .try_with_operand(self.operand())?
            .try_with_code(u32::from(self.code()))?
            .with_int_req(int_req);
        Ok(cmd)
    }

    /// Decodes a `CMD` value written by a guest, or gives the error the
    /// device would report in `CMDSTS` for it.
    pub(crate) fn decode(cmd: CMD) -> Result<Self, CmdError> {
        let operand: u32 = cmd.operand().into();
        let wqs = WqSet::from_operand(operand);
        let table = if operand & INT_HANDLE_IMS != 0 {
            IntTable::Ims
        } else {
            IntTable::MsiX
        };
        let index = (operand & 0xffff) as u16;
        let code: u32 = cmd.code().into();
        Ok(match code as u8 {
            code::ENABLE_DEVICE => Self::EnableDevice,
            code::DISABLE_DEVICE => Self::DisableDevice,
            code::DRAIN_ALL => Self::DrainAll,
            code::ABORT_ALL => Self::AbortAll,
            code::RESET_DEVICE => Self::ResetDevice,
            code::ENABLE_WQ => {
                Self::EnableWq(u16::try_from(operand).map_err(|_| CmdError::InvalidWq)?)
            }
            code::DISABLE_WQ => Self::DisableWqs(wqs),
            code::DRAIN_WQ => Self::DrainWqs(wqs),
            code::ABORT_WQ => Self::AbortWqs(wqs),
            code::RESET_WQ => Self::ResetWqs(wqs),
            code::DRAIN_PASID => Self::DrainPasid(operand & PASID_MAX),
            code::ABORT_PASID => Self::AbortPasid(operand & PASID_MAX),
            code::REQUEST_INT_HANDLE => Self::RequestIntHandle(table, index),
            code::RELEASE_INT_HANDLE => Self::ReleaseIntHandle(table, index),
            _ => return Err(CmdError::InvalidCommand),
        })
    }
}

/// Error codes of `CMDSTS.err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum CmdError {
    /// The command code is not supported.
    InvalidCommand = 0x01,
    /// The WQ index is out of range.
    InvalidWq = 0x02,
    /// An internal hardware error.
    Hardware = 0x03,
    /// Enable device: the device is already enabled.
    DeviceEnabled = 0x10,
    /// Enable device: the configuration is invalid.
    Config = 0x11,
    /// Enable device: bus mastering is disabled.
    BusMasterDisabled = 0x12,
    /// Enable device: a PASID is invalid.
    PasidInvalid = 0x13,
    /// Enable device: the WQ sizes add up to more than the total.
    WqSizeRange = 0x14,
    /// Enable device: invalid group configuration (no engine, or a WQ in
    /// no group).
    GroupConfig = 0x15,
    /// Enable device: invalid group configuration (a WQ in two groups).
    GroupConfig2 = 0x16,
    /// Enable device: invalid group configuration (read buffers).
    GroupConfig3 = 0x17,
    /// Enable device: invalid group configuration (an engine in two groups).
    GroupConfig4 = 0x18,
    /// Enable WQ: the device is not enabled.
    DeviceNotEnabled = 0x20,
    /// Enable WQ: the WQ is already enabled.
    WqEnabled = 0x21,
    /// Enable WQ: the WQ size is zero.
    WqSize = 0x22,
    /// Enable WQ: invalid priority.
    WqPriority = 0x23,
    /// Enable WQ: the mode is not supported.
    WqMode = 0x24,
    /// Enable WQ: block on fault is not supported.
    BlockOnFault = 0x25,
    /// Enable WQ: PASID enable is invalid for this WQ.
    PasidEnable = 0x26,
    /// Enable WQ: the maximum batch size exceeds the device's.
    MaxBatchSize = 0x27,
    /// Enable WQ: the maximum transfer size exceeds the device's.
    MaxTransferSize = 0x28,
    /// Disable device: the device is not enabled.
    DisableNotEnabled = 0x31,
    /// Disable, drain, abort or reset WQ: the WQ is not enabled.
    WqNotEnabled = 0x32,
    /// Request interrupt handle: the entry index is invalid.
    InvalidIntIndex = 0x41,
    /// Request interrupt handle: no handle is available.
    NoHandle = 0x42,
}

impl CmdError {
    /// The error a nonzero `CMDSTS.err` code stands for, or `None` for a
    /// code the architecture does not define.
    pub(crate) fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x01 => Self::InvalidCommand,
            0x02 => Self::InvalidWq,
            0x03 => Self::Hardware,
            0x10 => Self::DeviceEnabled,
            0x11 => Self::Config,
            0x12 => Self::BusMasterDisabled,
            0x13 => Self::PasidInvalid,
            0x14 => Self::WqSizeRange,
            0x15 => Self::GroupConfig,
            0x16 => Self::GroupConfig2,
            0x17 => Self::GroupConfig3,
            0x18 => Self::GroupConfig4,
            0x20 => Self::DeviceNotEnabled,
            0x21 => Self::WqEnabled,
            0x22 => Self::WqSize,
            0x23 => Self::WqPriority,
            0x24 => Self::WqMode,
            0x25 => Self::BlockOnFault,
            0x26 => Self::PasidEnable,
            0x27 => Self::MaxBatchSize,
            0x28 => Self::MaxTransferSize,
            0x31 => Self::DisableNotEnabled,
            0x32 => Self::WqNotEnabled,
            0x41 => Self::InvalidIntIndex,
            0x42 => Self::NoHandle,
            _ => return None,
        })
    }

    /// The code to report in `CMDSTS.err`.
    pub(crate) fn code(self) -> u8 {
        self as u8
    }

    /// The kernel error code for a command that failed this way.
    pub(crate) fn to_errno(self) -> Error {
        match self {
            Self::InvalidCommand | Self::WqMode | Self::BlockOnFault => EOPNOTSUPP,
            Self::Hardware | Self::BusMasterDisabled => EIO,
            Self::DeviceEnabled | Self::WqEnabled => EBUSY,
            Self::DeviceNotEnabled | Self::DisableNotEnabled | Self::WqNotEnabled => ENXIO,
            Self::WqSizeRange => ERANGE,
            Self::NoHandle => ENOSPC,
            Self::InvalidWq
            | Self::Config
            | Self::PasidInvalid
            | Self::GroupConfig
            | Self::GroupConfig2
            | Self::GroupConfig3
            | Self::GroupConfig4
            | Self::WqSize
            | Self::WqPriority
            | Self::PasidEnable
            | Self::MaxBatchSize
            | Self::MaxTransferSize
            | Self::InvalidIntIndex => EINVAL,
        }
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({:#04x})", self, self.code())
    }
}

/// The outcome of a completed command as `CMDSTS` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Success, with the command's result (an interrupt handle, or 0).
    Done(u16),
    /// A defined error.
    Failed(CmdError),
    /// An error code the architecture does not define.
    Unknown(u8),
}

impl Outcome {
    /// Decodes a `CMDSTS` value whose `active` bit is clear.
    pub(crate) fn from_status(sts: CMDSTS) -> Self {
        let err: u8 = sts.err().into();
        match err {
            0 => Self::Done(sts.result().into()),
            e => CmdError::from_code(e).map_or(Self::Unknown(e), Self::Failed),
        }
    }

    /// The `CMDSTS` value reporting this outcome.
    pub(crate) fn to_status(self) -> CMDSTS {
        match self {
            Self::Done(result) => CMDSTS::zeroed().with_result(result),
            Self::Failed(e) => CMDSTS::zeroed().with_err(e.code()),
            Self::Unknown(e) => CMDSTS::zeroed().with_err(e),
        }
    }

    /// The command's result, or the kernel error code for its failure.
    pub(crate) fn into_result(self) -> Result<u16> {
        match self {
            Self::Done(result) => Ok(result),
            Self::Failed(e) => Err(e.to_errno()),
            Self::Unknown(_) => Err(EIO),
        }
    }
}

#[cfg(CONFIG_VFIO_MDEV_IDXD_KUNIT_TEST)]
#[kunit_tests(idxd_vdcm_cmd)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_register_map() {
        // Enable device with a completion interrupt: code 1 in bits 24:20.
        let cmd = Command::EnableDevice.encode(true);
        assert_eq!(cmd.map(|c| c.into_raw()), Ok((1 << 31) | (1 << 20)));
        // Enable WQ 5: the operand is the WQ index.
        let cmd = Command::EnableWq(5).encode(false);
        assert_eq!(cmd.map(|c| c.into_raw()), Ok((6 << 20) | 5));
        // Disable WQ 17: mask bit 1 of block 1.
        let cmd = WqSet::one(17).and_then(|s| Command::DisableWqs(s).encode(false));
        assert_eq!(
            cmd.map(|c| c.into_raw()),
            Ok((7 << 20) | (1 << 16) | (1 << 1))
        );
        // Request the handle of IMS entry 3.
        let cmd = Command::RequestIntHandle(IntTable::Ims, 3).encode(false);
        assert_eq!(cmd.map(|c| c.into_raw()), Ok((13 << 20) | (1 << 16) | 3));
        // A PASID is 20 bits wide.
        let cmd = Command::DrainPasid(1 << 20).encode(false);
        assert_eq!(cmd.map(|c| c.into_raw()), Err(EOVERFLOW));
    }

    #[test]
    fn decodes_what_it_encodes() {
        let all = [
            Command::EnableDevice,
            Command::DisableDevice,
            Command::DrainAll,
            Command::AbortAll,
            Command::ResetDevice,
            Command::EnableWq(7),
            Command::DisableWqs(WqSet {
                block: 2,
                mask: 0x8001,
            }),
            Command::DrainWqs(WqSet { block: 0, mask: 1 }),
            Command::AbortWqs(WqSet {
                block: 15,
                mask: 0xffff,
            }),
            Command::ResetWqs(WqSet {
                block: 1,
                mask: 0x10,
            }),
            Command::DrainPasid(0xfffff),
            Command::AbortPasid(1),
            Command::RequestIntHandle(IntTable::MsiX, 0),
            Command::ReleaseIntHandle(IntTable::Ims, 0xffff),
        ];
        for c in all {
            let decoded = c.encode(true).map(Command::decode);
            assert_eq!(decoded, Ok(Ok(c)));
        }
    }

    #[test]
    fn decode_refuses_unknown_codes() {
        for code in [0u32, 15, 16, 31] {
            let cmd = CMD::from_raw(code << 20);
            assert_eq!(Command::decode(cmd), Err(CmdError::InvalidCommand));
        }
    }

    #[test]
    fn wq_sets() {
        assert_eq!(WqSet::one(256), Err(EINVAL));
        let set = WqSet {
            block: 1,
            mask: 0x8003,
        };
        let mut wqs = set.wqs();
        assert_eq!(wqs.next(), Some(16));
        assert_eq!(wqs.next(), Some(17));
        assert_eq!(wqs.next(), Some(31));
        assert_eq!(wqs.next(), None);
    }

    #[test]
    fn status_round_trip_and_errno() {
        for code in 0..=u8::MAX {
            let outcome = Outcome::from_status(CMDSTS::from_raw(u32::from(code)));
            assert_eq!(Outcome::from_status(outcome.to_status()), outcome);
            match outcome {
                Outcome::Failed(e) => assert_eq!(e.code(), code),
                Outcome::Done(r) => assert_eq!((code, r), (0, 0)),
                Outcome::Unknown(c) => assert_eq!(c, code),
            }
        }
        let sts = CMDSTS::zeroed().with_result(0x1234u16);
        assert_eq!(Outcome::from_status(sts).into_result(), Ok(0x1234));
        let sts = CMDSTS::zeroed().with_err(0x21u8);
        assert_eq!(Outcome::from_status(sts).into_result(), Err(EBUSY));
        let sts = CMDSTS::zeroed().with_err(0x42u8);
        assert_eq!(Outcome::from_status(sts).into_result(), Err(ENOSPC));
        let sts = CMDSTS::zeroed().with_err(0x7fu8);
        assert_eq!(Outcome::from_status(sts).into_result(), Err(EIO));
    }
}
