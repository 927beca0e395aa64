#ifndef BOOTLET_RUNTIME_H
#define BOOTLET_RUNTIME_H
/*
 * bootlet C runtime shims.
 *
 * Everything here is C for one of three reasons (DEVELOPERS.md rule 1): it runs between clone and exec, it is a
 * call Swift cannot make (variadic syscall()/prctl(), macros, GNU-only declarations), or it is glue to libcap.
 * Functions called from Swift return 0 / a value >= 0 on success and -errno on failure; they never print.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- seccomp_install.c ------------------------------------------------------------------------------ */

/*
 * Install a classic-BPF seccomp filter on the calling thread.
 * `filter` points to `count` `struct sock_filter` records (8 bytes each, native endian: u16 code, u8 jt, u8 jf,
 * u32 k) as produced by libseccomp's export. `flags` are SECCOMP_FILTER_FLAG_* bits.
 * Async-signal-safe (one syscall); used in the container child right before exec.
 * Returns 0 or -errno.
 */
int bl_seccomp_install(const void *filter, unsigned short count, unsigned int flags);

#endif
