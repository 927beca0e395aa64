#include "bootlet_archive.h"
int bl_archive_placeholder(void) { return 0; }
