import KubeModel
import Testing

@testable import BootletRunner

struct PodStatusBuilderTests {
    @Test func admissionRejectionIsFailedWithKubeletsPrefixedMessage() {
        var pod = Pod()
        pod.metadata.name = "p-node"
        pod.spec.containers = [Container(name: "c")]
        let rec = PodRecord(uid: "u", pod: pod, source: "")
        rec.admissionFailure = ("SysctlForbidden", #"forbidden sysctl: "kernel.msgmax" not allowlisted"#)
        let st = PodStatusBuilder.status(rec, hostIPs: ["192.0.2.1"])
        #expect(st.phase == "Failed")
        #expect(st.reason == "SysctlForbidden")
        #expect(st.message == #"Pod was rejected: forbidden sysctl: "kernel.msgmax" not allowlisted"#)
    }
}
