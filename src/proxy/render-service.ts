// The rules of a whole Service: each of its ports rendered with the endpoints its EndpointSlices give that port.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointsForServicePort } from './endpoint-info.js';
import { elementId, emptyRendered, type RenderedRules } from './rendered-rules.js';
import { renderServicePort, type RenderContext } from './render-service-port.js';
import { servicePortInfos } from './service-port-info.js';

export interface ServiceRenderContext extends RenderContext {
  /** This node's name: endpoints with it are local. */
  nodeName: string;
}

/** The chains, sets and elements of `svc` (nothing for undefined, a headless or an ExternalName service). */
export function renderService(svc: Service | undefined, slices: Iterable<EndpointSlice>, ctx: ServiceRenderContext): RenderedRules {
  const out = emptyRendered();
  if (svc === undefined) return out;
  const sliceList = [...slices];
  for (const port of servicePortInfos(svc)) renderServicePort(port, endpointsForServicePort(sliceList, port.name, ctx.nodeName), ctx, out);
  // Ports share the cluster-ips element (and a set or map element twice would fail the transaction).
  const seen = new Set<string>();
  out.elements = out.elements.filter((e) => {
    const id = elementId(e);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return out;
}
