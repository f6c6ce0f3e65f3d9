// SPDX-License-Identifier: GPL-2.0

//! The ioctls of the device file.

use super::{operations::VTable, Device, Operations};
use crate::{
    bindings,
    ioctl::_IO,
    prelude::*,
    uaccess::{UserPtr, UserSlice, UserSliceReader, UserSliceWriter},
};

/// ioctl number of a VFIO request (`_IO(VFIO_TYPE, VFIO_BASE + nr)` in the uapi header).
const fn vfio_ioctl(nr: u32) -> u32 {
    _IO(b';' as u32, 100 + nr)
}

const VFIO_DEVICE_GET_INFO: u32 = vfio_ioctl(7);
const VFIO_DEVICE_GET_IRQ_INFO: u32 = vfio_ioctl(9);
const VFIO_DEVICE_SET_IRQS: u32 = vfio_ioctl(10);
const VFIO_DEVICE_RESET: u32 = vfio_ioctl(11);

/// Reads the first `N` bytes of an ioctl argument as native-endian `u32` words.
pub(super) fn read_words<const N: usize>(reader: &mut UserSliceReader) -> Result<[u32; N]> {
    let mut words = [0u32; N];
    for w in words.iter_mut() {
        *w = reader.read::<u32>()?;
    }
    Ok(words)
}

/// Writes `words` as native-endian `u32` words at the start of an ioctl argument.
pub(super) fn write_words(writer: &mut UserSliceWriter, words: &[u32]) -> Result {
    for w in words {
        writer.write(w)?;
    }
    Ok(())
}

impl<T: Operations> VTable<T> {
    fn get_info(dev: &Device<T>, arg: usize) -> Result<isize> {
        // `struct vfio_device_info` up to `num_irqs`: argsz, flags, num_regions, num_irqs.
        let (mut reader, mut writer) = UserSlice::new(UserPtr::from_addr(arg), 16).reader_writer();
        let [argsz, ..] = read_words::<4>(&mut reader)?;
        if argsz < 16 {
            return Err(EINVAL);
        }
        let info = T::info(dev);
        write_words(
            &mut writer,
            &[argsz, info.flags, info.num_regions, info.num_irqs],
        )?;
        Ok(0)
    }

    /// # Safety
    ///
    /// Only the VFIO core may call it, as the `ioctl` callback of `VTable<T>`.
    pub(super) unsafe extern "C" fn ioctl(
        vdev: *mut bindings::vfio_device,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_long {
        // SAFETY: `vdev` is the device of this callback, which is not `release` (safety
        // requirements), and `dev` is not used after the callback returns.
        let dev = unsafe { Device::<T>::from_raw(vdev) };
        let ret = match cmd {
            VFIO_DEVICE_GET_INFO => Self::get_info(dev, arg),
            VFIO_DEVICE_GET_IRQ_INFO if T::HAS_IRQ_INFO => Self::get_irq_info(dev, arg),
            VFIO_DEVICE_SET_IRQS if T::HAS_SET_IRQS && T::HAS_IRQ_INFO => Self::set_irqs(dev, arg),
            VFIO_DEVICE_RESET if T::HAS_RESET => T::reset(dev).map(|()| 0),
            _ if T::HAS_IOCTL => T::ioctl(dev, cmd, arg),
            _ => Err(ENOTTY),
        };
        match ret {
            Ok(v) => v as c_long,
            Err(e) => e.to_errno() as c_long,
        }
    }
}
