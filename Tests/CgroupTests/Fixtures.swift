import BootletRuntime

/// mountinfo / /proc/self/cgroup texts for the three layouts, as real hosts print them.
enum Fixtures {
    /// A systemd host in unified mode (Ubuntu 22.04 / Fedora shape).
    static let v2MountInfo = """
        22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
        24 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4013540k,nr_inodes=1003385,mode=755,inode64
        25 24 0:23 / /dev/pts rw,nosuid,noexec,relatime shared:3 - devpts devpts rw,gid=5,mode=620,ptmxmode=000
        26 28 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=809608k,mode=755,inode64
        28 1 252:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw,errors=remount-ro
        29 22 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:8 - securityfs securityfs rw
        30 24 0:25 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw,inode64
        32 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        33 22 0:28 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
        34 22 0:29 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700
        120 26 0:45 / /run/user/1000 rw,nosuid,nodev,relatime shared:640 - tmpfs tmpfs rw,size=809604k,nr_inodes=202401,mode=700,uid=1000,gid=1000,inode64
        """
    static let v2ProcCgroup = "0::/user.slice/user-1000.slice/session-3.scope\n"
    static let v2Controllers = "cpuset cpu io memory hugetlb pids rdma misc\n"

    /// CentOS 7 style legacy host: co-mounted cpu,cpuacct and net_cls,net_prio, SELinux `seclabel`, systemd's
    /// named hierarchy with xattr/release_agent, plus a bind mount of the memory hierarchy elsewhere.
    static let v1MountInfo = """
        18 61 0:17 / /sys rw,nosuid,nodev,noexec,relatime shared:6 - sysfs sysfs rw,seclabel
        25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,seclabel,mode=755
        26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,seclabel,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
        29 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,seclabel,cpu,cpuacct
        30 25 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,seclabel,net_cls,net_prio
        31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,seclabel,memory
        32 25 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,seclabel,cpuset
        33 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,seclabel,pids
        34 25 0:30 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,seclabel,hugetlb
        35 25 0:31 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,seclabel,freezer
        36 25 0:32 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,seclabel,devices
        37 25 0:33 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:21 - cgroup cgroup rw,seclabel,blkio
        61 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw,seclabel,attr2,inode64,noquota
        99 61 0:27 /user.slice /var/lib/agent/memory\\040cg rw,relatime shared:15 - cgroup cgroup rw,seclabel,memory
        """
    static let v1ProcCgroup = """
        11:blkio:/user.slice
        10:devices:/user.slice
        9:freezer:/
        8:hugetlb:/
        7:pids:/user.slice
        6:cpuset:/
        5:memory:/user.slice
        4:net_cls,net_prio:/
        3:cpu,cpuacct:/user.slice
        2:perf_event:/
        1:name=systemd:/user.slice/user-1000.slice/session-1.scope

        """

    /// This CI host: systemd hybrid with separately mounted cpu and cpuacct, hugetlb left on cgroup2.
    static let hybridMountInfo = """
        23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    static let hybridProcCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/0a105163ff65f5fea163591465823f00
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/

        """

    /// A fake filesystem root holding the cgroup2 root's `cgroup.controllers` at `mountPoint`.
    static func fakeRoot(_ tag: String, unifiedAt mountPoint: String, controllers: String) -> String {
        let root = TestFS.tempDir(tag)
        TestFS.populate(root, [
            String(mountPoint.dropFirst()) + "/cgroup.controllers": controllers,
            String(mountPoint.dropFirst()) + "/cgroup.subtree_control": "",
        ])
        return root
    }
}
