// The controller manager: every controller runs against the API server through the client.
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { startNamespaceController } from './namespace/namespace-controller.js';
import { startRootCACertPublisher } from './rootcacert/root-ca-cert-publisher.js';
import { startServiceAccountController } from './serviceaccount/service-account-controller.js';

export function startControllers(config: ClientConfig): { stop(): void } {
  const client = new RestClient(config);
  const running = [startNamespaceController(client), startServiceAccountController(client), startRootCACertPublisher(client, config.caPem)];
  return {
    stop: () => {
      for (const c of running) c.stop();
      client.close();
    },
  };
}
