#ifndef BOOTLET_RUNTIME_H
#define BOOTLET_RUNTIME_H
/* placeholder until the container-init shim lands */
int bl_runtime_placeholder(void);
#endif
