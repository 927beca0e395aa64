#include "bootlet_runtime.h"
int bl_runtime_placeholder(void) { return 0; }
