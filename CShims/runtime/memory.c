/* glibc malloc tuning for long-running bootlet processes (the runner). malloc.h is not in Swift's Glibc module. */
#include "bootlet_runtime.h"

#include <malloc.h>

int bl_malloc_arena_max(int n)
{
    return mallopt(M_ARENA_MAX, n);
}

int bl_malloc_trim(void)
{
    return malloc_trim(0);
}
