@testable import KubeModel

/// The manifest behind `real-kubelet-observed.md`'s `/pods` item (pod `bb-test`, node `anchor-node`).
let observedManifest = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: bb-test
    spec:
      hostNetwork: true
      terminationGracePeriodSeconds: 1
      containers:
      - name: bb
        image: docker.io/library/busybox:latest
        imagePullPolicy: Never
        command: ["/bin/sh", "-c", "echo hello from $(hostname) at $(date); echo second line; exec sleep 3600"]
    """

/// The `spec` kubelet v1.36 served for that pod, verbatim from `real-kubelet-observed.md`.
let observedSpecJSON = """
    {
     "containers": [
      {
       "name": "bb",
       "image": "docker.io/library/busybox:latest",
       "command": [
        "/bin/sh",
        "-c",
        "echo hello from $(hostname) at $(date); echo second line; exec sleep 3600"
       ],
       "resources": {},
       "terminationMessagePath": "/dev/termination-log",
       "terminationMessagePolicy": "File",
       "imagePullPolicy": "Never"
      }
     ],
     "restartPolicy": "Always",
     "terminationGracePeriodSeconds": 1,
     "dnsPolicy": "ClusterFirst",
     "nodeName": "anchor-node",
     "hostNetwork": true,
     "securityContext": {},
     "schedulerName": "default-scheduler",
     "tolerations": [
      {
       "operator": "Exists",
       "effect": "NoExecute"
      }
     ],
     "enableServiceLinks": true
    }
    """

func decodePod(_ text: String, path: String = "/etc/kubernetes/manifests/pod.yaml", node: String = "anchor-node")
    throws -> StaticPod.Decoded
{
    try StaticPod.decode(Array(text.utf8), path: path, options: .init(nodeName: node))
}

/// A minimal valid manifest with extra YAML spliced into the container and the spec.
func manifest(name: String = "web", meta: String = "", container: String = "", spec: String = "") -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata:
      name: \(name)
    \(meta)
    spec:
    \(spec)
      containers:
      - name: app
        image: busybox:1.36
    \(container)
    """
}
