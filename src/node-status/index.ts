// The node agent's own Node: the machine it describes, registration, status, Lease heartbeats and subnet.env.
export { readMachineInfo, detectCgroupVersion, type MachineInfo, type CgroupVersion, type ReadMachineOptions } from './machine-info.js';
export { initialNode, nodeStatus, kubeletVersion, containerRuntimeVersion, runtimeErrors, type RuntimeState, type Pressure } from './node-object.js';
export { NodeLeaseController, nodeLeaseNamespace } from './node-lease.js';
export { startNodeStatus, ipv4PodCidr, type NodeStatusOptions, type NodeStatusHandle } from './node-status-loop.js';
export { readSubnetEnv, subnetEnvPath, defaultMtu } from './subnet-env.js';
