// `k8ts cluster`: multi-node clusters on one machine, each node a network namespace on a bridge of its own.
export { createCluster, type CreateClusterOptions } from './cluster-create.js';
export { deleteCluster, type DeleteClusterOptions } from './cluster-delete.js';
export { listClusterStates, readClusterState, type ClusterState, type ClusterStatus, type NodeState } from './cluster-state.js';
export { formatClusterTable } from './cluster-table.js';
export { kubeconfigPath } from './kubeconfig-context.js';
export { DEFAULT_FLANNEL_BACKEND, flannelBackends, isFlannelBackend, type FlannelBackend } from './node-commands.js';
