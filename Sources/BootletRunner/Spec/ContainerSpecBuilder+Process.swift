#if canImport(Glibc)
import Glibc
#endif
import BootletImages
import BootletRuntime
import KubeModel
import OCISpec

extension ContainerSpecBuilder {
    /// args, env and cwd.
    static func process(
        _ input: ContainerSpecInput, sc: EffectiveSecurityContext, object: String, warnings: inout [String]
    ) throws(SpecError) -> Process {
        let c = input.container
        let expanded = Expansion.expandCommandAndArgs(c, environment: input.environment)
        guard let args = processArgs(command: expanded.command, args: expanded.args, image: input.imageConfig) else {
            throw .create("no command specified", object)
        }
        if c.tty { warnings.append("tty of \(object) ignored: bootlet containers have no terminal; output goes to the CRI log") }
        var cwd = "/"
        if let w = c.workingDir, !w.isEmpty { cwd = w } else if let w = input.imageConfig.workingDir, !w.isEmpty { cwd = w }
        return Process(
            terminal: nil, args: args,
            env: environment(hostname: input.sandbox.hostname, image: input.imageConfig.env, container: input.environment),
            cwd: cwd)
    }

    /// containerd `WithProcessArgs` after kubelet's `$(VAR)` expansion: a `command` replaces the Entrypoint and
    /// drops the image Cmd; `args` replace Cmd; an Entrypoint of `[""]` counts as none. nil when nothing is left
    /// ("no command specified").
    public static func processArgs(command: [String], args: [String], image: ImageConfig) -> [String]? {
        var cmd = command
        var a = args
        if cmd.isEmpty {
            if a.isEmpty { a = image.cmd ?? [] }
            let ep = image.entrypoint ?? []
            if !(ep.count == 1 && ep[0].isEmpty) { cmd = ep }
        }
        let all = cmd + a
        return all.isEmpty ? nil : all
    }

    /// containerd's environment: `PATH` default first (`WithDefaultPathEnv`), `HOSTNAME=<sandbox hostname>`, then
    /// the image's env, then the container's; a later `NAME=` replaces the value in place (runc keeps the first
    /// position and the last value), a bare `NAME` removes the variable.
    public static func environment(hostname: String, image: [String], container: [(name: String, value: String)]) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func apply(_ entry: String) {
            guard let eq = entry.firstIndex(of: "=") else {
                if values.removeValue(forKey: entry) != nil { order.removeAll { $0 == entry } }
                return
            }
            let key = String(entry[..<eq])
            if values[key] == nil { order.append(key) }
            values[key] = entry
        }
        apply(SpecDefaults.defaultPath)
        apply("HOSTNAME=" + hostname)
        image.forEach(apply)
        for (n, v) in container { apply(n + "=" + v) }
        return order.compactMap { values[$0] }
    }

    /// kubelet's user → CRI (runAsUser / runAsUsername / runAsGroup) → containerd `WithUser`, then
    /// `WithAdditionalGIDs` (Merge policy: the image's `/etc/group` memberships) and `WithSupplementalGroups`
    /// (fsGroup + supplementalGroups).
    static func user(
        _ input: ContainerSpecInput, sc: EffectiveSecurityContext, imageUser: (uid: Int64?, name: String), object: String
    ) throws(SpecError) -> User {
        let accounts: ImageAccounts
        do {
            accounts = try ImageAccounts.read(rootfs: input.rootfs)
        } catch {
            throw .create("read the image's /etc/passwd and /etc/group: \(error)", object)
        }
        // What kubelet sends over CRI.
        let runAsUser = sc.runAsUser ?? imageUser.uid
        let runAsUsername = sc.runAsUser == nil ? imageUser.name : ""
        // containerd GenerateUserString: username wins over uid, ":gid" appended.
        var userstr = runAsUser.map { String($0) } ?? ""
        if !runAsUsername.isEmpty { userstr = runAsUsername }
        if let g = sc.runAsGroup { userstr += ":\(g)" }
        let ids: (uid: UInt32, gid: UInt32)
        do {
            ids = try UserResolution.withUser(userstr, accounts: accounts)
        } catch {
            switch error { case .message(let m): throw .create(m, object) }
        }
        var gids = [ids.gid]
        let psc = input.pod.spec.securityContext
        if psc?.supplementalGroupsPolicy != "Strict" {
            let groupUser = !runAsUsername.isEmpty ? runAsUsername : (runAsUser.map { String($0) } ?? "")
            gids = UserResolution.merge(gids, UserResolution.imageGroups(of: groupUser, accounts: accounts))
        }
        var supplemental: [UInt32] = []
        if let fs = psc?.fsGroup { supplemental.append(UInt32(truncatingIfNeeded: fs)) }
        supplemental += (psc?.supplementalGroups ?? []).map { UInt32(truncatingIfNeeded: $0) }
        gids = UserResolution.merge(gids, supplemental)
        return User(uid: ids.uid, gid: ids.gid, additionalGids: gids)
    }

    /// containerd's default set (14 capabilities) ± `capabilities.add/drop` (`ALL` = every current capability;
    /// add-ALL, then drop-ALL, then the named adds, then the named drops; names upper-cased with `CAP_`
    /// prepended); privileged → every current capability. Inheritable and ambient stay empty (`WithoutAmbientCaps`),
    /// so a non-root process ends up with none after exec, as with Docker.
    static func capabilities(_ sc: EffectiveSecurityContext, node: NodeSpecSettings) -> LinuxCapabilities {
        var set = Capability.containerdDefault
        if let caps = sc.capabilities {
            let add = caps.add ?? []
            let drop = caps.drop ?? []
            if add.contains(where: { $0.uppercased() == "ALL" }) { set = node.currentCapabilities }
            if drop.contains(where: { $0.uppercased() == "ALL" }) { set = [] }
            for a in add where a.uppercased() != "ALL" {
                let c = Capability(rawValue: "CAP_" + a.uppercased())
                if !set.contains(c) { set.append(c) }
            }
            for d in drop where d.uppercased() != "ALL" {
                let c = Capability(rawValue: "CAP_" + d.uppercased())
                set.removeAll { $0 == c }
            }
        }
        if sc.privileged { set = node.currentCapabilities }
        return LinuxCapabilities(bounding: set, effective: set, inheritable: nil, permitted: set, ambient: nil)
    }

    /// The signal a stop sends first: the container's `lifecycle.stopSignal` (ContainerStopSignals), else the
    /// image's STOPSIGNAL, else SIGTERM. Names are accepted with or without `SIG`, any case, or as numbers
    /// (moby `ParseSignal`); an unknown one falls back to SIGTERM with a warning.
    static func stopSignal(container: Container, image: ImageConfig, warnings: inout [String]) -> (name: String, number: Int32) {
        let raw = container.lifecycle?.stopSignal.flatMap { $0.isEmpty ? nil : $0 } ?? image.stopSignal
        guard let raw else { return ("SIGTERM", SIGTERM) }
        if let parsed = Signals.parse(raw) { return parsed }
        warnings.append("unknown stop signal \(goQuoted(raw)) of container \(goQuoted(container.name)); using SIGTERM")
        return ("SIGTERM", SIGTERM)
    }
}
