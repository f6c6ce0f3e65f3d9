// SPDX-License-Identifier: GPL-2.0

//! Interrupts: what is reported of them and the requests that set them up.

use super::{
    ioctl::{read_words, write_words},
    operations::VTable,
    Device, Operations,
};
use crate::{
    bindings,
    error::to_result,
    eventfd::EventFd,
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

/// What `VFIO_DEVICE_GET_IRQ_INFO` reports for one interrupt index.
#[derive(Clone, Copy, Debug)]
pub struct IrqInfo {
    /// Interrupt flags (`flags::IRQ_*`).
    pub flags: u32,
    /// Number of interrupts of this index.
    pub count: u32,
}

/// The action of a `VFIO_DEVICE_SET_IRQS` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqAction {
    /// Mask the interrupts.
    Mask,
    /// Unmask the interrupts.
    Unmask,
    /// Trigger the interrupts, or set up how they are signalled.
    Trigger,
}

/// The data of a `VFIO_DEVICE_SET_IRQS` request, one element per interrupt.
pub enum IrqData {
    /// No data: apply the action to every interrupt of the range. With [`IrqAction::Trigger`]
    /// and a count of zero, this disables signalling for the whole index.
    None,
    /// Apply the action to the interrupts whose flag is set.
    Bool(KVec<bool>),
    /// Signal each interrupt through the given eventfd, or stop signalling it (`None`, from a
    /// file descriptor of -1).
    EventFd(KVec<Option<EventFd>>),
}

/// A decoded and validated `VFIO_DEVICE_SET_IRQS` request.
pub struct IrqSet {
    /// The interrupt index.
    pub index: u32,
    /// The first interrupt of the range.
    pub start: u32,
    /// The number of interrupts of the range; `start + count` is within the index.
    pub count: u32,
    /// What to do.
    pub action: IrqAction,
    /// With what data.
    pub data: IrqData,
}

impl IrqSet {
    /// The eventfd a request sets for an index whose one interrupt can only be signalled
    /// through an eventfd, such as the request interrupt
    /// ([`pci::REQ_IRQ_INDEX`](super::pci::REQ_IRQ_INDEX)): `Some` to
    /// signal it from now on, `None` to stop (an fd of -1, or a count of zero without data).
    ///
    /// Fails with [`EINVAL`] for any other action or data.
    pub fn into_trigger(self) -> Result<Option<EventFd>> {
        match (self.action, self.data) {
            (IrqAction::Trigger, IrqData::EventFd(mut fds)) if fds.len() == 1 => {
                Ok(fds.pop().flatten())
            }
            (IrqAction::Trigger, IrqData::None) if self.count == 0 => Ok(None),
            _ => Err(EINVAL),
        }
    }
}

impl<T: Operations> VTable<T> {
    pub(super) fn get_irq_info(dev: &Device<T>, arg: usize) -> Result<isize> {
        // `struct vfio_irq_info`: argsz, flags, index, count.
        let (mut reader, mut writer) = UserSlice::new(UserPtr::from_addr(arg), 16).reader_writer();
        let [argsz, _, index, _] = read_words::<4>(&mut reader)?;
        if argsz < 16 || index >= T::info(dev).num_irqs {
            return Err(EINVAL);
        }
        let irq = T::irq_info(dev, index)?;
        write_words(&mut writer, &[argsz, irq.flags, index, irq.count])?;
        Ok(0)
    }

    pub(super) fn set_irqs(dev: &Device<T>, arg: usize) -> Result<isize> {
        // `struct vfio_irq_set`: argsz, flags, index, start, count, then the data.
        let mut reader = UserSlice::new(UserPtr::from_addr(arg), 20).reader();
        let [argsz, flags, index, start, count] = read_words::<5>(&mut reader)?;
        let info = T::info(dev);
        if index >= info.num_irqs {
            return Err(EINVAL);
        }
        let num = T::irq_info(dev, index)?.count;
        let mut hdr = bindings::vfio_irq_set {
            argsz,
            flags,
            index,
            start,
            count,
            data: bindings::__IncompleteArrayField::new(),
        };
        let mut data_size = 0usize;
        // SAFETY: `hdr` and `data_size` are valid for the duration of the call.
        to_result(unsafe {
            bindings::vfio_set_irqs_validate_and_prepare(
                &mut hdr,
                num as c_int,
                info.num_irqs as c_int,
                &mut data_size,
            )
        })?;
        let action = match flags & bindings::VFIO_IRQ_SET_ACTION_TYPE_MASK {
            bindings::VFIO_IRQ_SET_ACTION_MASK => IrqAction::Mask,
            bindings::VFIO_IRQ_SET_ACTION_UNMASK => IrqAction::Unmask,
            bindings::VFIO_IRQ_SET_ACTION_TRIGGER => IrqAction::Trigger,
            _ => return Err(EINVAL),
        };
        let mut data =
            UserSlice::new(UserPtr::from_addr(arg).wrapping_byte_add(20), data_size).reader();
        let n = count as usize;
        let data = match flags & bindings::VFIO_IRQ_SET_DATA_TYPE_MASK {
            bindings::VFIO_IRQ_SET_DATA_NONE => IrqData::None,
            bindings::VFIO_IRQ_SET_DATA_BOOL => {
                let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
                for _ in 0..n {
                    v.push(data.read::<u8>()? != 0, GFP_KERNEL)?;
                }
                IrqData::Bool(v)
            }
            bindings::VFIO_IRQ_SET_DATA_EVENTFD => {
                let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
                for _ in 0..n {
                    let fd = data.read::<i32>()?;
                    let efd = match fd {
                        -1 => None,
                        fd if fd < 0 => return Err(EINVAL),
                        fd => Some(EventFd::from_fd(fd)?),
                    };
                    v.push(efd, GFP_KERNEL)?;
                }
                IrqData::EventFd(v)
            }
            _ => return Err(EINVAL),
        };
        T::set_irqs(
            dev,
            IrqSet {
                index,
                start,
                count,
                action,
                data,
            },
        )?;
        Ok(0)
    }
}
