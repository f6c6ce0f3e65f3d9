// SPDX-License-Identifier: GPL-2.0

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include <asm/special_insns.h>

__rust_helper bool rust_helper_portal_has_movdir64b(void)
{
	return boot_cpu_has(X86_FEATURE_MOVDIR64B);
}

__rust_helper bool rust_helper_portal_has_enqcmds(void)
{
	return boot_cpu_has(X86_FEATURE_ENQCMD);
}

__rust_helper void rust_helper_movdir64b_io(void __iomem *dst, const void *src)
{
	movdir64b_io(dst, src);
}

__rust_helper int rust_helper_enqcmds(void __iomem *dst, const void *src)
{
	return enqcmds(dst, src);
}
#endif /* CONFIG_X86_64 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>

__rust_helper int rust_helper_portal_remap_user(struct vm_area_struct *vma,
						unsigned long addr,
						unsigned long pfn,
						unsigned long size)
{
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return io_remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
}

__rust_helper bool rust_helper_portal_opener_has_rawio(struct vm_area_struct *vma)
{
	return vma->vm_file &&
	       file_ns_capable(vma->vm_file, &init_user_ns, CAP_SYS_RAWIO);
}
