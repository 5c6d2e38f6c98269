// The controller manager: every controller runs against the API server through the client.
import type { ClientConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest-client.js';
import { startNamespaceController } from './namespace/namespace-controller.js';

export function startControllers(config: ClientConfig): { stop(): void } {
  const client = new RestClient(config);
  const running = [startNamespaceController(client)];
  return {
    stop: () => {
      for (const c of running) c.stop();
      client.close();
    },
  };
}
