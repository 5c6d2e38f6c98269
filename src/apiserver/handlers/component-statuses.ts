// componentstatuses: the deprecated health list kubectl still prints; k8ts reports its own store and components.
import { ApiError } from '../../machinery/errors.js';
import { send, warningHeader, type Encoding, type Res } from '../http.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { HandlerContext } from './resource-handler.js';

interface Component {
  name: string;
  healthy: boolean;
  message: string;
  error: string;
}

async function probe(ctx: HandlerContext): Promise<Component[]> {
  const out: Component[] = [];
  let storeOk = true;
  let err = '';
  try {
    await ctx.registry.storage.currentRevision();
  } catch (e: unknown) {
    storeOk = false;
    err = e instanceof Error ? e.message : String(e);
  }
  out.push({ name: 'scheduler', healthy: true, message: 'ok', error: '' });
  out.push({ name: 'controller-manager', healthy: true, message: 'ok', error: '' });
  out.push({ name: 'etcd-0', healthy: storeOk, message: storeOk ? 'ok' : '', error: err });
  return out;
}

function toObject(c: Component): Record<string, unknown> {
  return {
    metadata: { name: c.name },
    conditions: [{ type: 'Healthy', status: c.healthy ? 'True' : 'False', message: c.message, ...(c.error !== '' ? { error: c.error } : {}) }],
  };
}

export async function componentStatuses(res: Res, info: ResourceRequestInfo, enc: Encoding, query: URLSearchParams, ctx: HandlerContext): Promise<void> {
  void query;
  const comps = await probe(ctx);
  if (info.verb === 'get') {
    const c = comps.find((x) => x.name === info.name);
    if (c === undefined) throw ApiError.notFound({ group: '', name: 'componentstatuses' }, info.name);
    if (enc.as === 'Table') {
      send(res, 200, tableOf([c]), enc);
      return;
    }
    send(res, 200, { kind: 'ComponentStatus', apiVersion: 'v1', ...toObject(c) }, enc);
    return;
  }
  if (info.verb !== 'list') throw ApiError.methodNotSupported({ group: '', name: 'componentstatuses' }, info.verb);
  ctx.warnings.push('v1 ComponentStatus is deprecated in v1.19+');
  if (enc.as === 'Table') {
    send(res, 200, tableOf(comps), enc, { warning: ctx.warnings.map((w) => warningHeader(w)) });
    return;
  }
  send(res, 200, { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items: comps.map(toObject) }, enc, {
    warning: ctx.warnings.map((w) => warningHeader(w)),
  });
}

function tableOf(comps: Component[]): unknown {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Status', type: 'string', format: '', description: 'Status of the component conditions', priority: 0 },
      { name: 'Message', type: 'string', format: '', description: 'Message of the component conditions', priority: 0 },
      { name: 'Error', type: 'string', format: '', description: 'Error of the component conditions', priority: 0 },
    ],
    rows: comps.map((c) => ({
      cells: [c.name, c.healthy ? 'Healthy' : 'Unhealthy', c.message, c.error],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: c.name } },
    })),
  };
}
