#include "bootlet_seccomp.h"
int bl_seccomp_placeholder(void) { return 0; }
