import BootletImages
import KubeModel
