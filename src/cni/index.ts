// The node's pod network: the CNI conflist k8ts writes for containerd (bridge + host-local + portmap).
export {
  cniConfList,
  renderCniConfList,
  hostLocalDataDir,
  podCidrGateway,
  subnetEnvMtu,
  cniVersion,
  cniNetworkName,
  cniConfigFileName,
  defaultBridgeName,
  defaultBridgeMtu,
  type CniConfList,
  type CniConfigOptions,
  type BridgePluginConfig,
  type PortmapPluginConfig,
  type HostLocalRange,
} from './cni-config.js';
export { writeCniConfig, podNetworkMtu, type WriteCniConfigOptions, type WriteCniConfigResult } from './pod-network.js';
