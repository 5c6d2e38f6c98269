// The service proxy: Services and EndpointSlices to nftables rules on each node.
export { startServiceProxy, labelServiceName, type ServiceProxy, type ServiceProxyOptions, type ServiceProxyStats } from './service-proxy.js';
export { defaultTableName } from './nft-script.js';
export { nftRunner, deleteTable, NftError, type NftRunner } from './nft-runner.js';
export { renderService, type ServiceRenderContext } from './render-service.js';
export { ProxyRules } from './proxy-rules.js';
