// SPDX-License-Identifier: GPL-2.0

//! The device's debugfs directory, `/sys/kernel/debug/idxd_vdcm-<device>/`:
//! `config` shows the device, the host's WQs, the vDSAs' WQs, IMS, software
//! errors and halts. With `CONFIG_VFIO_MDEV_IDXD_SELFTEST`, `submit` runs a
//! self-test job through a host WQ and shows the last job's report (see
//! `submit`).

use kernel::{
    debugfs, fmt,
    io::Io,
    page::PAGE_SIZE,
    pci,
    prelude::*,
    str::CString,
    sync::{atomic::Relaxed, Arc},
};

#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
use kernel::uaccess::UserSliceReader;

#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
use crate::submit::Job;
use crate::{regs, Shared};

/// A device's debugfs directory and its files.
pub(crate) type DebugFsDir = Pin<KBox<debugfs::Scope<Arc<Shared>>>>;

/// Creates the directory of `pdev` and its files.
pub(crate) fn create(pdev: &pci::Device, shared: &Arc<Shared>) -> Result<DebugFsDir> {
    let name = CString::try_from_fmt(fmt!("idxd_vdcm-{}", pdev.as_ref().name()))?;
    KBox::pin_init(
        debugfs::Scope::dir(shared.clone(), &name, |s, dir| {
            dir.read_callback_file(c"config", s, &show_config);
            #[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
            dir.read_write_callback_file(c"submit", s, &show_report, &run_job);
        }),
        GFP_KERNEL,
    )
}

/// The debugfs `config` file: the device and the host's WQs.
fn show_config(s: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let caps = &s.caps;
    writeln!(
        f,
        "version {}.{}\nwqs {}\nwq_size {}\ngroups {}\nengines {}\nmax_xfer {}",
        caps.version_major,
        caps.version_minor,
        caps.num_wqs,
        caps.total_wq_size,
        caps.num_groups,
        caps.num_engines,
        caps.max_xfer_bytes
    )?;
    writeln!(f, "pasid {}", s.pasid)?;
    if s.siov {
        writeln!(f, "siov yes page_size {PAGE_SIZE}")?;
    } else {
        writeln!(f, "siov no")?;
    }
    if let Some(bar) = s.bar0.try_access() {
        writeln!(f, "state {:?}", bar.read(regs::GENSTS).state())?;
        for wq in s.plan.wqs() {
            let state = bar
                .try_read32(s.tables.wqcfg_dword(caps, wq.index, regs::wqcfg::STATE))
                .map(|v| regs::WqcfgState::from_raw(v).state().get())
                .unwrap_or(0);
            writeln!(
                f,
                "wq {} {} size {} {}",
                wq.index,
                wq.mode.name(),
                wq.size,
                if state == 1 { "enabled" } else { "disabled" }
            )?;
        }
    }
    if let Some(adi) = s.adi.wqs {
        writeln!(
            f,
            "vdsa_wqs {}-{} size {} taken {:#x}",
            adi.first,
            adi.last(),
            adi.size,
            *s.adi.taken.lock()
        )?;
        // Each of those WQs: whether the device has it enabled, the host
        // PASID it was bound with, its interrupt handle, its completions,
        // and the handles its vDSAs revoked on resuming a migration.
        if let Some(swq) = adi.shared {
            let enabled = s.wq_enabled(swq.index);
            writeln!(
                f,
                "vdsa_swq {} {} size {} vdsas {} of size {} taken {:#x}",
                swq.index,
                if enabled { "enabled" } else { "disabled" },
                swq.size,
                swq.vdsas,
                swq.vdsa_size(),
                *s.adi.tenants.lock()
            )?;
        }
        let mut tenant = 0;
        for slot in s.adi.slots.iter() {
            if slot.shared {
                write!(f, "vdsa_swq_slot {} pasid {} ", tenant, slot.pasid.pasid())?;
                tenant += 1;
            } else {
                let enabled = s.wq_enabled(slot.wq);
                write!(
                    f,
                    "vdsa_wq {} {} pasid {} ",
                    slot.wq,
                    if enabled { "enabled" } else { "disabled" },
                    slot.pasid.pasid()
                )?;
            }
            match slot.handle() {
                Some(h) => write!(f, "handle {h}")?,
                None => write!(f, "handle none")?,
            }
            writeln!(
                f,
                " completions {} revoked {}",
                slot.completion.raised(),
                slot.revoked.load(Relaxed)
            )?;
        }
    }
    writeln!(f, "vdsa_vfio_calls {}", s.vfio_calls.load(Relaxed))?;
    s.ims.show(f)?;
    s.dma.show(f)?;
    writeln!(f, "software_errors {}", s.swerr.count.load(Relaxed))?;
    writeln!(f, "halted {}", s.halt.halted.load(Relaxed))?;
    writeln!(f, "halts {}", s.halt.halts.load(Relaxed))?;
    writeln!(f, "recoveries {}", s.halt.recoveries.load(Relaxed))
}

/// Reading `submit`: the last job's report.
#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
fn show_report(s: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let report = s.jobs.state.lock().report;
    write!(f, "{report}")
}

/// Writing `submit`: runs a job; fails with `EIO` if a descriptor's outcome
/// was wrong, or with the error that stopped the job.
#[cfg(CONFIG_VFIO_MDEV_IDXD_SELFTEST)]
fn run_job(s: &Arc<Shared>, reader: &mut UserSliceReader) -> Result {
    let mut text = [0u8; 64];
    let len = reader.len();
    if len > text.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut text[..len])?;
    let job = Job::parse(&text[..len])?;
    let mut state = s.jobs.state.lock();
    let report = s.run_job(&state.pool, job);
    state.report = report;
    if report.errno != 0 {
        return Err(Error::from_errno(report.errno));
    }
    if report.failed != 0 {
        return Err(EIO);
    }
    Ok(())
}
