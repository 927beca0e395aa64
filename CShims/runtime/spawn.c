/* Process spawning for Swift: posix_spawn (vfork semantics, safe from a multithreaded process) with the fd
 * layout, session and signal state the monitor and hooks expect. Swift cannot pass the GNU-only
 * POSIX_SPAWN_SETSID flag or call posix_spawn_file_actions_addclosefrom_np portably. */
#include "bootlet_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

pid_t bl_spawn(const char *path, char *const argv[], char *const envp[], const int *fdmap, int nfd, int setsid_)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc)
        return -rc;
    if ((rc = posix_spawnattr_init(&attr))) {
        posix_spawn_file_actions_destroy(&fa);
        return -rc;
    }
    /* Sources must not collide with targets: move every source above the target range first. */
    int moved[64];
    int n = nfd < 64 ? nfd : 64;
    for (int i = 0; i < n; i++) {
        moved[i] = -1;
        if (fdmap[i] < 0)
            continue;
        moved[i] = fcntl(fdmap[i], F_DUPFD_CLOEXEC, n > 3 ? n : 3);
        if (moved[i] < 0) {
            rc = errno;
            goto out;
        }
    }
    for (int i = 0; i < n; i++) {
        if (moved[i] >= 0)
            rc = posix_spawn_file_actions_adddup2(&fa, moved[i], i);
        else
            rc = posix_spawn_file_actions_addclose(&fa, i);
        if (rc)
            goto out;
    }
    if ((rc = posix_spawn_file_actions_addclosefrom_np(&fa, n)))
        goto out;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (setsid_)
        flags |= POSIX_SPAWN_SETSID;
    posix_spawnattr_setflags(&attr, flags);
    pid_t pid;
    rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
out:
    for (int i = 0; i < n; i++)
        if (moved[i] >= 0)
            close(moved[i]);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc ? -rc : pid;
}
