// SPDX-License-Identifier: GPL-2.0

//! Rust VFIO mediated device sample.
//!
//! A faux device is the parent of mediated devices of one type, `rust_mdev-1`. Each mdev is a
//! small emulated PCI device that userspace drives through VFIO:
//!
//! - a 256-byte configuration space (vendor and device ID, command register, BAR 0 and 1);
//! - BAR 0, 4 KiB of emulated registers, accessed with 32-bit `read(2)`/`write(2)`: an ID
//!   register, a scratch register, a doorbell that raises the INTx interrupt through its eventfd
//!   when written, the number of interrupts raised so far, and a one-word DMA engine that writes
//!   the scratch register to an I/O virtual address of the device's address space, and a pin of
//!   one page there that the device gives back when userspace unmaps it;
//! - BAR 1, one page of memory that userspace maps with `mmap(2)`;
//! - the request interrupt, signalled when the mdev is removed while open, to ask userspace to
//!   close it.
//!
//! Compare with `samples/vfio-mdev/mtty.c`, which emulates a serial port the same way.

use kernel::{
    alloc::flags::__GFP_ZERO,
    device,
    eventfd::EventFd,
    faux, mdev,
    mm::virt::VmaNew,
    new_mutex,
    page::{Page, PAGE_SIZE},
    prelude::*,
    sync::Mutex,
    uaccess::{UserSliceReader, UserSliceWriter},
    vfio::{
        self, flags, pci, DeviceInfo, IrqAction, IrqData, IrqInfo, IrqSet, RegionCaps, RegionInfo,
    },
};

module! {
    type: RustMdevModule,
    name: "rust_mdev",
    authors: ["vDSA developers"],
    description: "Rust VFIO mediated device sample",
    license: "GPL",
}

/// PCI vendor ID (the one QEMU uses for its own example devices) and device ID.
const VENDOR_ID: u16 = 0x1b36;
const DEVICE_ID: u16 = 0x00ff;
/// Size of the configuration space.
const CONFIG_SIZE: usize = 256;
/// Size of BAR 0.
const BAR0_SIZE: u64 = 4096;
/// Size of BAR 1, the mappable page.
const BAR1_SIZE: u64 = PAGE_SIZE as u64;

/// Configuration space offsets.
const PCI_VENDOR_ID: usize = 0x00;
const PCI_DEVICE_ID: usize = 0x02;
const PCI_COMMAND: usize = 0x04;
const PCI_REVISION_ID: usize = 0x08;
const PCI_CLASS_DEVICE: usize = 0x0a;
const PCI_BASE_ADDRESS_0: usize = 0x10;
const PCI_BASE_ADDRESS_1: usize = 0x14;
const PCI_INTERRUPT_PIN: usize = 0x3d;

/// BAR 0 registers, 32 bits each.
///
/// `ID` (read-only): [`BAR0_ID_VALUE`].
const BAR0_ID: u64 = 0x00;
/// `SCRATCH` (read-write): holds what is written.
const BAR0_SCRATCH: u64 = 0x04;
/// `DOORBELL` (write-only, reads as zero): a write raises the interrupt.
const BAR0_DOORBELL: u64 = 0x08;
/// `IRQ_COUNT` (read-only): interrupts raised since the last reset.
const BAR0_IRQ_COUNT: u64 = 0x0c;
/// `DMA_ADDR_LO`, `DMA_ADDR_HI` (read-write): the I/O virtual address `DMA_GO` writes to.
const BAR0_DMA_ADDR_LO: u64 = 0x10;
const BAR0_DMA_ADDR_HI: u64 = 0x14;
/// `DMA_GO` (write-only, reads as zero): a write copies `SCRATCH` to `DMA_ADDR` by DMA.
const BAR0_DMA_GO: u64 = 0x18;
/// `DMA_STATUS` (read-only): 0 if the last DMA succeeded, else the positive error code.
const BAR0_DMA_STATUS: u64 = 0x1c;
/// `PIN` (write-only, reads as zero): a write pins the page at `DMA_ADDR`, as a device that keeps
/// a DMA target mapped would; the status goes to `DMA_STATUS`.
const BAR0_PIN: u64 = 0x20;
/// `PINNED` (read-only): 1 while a page is pinned.
const BAR0_PINNED: u64 = 0x24;
/// `UNMAP_COUNT` (read-only): how many times an unmap by userspace released the pinned page.
const BAR0_UNMAP_COUNT: u64 = 0x28;
/// The value of the `ID` register: "RSMD".
const BAR0_ID_VALUE: u32 = 0x444d_5352;

struct RustMdev;

/// The mutable state of one mdev.
struct State {
    config: [u8; CONFIG_SIZE],
    scratch: u32,
    irq_count: u32,
    dma_addr: u64,
    dma_status: u32,
    pinned: Option<vfio::PinnedPages>,
    unmap_count: u32,
    trigger: Option<EventFd>,
    request: Option<EventFd>,
    masked: bool,
    pending: bool,
}

impl State {
    fn new() -> Self {
        let mut s = Self {
            config: [0; CONFIG_SIZE],
            scratch: 0,
            irq_count: 0,
            dma_addr: 0,
            dma_status: 0,
            pinned: None,
            unmap_count: 0,
            trigger: None,
            request: None,
            masked: false,
            pending: false,
        };
        s.reset();
        s
    }

    /// Puts the registers and the configuration space in their power-on state; the interrupt
    /// set-up (the eventfd) stays, as on vfio-pci.
    fn reset(&mut self) {
        self.config = [0; CONFIG_SIZE];
        self.put_config(PCI_VENDOR_ID, &VENDOR_ID.to_le_bytes());
        self.put_config(PCI_DEVICE_ID, &DEVICE_ID.to_le_bytes());
        self.config[PCI_REVISION_ID] = 1;
        // Class 0xff: a device that fits no defined class.
        self.put_config(PCI_CLASS_DEVICE, &0xff00u16.to_le_bytes());
        // INTA#.
        self.config[PCI_INTERRUPT_PIN] = 1;
        self.scratch = 0;
        self.irq_count = 0;
        self.dma_addr = 0;
        self.dma_status = 0;
        self.masked = false;
        self.pending = false;
    }

    fn put_config(&mut self, off: usize, bytes: &[u8]) {
        if let Some(dst) = self.config.get_mut(off..off + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }

    /// A write to the configuration space: only the command register and the BARs are
    /// writable; a BAR keeps its size alignment and memory-space flags.
    fn write_config(&mut self, off: usize, bytes: &[u8]) {
        match off {
            PCI_COMMAND => self.put_config(off, bytes),
            PCI_BASE_ADDRESS_0 | PCI_BASE_ADDRESS_1 if bytes.len() == 4 => {
                let size = if off == PCI_BASE_ADDRESS_0 {
                    BAR0_SIZE
                } else {
                    BAR1_SIZE
                };
                let v = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                // 32-bit memory BAR: the low bits read as zero.
                let v = v & !(size as u32 - 1);
                self.put_config(off, &v.to_le_bytes());
            }
            _ => {}
        }
    }

    /// Raises the interrupt, or keeps it pending while masked.
    fn raise_irq(&mut self) {
        self.irq_count = self.irq_count.wrapping_add(1);
        if self.masked {
            self.pending = true;
        } else if let Some(t) = &self.trigger {
            t.signal();
        }
    }
}

/// The VFIO device of one mdev.
#[pin_data]
struct Sample {
    #[pin]
    state: Mutex<State>,
    page: Page,
}

/// Checks an access of `len` bytes at `off` to a region of `size` bytes: 1, 2 or 4 bytes,
/// naturally aligned, within the region.
fn check_access(off: u64, len: usize, size: u64) -> Result<usize> {
    if !matches!(len, 1 | 2 | 4) || off % len as u64 != 0 || off + len as u64 > size {
        return Err(EINVAL);
    }
    usize::try_from(off).map_err(|_| EINVAL)
}

/// Gives back the pinned page, if any.
fn unpin(dev: &vfio::Device<Sample>, s: &mut State) {
    if let Some(p) = s.pinned.take() {
        if let Err(p) = dev.unpin_pages(p) {
            // Cannot happen: the page was pinned by this device. Keep it rather than lose it.
            s.pinned = Some(p);
        }
    }
}

#[vtable]
impl vfio::Operations for Sample {
    fn close(dev: &vfio::Device<Self>) {
        let mut s = dev.state.lock();
        unpin(dev, &mut s);
        s.trigger = None;
        s.request = None;
        s.masked = false;
        s.pending = false;
    }

    fn read(dev: &vfio::Device<Self>, buf: &mut UserSliceWriter, pos: u64) -> Result<usize> {
        let (index, off) = vfio::split_offset(pos);
        let len = buf.len();
        let mut bytes = [0u8; 4];
        let s = dev.state.lock();
        match u32::try_from(index).map_err(|_| EINVAL)? {
            pci::CONFIG_REGION_INDEX => {
                let off = check_access(off, len, CONFIG_SIZE as u64)?;
                bytes[..len].copy_from_slice(&s.config[off..off + len]);
            }
            pci::BAR0_REGION_INDEX => {
                check_access(off, len, BAR0_SIZE)?;
                if len != 4 {
                    return Err(EINVAL);
                }
                let v = match off {
                    BAR0_ID => BAR0_ID_VALUE,
                    BAR0_SCRATCH => s.scratch,
                    BAR0_IRQ_COUNT => s.irq_count,
                    BAR0_DMA_ADDR_LO => s.dma_addr as u32,
                    BAR0_DMA_ADDR_HI => (s.dma_addr >> 32) as u32,
                    BAR0_DMA_STATUS => s.dma_status,
                    BAR0_PINNED => u32::from(s.pinned.is_some()),
                    BAR0_UNMAP_COUNT => s.unmap_count,
                    _ => 0,
                };
                bytes = v.to_le_bytes();
            }
            _ => return Err(EINVAL),
        }
        drop(s);
        buf.write_slice(&bytes[..len])?;
        Ok(len)
    }

    fn write(dev: &vfio::Device<Self>, buf: &mut UserSliceReader, pos: u64) -> Result<usize> {
        let (index, off) = vfio::split_offset(pos);
        let len = buf.len();
        let mut bytes = [0u8; 4];
        match u32::try_from(index).map_err(|_| EINVAL)? {
            pci::CONFIG_REGION_INDEX => {
                let off = check_access(off, len, CONFIG_SIZE as u64)?;
                buf.read_slice(&mut bytes[..len])?;
                dev.state.lock().write_config(off, &bytes[..len]);
            }
            pci::BAR0_REGION_INDEX => {
                check_access(off, len, BAR0_SIZE)?;
                if len != 4 {
                    return Err(EINVAL);
                }
                buf.read_slice(&mut bytes)?;
                let v = u32::from_le_bytes(bytes);
                let mut s = dev.state.lock();
                match off {
                    BAR0_SCRATCH => s.scratch = v,
                    BAR0_DOORBELL => s.raise_irq(),
                    BAR0_DMA_ADDR_LO => s.dma_addr = (s.dma_addr & !0xffff_ffff) | u64::from(v),
                    BAR0_DMA_ADDR_HI => {
                        s.dma_addr = (s.dma_addr & 0xffff_ffff) | (u64::from(v) << 32)
                    }
                    BAR0_DMA_GO => {
                        let r = dev.dma_write(s.dma_addr, &s.scratch.to_le_bytes());
                        s.dma_status = r.err().map_or(0, |e| e.to_errno().unsigned_abs());
                    }
                    BAR0_PIN if s.pinned.is_none() => {
                        let r = dev.pin_pages(s.dma_addr & !(PAGE_SIZE as u64 - 1), 1, true);
                        s.dma_status = match r {
                            Ok(p) => {
                                s.pinned = Some(p);
                                0
                            }
                            Err(e) => e.to_errno().unsigned_abs(),
                        };
                    }
                    _ => {}
                }
            }
            _ => return Err(EINVAL),
        }
        Ok(len)
    }

    fn mmap(dev: &vfio::Device<Self>, vma: &VmaNew, pos: u64) -> Result {
        let (index, off) = vfio::split_offset(pos);
        let len = vma.end() - vma.start();
        if index != u64::from(pci::BAR1_REGION_INDEX) || off != 0 || len as u64 != BAR1_SIZE {
            return Err(EINVAL);
        }
        vma.set_dontcopy();
        vma.set_mixedmap().vm_insert_page(vma.start(), &dev.page)
    }

    fn info(_dev: &vfio::Device<Self>) -> DeviceInfo {
        DeviceInfo {
            flags: flags::DEVICE_PCI | flags::DEVICE_RESET,
            num_regions: pci::NUM_REGIONS,
            num_irqs: pci::NUM_IRQS,
        }
    }

    fn region_info(
        _dev: &vfio::Device<Self>,
        index: u32,
        caps: &mut RegionCaps<'_>,
    ) -> Result<RegionInfo> {
        let rw = flags::REGION_READ | flags::REGION_WRITE;
        Ok(match index {
            pci::CONFIG_REGION_INDEX => RegionInfo {
                flags: rw,
                size: CONFIG_SIZE as u64,
            },
            pci::BAR0_REGION_INDEX => RegionInfo {
                flags: rw,
                size: BAR0_SIZE,
            },
            pci::BAR1_REGION_INDEX => {
                // The whole page may be mapped; said explicitly to show the capability chain.
                caps.add_sparse_mmap(&[(0, BAR1_SIZE)])?;
                RegionInfo {
                    flags: rw | flags::REGION_MMAP,
                    size: BAR1_SIZE,
                }
            }
            i if i < pci::NUM_REGIONS => RegionInfo { flags: 0, size: 0 },
            _ => return Err(EINVAL),
        })
    }

    fn irq_info(_dev: &vfio::Device<Self>, index: u32) -> Result<IrqInfo> {
        Ok(match index {
            pci::INTX_IRQ_INDEX => IrqInfo {
                flags: flags::IRQ_EVENTFD | flags::IRQ_MASKABLE,
                count: 1,
            },
            pci::REQ_IRQ_INDEX => IrqInfo {
                flags: flags::IRQ_EVENTFD | flags::IRQ_NORESIZE,
                count: 1,
            },
            _ => IrqInfo { flags: 0, count: 0 },
        })
    }

    fn set_irqs(dev: &vfio::Device<Self>, set: IrqSet) -> Result {
        // Only INTx and the request have interrupts, one each (the core checked that the range
        // is within the index).
        let mut s = dev.state.lock();
        if set.index == pci::REQ_IRQ_INDEX {
            // The request can only be routed to an eventfd, or disabled.
            s.request = set.into_trigger()?;
            return Ok(());
        }
        let selected = match &set.data {
            IrqData::None => true,
            IrqData::Bool(v) => v.first().copied().unwrap_or(false),
            IrqData::EventFd(_) => true,
        };
        match (set.action, set.data) {
            (IrqAction::Trigger, IrqData::EventFd(mut fds)) => {
                s.trigger = fds.pop().flatten();
            }
            (IrqAction::Trigger, IrqData::None) if set.count == 0 => s.trigger = None,
            (IrqAction::Trigger, _) => {
                if selected {
                    s.raise_irq();
                }
            }
            (IrqAction::Mask, IrqData::EventFd(_)) | (IrqAction::Unmask, IrqData::EventFd(_)) => {
                return Err(EINVAL)
            }
            (IrqAction::Mask, _) => {
                if selected {
                    s.masked = true;
                }
            }
            (IrqAction::Unmask, _) => {
                if selected {
                    s.masked = false;
                    if s.pending {
                        s.pending = false;
                        if let Some(t) = &s.trigger {
                            t.signal();
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn reset(dev: &vfio::Device<Self>) -> Result {
        let mut s = dev.state.lock();
        unpin(dev, &mut s);
        s.reset();
        Ok(())
    }

    fn dma_unmap(dev: &vfio::Device<Self>, iova: u64, length: u64) {
        let mut s = dev.state.lock();
        if s.pinned.as_ref().is_some_and(|p| p.overlaps(iova, length)) {
            unpin(dev, &mut s);
            s.unmap_count += 1;
        }
    }

    fn request(dev: &vfio::Device<Self>, count: u32) {
        dev.signal_request(dev.state.lock().request.as_ref(), count);
    }
}

#[vtable]
impl mdev::Driver for RustMdev {
    const NAME: &'static CStr = c"rust_mdev";
    const DEVICE_API: &'static CStr = pci::DEVICE_API;
    const TYPES: &'static [mdev::Type] = &[mdev::Type {
        sysfs_name: c"rust_mdev-1",
        pretty_name: c"Rust sample device",
        description: c"an emulated PCI device: config space, a register BAR, a mappable page",
        max_instances: 4,
    }];

    type ParentData = ();
    type Vfio = Sample;

    fn probe(
        _data: &(),
        _parent: &device::Device<device::Bound>,
        mdev: &mdev::Device<device::Core<'_>>,
        _type_index: usize,
    ) -> Result<mdev::Probe<impl PinInit<Sample, Error>>> {
        dev_dbg!(mdev.as_ref(), "probe\n");
        Ok(mdev::Probe {
            pasid: None,
            init: try_pin_init!(Sample {
                state <- new_mutex!(State::new()),
                page: Page::alloc_page(GFP_KERNEL | __GFP_ZERO)?,
            }),
        })
    }
}

struct RustMdevModule {
    // Dropped first: removes the mdevs before their parent device goes away.
    _parent: Pin<KBox<mdev::Parent<RustMdev>>>,
    _faux: faux::Registration,
}

impl kernel::Module for RustMdevModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let faux = faux::Registration::new(c"rust_mdev", None)?;
        let dev: &device::Device<device::Bound> = faux.as_ref().as_ref();
        let parent = KBox::pin_init(mdev::Parent::<RustMdev>::new(dev, ()), GFP_KERNEL)?;
        Ok(Self {
            _parent: parent,
            _faux: faux,
        })
    }
}
