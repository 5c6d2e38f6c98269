// Readiness of containerd's CRI plugin: one raw CRI v1 RuntimeService/Version call on the socket. containerd
// answers its own API as soon as the socket is up, but CRI answers "server is not initialized yet" until its
// plugin has started, and "unknown service runtime.v1.RuntimeService" if the plugin failed to load.

import { Client, credentials, type ServiceError } from '@grpc/grpc-js';

const VERSION_METHOD = '/runtime.v1.RuntimeService/Version';

/** Resolves with undefined when CRI answers, or with the reason it did not. Never rejects. */
export function probeCri(socketPath: string, timeoutMs = 2000): Promise<string | undefined> {
  const client = new Client(`unix://${socketPath}`, credentials.createInsecure());
  return new Promise((resolve) => {
    // VersionRequest { string version = 1; }: the empty message is zero bytes; the answer is only checked for success.
    client.makeUnaryRequest(
      VERSION_METHOD,
      (req: Buffer) => req,
      (res: Buffer) => res,
      Buffer.alloc(0),
      { deadline: Date.now() + timeoutMs },
      (err: ServiceError | null) => {
        client.close();
        resolve(err ? err.details || err.message : undefined);
      },
    );
  });
}
