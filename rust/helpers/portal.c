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
