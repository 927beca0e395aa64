#ifndef BOOTLET_SECCOMP_H
#define BOOTLET_SECCOMP_H
/* placeholder: filled by the seccomp work */
int bl_seccomp_placeholder(void);
#endif
