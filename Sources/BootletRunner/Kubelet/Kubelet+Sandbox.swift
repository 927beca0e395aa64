import BootletImages
import BootletRuntime
import KubeModel
import OCISpec

#if canImport(Glibc)
import Glibc
#endif

/// The pod sandbox: what containerd's RunPodSandbox does for kubelet — network (CNI in a pinned netns), the shm
/// tmpfs, hostname/hosts/resolv.conf files, and the pause container holding the pod's namespaces.
extension Kubelet {
    func sandboxDir(_ id: String) -> String { config.runtimeRoot + "/sandboxes/" + id }

    /// The pod's hostname and the kernel hostname (FQDN with setHostnameAsFQDN); the node's for hostNetwork.
    func podHostnames(_ rec: PodRecord) throws -> (hostname: String, domain: String, kernel: String) {
        if rec.pod.spec.hostNetwork {
            let h = KubeletCommandHostname.current()
            return (h, "", h)
        }
        let (h, d) = try PodNetworkFiles.hostnameAndDomain(for: rec.pod, clusterDomain: config.clusterDomain)
        let k = try PodNetworkFiles.kernelHostname(hostname: h, domain: d, setHostnameAsFQDN: rec.pod.spec.setHostnameAsFQDN)
        return (h, d, k)
    }

    func createSandbox(_ rec: PodRecord, attempt: Int) throws {
        let id = Kubelet.newContainerID()
        let dir = sandboxDir(id)
        try FileIO.makeDirectories(dir + "/rootfs", mode: 0o755)
        var attachment: PodNetwork.Attachment?
        let shm = ShmMount.forSandbox(pod: rec.pod, directory: dir + "/shm")
        do {
            try shm?.mount()
            let names = try podHostnames(rec)
            try FileIO.writeAtomically(dir + "/hostname", Array((names.kernel + "\n").utf8))
            let nodeHosts = (try? FileIO.read("/etc/hosts")) ?? []
            try FileIO.writeAtomically(dir + "/hosts", nodeHosts)
            let resolv = ResolvConf.settings(
                for: rec.pod, node: .init(hostResolvConf: (try? FileIO.readString(config.resolvConf)), clusterDNS: config.clusterDNS,
                                          clusterDomain: config.clusterDomain, nodeIPs: hostIPs))
            resolv.warnings.forEach { event(rec, "DNSConfigForming", $0, warning: true) }
            try FileIO.writeAtomically(dir + "/resolv.conf", Array(ResolvConf.content(resolv).utf8))
            if !rec.pod.spec.hostNetwork {
                let ports = rec.pod.spec.containers.flatMap { $0.ports ?? [] }.compactMap { p -> PortMapping? in
                    let hp = p.hostPort
                    guard hp > 0 else { return nil }
                    let proto: PortMapping.Proto = p.protocol == "UDP" ? .udp : (p.protocol == "SCTP" ? .sctp : .tcp)
                    return PortMapping(hostPort: hp, containerPort: p.containerPort, protocol: proto, hostIP: p.hostIP ?? "")
                }
                let a = try network.setUp(sandbox: id, pod: PodIdentity(namespace: rec.namespace, name: rec.name, uid: rec.uid),
                                          portMappings: ports)
                a.status.warnings.forEach { event(rec, "NetworkWarning", $0, warning: true) }
                attachment = a
            }
            let podIPs = attachment?.status.podIPs ?? []
            // kubelet's managed /etc/hosts, only when the pod has an IP (§2.4).
            if !rec.pod.spec.hostNetwork && !podIPs.isEmpty {
                let hosts = PodNetworkFiles.managedHosts(podIPs: podIPs, hostname: names.hostname, domain: names.domain,
                                                         hostAliases: rec.pod.spec.hostAliases ?? [])
                let path = dirs.etcHosts(rec.uid)
                try FileIO.writeAtomically(path, Array(hosts.utf8), mode: 0o644)
                chmod(path, 0o644)
            }
            guard let podCgroup = try podCgroupPath(rec) else {
                throw RuntimeError("create sandbox", rec.fullName, detail: "no pod cgroup (cgroupsPerQOS disabled)")
            }
            var built = try SandboxSpecBuilder.build(SandboxSpecInput(
                pod: rec.pod, id: id, rootfs: dir + "/rootfs", pauseBinary: try pauseBinary(),
                networkNamespacePath: attachment?.netnsPath, hostname: names.kernel, shmPath: shm?.path,
                resolvConfPath: dir + "/resolv.conf", podCgroupPath: podCgroup.description,
                logDirectory: dirs.podLogDir(namespace: rec.namespace, name: rec.name, uid: rec.uid), node: nodeSettings))
            built.warnings.forEach { event(rec, "SandboxWarning", $0) }
            var ann = built.spec.annotations ?? [:]  // pod name/namespace/uid come from the builder
            ann[Annotation.kind] = "sandbox"
            ann[Annotation.attempt] = String(attempt)
            if let a = attachment {
                ann[Annotation.netns] = a.netnsPath
                ann[Annotation.podIPs] = podIPs.joined(separator: ",")
            }
            built.spec.annotations = ann
            var opts = OCIRuntime.LaunchOptions()
            opts.cgroupPath = podCgroup.description + "/" + id
            let null = open("/dev/null", O_RDWR | O_CLOEXEC)
            defer { close(null) }
            opts.stdio = (null, null, null)
            let (record, _) = try runtime.launch(id: id, bundle: dir, spec: built.spec, mode: .runDetached, options: opts)
            lock.with { launchesSinceHousekeeping += 1 }
            if let old = rec.sandbox { rec.retire([old.id]) }  // a re-created sandbox: the old one goes at housekeeping
            rec.sandbox = SandboxRun(id: id, pid: record.pid, monitorPid: record.monitorPid, netnsPath: attachment?.netnsPath,
                                     podIPs: podIPs, createdAt: Timestamp.nowNanos(), attempt: attempt)
            exitWatcher.watch(record)  // after recording it, so an early exit finds the sandbox
        } catch {
            if attachment != nil { try? network.tearDown(sandbox: id) }
            try? shm?.unmount()
            try? FileIO.removeTree(dir)
            throw error
        }
    }

    /// Stop the pause container, tear the network down and unmount the shm (the record goes at cleanup).
    func stopSandbox(_ rec: PodRecord, _ sb: SandboxRun) {
        _ = try? runtime.stop(id: sb.id, signal: SIGKILL, graceNanos: 0)
        if !rec.pod.spec.hostNetwork || sb.netnsPath != nil {
            do { try network.tearDown(sandbox: sb.id) } catch {
                event(rec, "FailedKillPod", "tear down the pod network: \(error)", warning: true)
            }
        }
        try? ShmMount(path: sandboxDir(sb.id) + "/shm").unmount()
        rec.sandbox?.exited = true
    }

    func pauseBinary() throws -> String { try MonitorSession.locateHelper("bootlet-pause", env: "BOOTLET_PAUSE") }
}

/// The node's hostname (hostNetwork pods keep it).
enum KubeletCommandHostname {
    static func current() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        return String(cString: buf)
    }
}
