/* bootlet-pause: the process of a pod sandbox. It holds the pod's shared namespaces (net, ipc, uts and, with
 * shareProcessNamespace, pid) and does nothing else: it waits for signals, reaps orphans when it is PID 1 of a
 * shared pid namespace, and exits on SIGINT/SIGTERM (the Kubernetes pause container's contract). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        printf("bootlet-pause\n");
        return 0;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (;;) {
        int sig = sigwaitinfo(&set, NULL);
        if (sig == SIGINT || sig == SIGTERM)
            return 0;
        if (sig == SIGCHLD)
            while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
    }
}
