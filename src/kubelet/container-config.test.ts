import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, containerConfig, containerFieldPath, expandVars, makeEnvironment, milliCpuToQuota, milliCpuToShares, sandboxConfig, type ContainerConfigContext } from './container-config.js';

const configMaps: Record<string, ConfigMap> = { 'default/cfg': { metadata: { name: 'cfg' }, data: { mode: 'fast', level: '3' } } };
const secrets: Record<string, Secret> = { 'default/sec': { metadata: { name: 'sec' }, data: { password: Buffer.from('hunter2').toString('base64') } } };
const ctx: ContainerConfigContext = {
  nodeName: 'node-1', podIP: '10.0.0.5', hostIP: '192.0.2.1', restartCount: 2,
  lookup: { configMap: async (ns, n) => configMaps[`${ns}/${n}`], secret: async (ns, n) => secrets[`${ns}/${n}`] },
};

function pod(extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', labels: { app: 'web' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c'], args: ['echo $(GREETING) $$(HOME)'], workingDir: '/tmp' }], ...extra },
  };
}

describe('container config', () => {
  test('$(VAR) expands from defined variables, $$ escapes, unknown references stay', () => {
    const vars = new Map([['A', 'x']]);
    assert.equal(expandVars('$(A)-$(B)-$$(A)-$', vars), 'x-$(B)-$(A)-$');
  });

  test('cpu shares and quota follow upstream', () => {
    assert.equal(milliCpuToShares(0), 2);
    assert.equal(milliCpuToShares(1), 2);
    assert.equal(milliCpuToShares(250), 256);
    assert.equal(milliCpuToQuota(0), 0);
    assert.equal(milliCpuToQuota(5), 1000);
    assert.equal(milliCpuToQuota(500), 50_000);
  });

  test('env holds plain values, fieldRefs, ConfigMap and Secret keys and envFrom, later entries winning', async () => {
    const p = pod();
    const c = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'GREETING', value: 'hi $(CFG_mode)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
        { name: 'CFG_level', value: 'overridden' },
      ],
    };
    const env = Object.fromEntries((await makeEnvironment(p, c, ctx)).map((e) => [e.key, e.value]));
    assert.deepEqual(env, {
      CFG_mode: 'fast', CFG_level: 'overridden', GREETING: 'hi fast', POD: 'web', NS: 'default', UID: 'uid-1', NODE: 'node-1',
      IP: '10.0.0.5', HOST: '192.0.2.1', LEVEL: '3', PW: 'hunter2',
    });
  });

  test('a missing key or ConfigMap is a CreateContainerConfigError with upstream message', async () => {
    const p = pod();
    await assert.rejects(makeEnvironment(p, { name: 'a', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'extra-param' } } }] }, ctx), (e: unknown) => {
      assert.ok(e instanceof ContainerConfigError);
      assert.equal(e.message, "couldn't find key extra-param in ConfigMap default/cfg");
      assert.equal(e.reason, 'CreateContainerConfigError');
      return true;
    });
    await assert.rejects(makeEnvironment(p, { name: 'a', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }] }, ctx), { message: 'configmap "gone" not found' });
    await assert.rejects(makeEnvironment(p, { name: 'a', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }] }, ctx), { message: "couldn't find key k in Secret default/sec" });
  });

  test('the container config carries the kubelet labels, annotations, log path, resources and security context', async () => {
    const p = pod({ securityContext: { runAsUser: 1000 } });
    const c = {
      name: 'app', image: 'busybox', command: ['sh'], args: ['-c', 'echo $(GREETING)'], workingDir: '/w', env: [{ name: 'GREETING', value: 'hello' }],
      resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
      securityContext: { runAsGroup: 3000, privileged: false, readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
    };
    const cfg = await containerConfig(p, c, ctx);
    assert.deepEqual(cfg.metadata, { name: 'app', attempt: 2 });
    assert.deepEqual(cfg.command, ['sh']);
    assert.deepEqual(cfg.args, ['-c', 'echo hello']);
    assert.equal(cfg.workingDir, '/w');
    assert.equal(cfg.logPath, 'app/2.log');
    assert.deepEqual(cfg.labels, { 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'app' });
    assert.equal(cfg.annotations?.['io.kubernetes.container.restartCount'], '2');
    assert.equal(cfg.annotations?.['io.kubernetes.container.terminationMessagePath'], '/dev/termination-log');
    assert.equal(cfg.linux?.resources?.cpuShares, '256');
    assert.equal(cfg.linux?.resources?.cpuQuota, '50000');
    assert.equal(cfg.linux?.resources?.cpuPeriod, '100000');
    assert.equal(cfg.linux?.resources?.memoryLimitInBytes, String(64 * 1024 * 1024));
    assert.ok(Number(cfg.linux?.resources?.oomScoreAdj) >= 0);
    const sc = cfg.linux?.securityContext;
    assert.deepEqual(sc?.runAsUser, { value: '1000' });
    assert.deepEqual(sc?.runAsGroup, { value: '3000' });
    assert.equal(sc?.readonlyRootfs, true);
    assert.deepEqual(sc?.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });
  });

  test('the sandbox config names the pod, its log directory and cgroup, and shares the node network for hostNetwork', () => {
    const p = pod({ hostNetwork: true, containers: [{ name: 'app', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
    const sb = sandboxConfig(p, 1, '/var/lib/k8ts/agent');
    assert.deepEqual(sb.metadata, { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 1 });
    assert.equal(sb.hostname, undefined);
    assert.equal(sandboxConfig(pod(), 0, '/r').hostname, 'web');
    assert.equal(sb.logDirectory, '/var/lib/k8ts/agent/pod-logs/default_web_uid-1');
    assert.equal(sb.linux?.cgroupParent, '/k8ts/poduid-1');
    assert.equal(sb.linux?.securityContext?.namespaceOptions?.network, 'NODE');
    assert.deepEqual(sb.portMappings, [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }]);
    assert.equal(sb.labels?.['app'], 'web');
    assert.equal(sb.labels?.['io.kubernetes.pod.uid'], 'uid-1');
  });

  test('service variables follow the container own variables, which override them, and $(VAR) sees them', async () => {
    const serviceEnv = (ns: string, links: boolean): ReadonlyMap<string, string> =>
      new Map(links && ns === 'default' ? [['NGINX_SERVICE_HOST', '10.43.0.20'], ['NGINX_SERVICE_PORT', '8080'], ['KUBERNETES_SERVICE_HOST', '10.43.0.1']] : [['KUBERNETES_SERVICE_HOST', '10.43.0.1']]);
    const c = { name: 'app', env: [{ name: 'URL', value: 'http://$(NGINX_SERVICE_HOST):$(NGINX_SERVICE_PORT)/' }, { name: 'KUBERNETES_SERVICE_HOST', value: 'mine' }] };
    const env = await makeEnvironment(pod(), c, { ...ctx, serviceEnv });
    assert.deepEqual(env.map((e) => [e.key, e.value]), [
      ['URL', 'http://10.43.0.20:8080/'],
      ['KUBERNETES_SERVICE_HOST', 'mine'],
      ['NGINX_SERVICE_HOST', '10.43.0.20'],
      ['NGINX_SERVICE_PORT', '8080'],
    ]);
    const off = await makeEnvironment(pod({ enableServiceLinks: false }), { name: 'app' }, { ...ctx, serviceEnv });
    assert.deepEqual(off.map((e) => e.key), ['KUBERNETES_SERVICE_HOST']);
    const cfg = await containerConfig(pod(), { name: 'app', command: ['echo', '$(NGINX_SERVICE_PORT)'] }, { ...ctx, serviceEnv });
    assert.deepEqual(cfg.command, ['echo', '8080']);
  });

  test('services not read yet are a CreateContainerConfigError', async () => {
    const serviceEnv = (): ReadonlyMap<string, string> => {
      throw new ContainerConfigError('services have not yet been read at least once, cannot construct envvars');
    };
    await assert.rejects(makeEnvironment(pod(), { name: 'app' }, { ...ctx, serviceEnv }), { message: 'services have not yet been read at least once, cannot construct envvars' });
  });

  test('resourceFieldRef env vars give the container resources, with limits defaulted to the node allocatable', async () => {
    const c = {
      name: 'app',
      resources: { requests: { memory: '32Mi' }, limits: { cpu: '500m' } },
      env: [
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } } },
      ],
    };
    const env = await makeEnvironment(pod(), c, { ...ctx, nodeAllocatable: { cpu: '2', memory: '1Gi' } });
    assert.deepEqual(env.map((e) => [e.key, e.value]), [['CPU', '500'], ['MEM', '1024'], ['REQ', '32']]);
    await assert.rejects(makeEnvironment(pod(), { name: 'app', env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }, ctx), (e: unknown) => {
      assert.ok(e instanceof ContainerConfigError);
      assert.equal(e.message, 'unsupported container resource : limits.gpu');
      return true;
    });
  });

  test('the termination message file is mounted at terminationMessagePath after the volumes', async () => {
    const mounts = async (): Promise<{ containerPath: string; hostPath: string }[]> => [{ containerPath: '/data', hostPath: '/vol' }];
    const terminationMessageFile = async (): Promise<string> => '/root/pods/uid-1/containers/app/0badf00d';
    const cfg = await containerConfig(pod(), { name: 'app' }, { ...ctx, mounts, terminationMessageFile });
    assert.deepEqual(cfg.mounts, [
      { containerPath: '/data', hostPath: '/vol' },
      { containerPath: '/dev/termination-log', hostPath: '/root/pods/uid-1/containers/app/0badf00d', readonly: false, selinuxRelabel: false },
    ]);
    const custom = await containerConfig(pod(), { name: 'app', terminationMessagePath: '/tmp/msg' }, { ...ctx, terminationMessageFile });
    assert.equal(custom.mounts?.[0]?.containerPath, '/tmp/msg');
    assert.equal(custom.annotations?.['io.kubernetes.container.terminationMessagePath'], '/tmp/msg');
  });
});

describe('containerFieldPath', () => {
  test('names a container, an init container and an ephemeral container by their place in the spec', () => {
    const pod: Pod = {
      spec: {
        initContainers: [{ name: 'setup' }],
        containers: [{ name: 'nginx' }],
        ephemeralContainers: [{ name: 'debugger' }],
      },
    };
    assert.equal(containerFieldPath(pod, 'nginx'), 'spec.containers{nginx}');
    assert.equal(containerFieldPath(pod, 'setup'), 'spec.initContainers{setup}');
    assert.equal(containerFieldPath(pod, 'debugger'), 'spec.ephemeralContainers{debugger}');
  });
});
