import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { envVarsFromServices, envVariableName, serviceEnvVarMap } from './service-env.js';

const svc = (name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[], namespace = 'default'): Service => ({
  metadata: { name, namespace },
  spec: { selector: { bar: 'baz' }, clusterIP, ports },
});

describe('service environment variables', () => {
  test('the services of upstream TestFromServices give exactly its expected variables, in its order', () => {
    const services = [
      svc('foo-bar', '1.2.3.4', [{ port: 8080, protocol: 'TCP' }]),
      svc('abc-123', '5.6.7.8', [{ name: 'u-d-p', port: 8081, protocol: 'UDP' }, { name: 't-c-p', port: 8081, protocol: 'TCP' }]),
      svc('q-u-u-x', '9.8.7.6', [{ port: 8082, protocol: 'TCP' }, { name: '8083', port: 8083, protocol: 'TCP' }]),
      svc('svrc-clusterip-none', 'None', [{ port: 8082, protocol: 'TCP' }]),
      svc('svrc-clusterip-empty', '', [{ port: 8082, protocol: 'TCP' }]),
      svc('super-ipv6', '2001:DB8::', [{ name: 'u-d-p', port: 8084, protocol: 'UDP' }, { name: 't-c-p', port: 8084, protocol: 'TCP' }]),
      svc('sctp-1', '1.2.3.4', [{ port: 777, protocol: 'SCTP' }]),
    ];
    const expected: [string, string][] = [
      ['FOO_BAR_SERVICE_HOST', '1.2.3.4'],
      ['FOO_BAR_SERVICE_PORT', '8080'],
      ['FOO_BAR_PORT', 'tcp://1.2.3.4:8080'],
      ['FOO_BAR_PORT_8080_TCP', 'tcp://1.2.3.4:8080'],
      ['FOO_BAR_PORT_8080_TCP_PROTO', 'tcp'],
      ['FOO_BAR_PORT_8080_TCP_PORT', '8080'],
      ['FOO_BAR_PORT_8080_TCP_ADDR', '1.2.3.4'],
      ['ABC_123_SERVICE_HOST', '5.6.7.8'],
      ['ABC_123_SERVICE_PORT', '8081'],
      ['ABC_123_SERVICE_PORT_U_D_P', '8081'],
      ['ABC_123_SERVICE_PORT_T_C_P', '8081'],
      ['ABC_123_PORT', 'udp://5.6.7.8:8081'],
      ['ABC_123_PORT_8081_UDP', 'udp://5.6.7.8:8081'],
      ['ABC_123_PORT_8081_UDP_PROTO', 'udp'],
      ['ABC_123_PORT_8081_UDP_PORT', '8081'],
      ['ABC_123_PORT_8081_UDP_ADDR', '5.6.7.8'],
      ['ABC_123_PORT_8081_TCP', 'tcp://5.6.7.8:8081'],
      ['ABC_123_PORT_8081_TCP_PROTO', 'tcp'],
      ['ABC_123_PORT_8081_TCP_PORT', '8081'],
      ['ABC_123_PORT_8081_TCP_ADDR', '5.6.7.8'],
      ['Q_U_U_X_SERVICE_HOST', '9.8.7.6'],
      ['Q_U_U_X_SERVICE_PORT', '8082'],
      ['Q_U_U_X_SERVICE_PORT_8083', '8083'],
      ['Q_U_U_X_PORT', 'tcp://9.8.7.6:8082'],
      ['Q_U_U_X_PORT_8082_TCP', 'tcp://9.8.7.6:8082'],
      ['Q_U_U_X_PORT_8082_TCP_PROTO', 'tcp'],
      ['Q_U_U_X_PORT_8082_TCP_PORT', '8082'],
      ['Q_U_U_X_PORT_8082_TCP_ADDR', '9.8.7.6'],
      ['Q_U_U_X_PORT_8083_TCP', 'tcp://9.8.7.6:8083'],
      ['Q_U_U_X_PORT_8083_TCP_PROTO', 'tcp'],
      ['Q_U_U_X_PORT_8083_TCP_PORT', '8083'],
      ['Q_U_U_X_PORT_8083_TCP_ADDR', '9.8.7.6'],
      ['SUPER_IPV6_SERVICE_HOST', '2001:DB8::'],
      ['SUPER_IPV6_SERVICE_PORT', '8084'],
      ['SUPER_IPV6_SERVICE_PORT_U_D_P', '8084'],
      ['SUPER_IPV6_SERVICE_PORT_T_C_P', '8084'],
      ['SUPER_IPV6_PORT', 'udp://[2001:DB8::]:8084'],
      ['SUPER_IPV6_PORT_8084_UDP', 'udp://[2001:DB8::]:8084'],
      ['SUPER_IPV6_PORT_8084_UDP_PROTO', 'udp'],
      ['SUPER_IPV6_PORT_8084_UDP_PORT', '8084'],
      ['SUPER_IPV6_PORT_8084_UDP_ADDR', '2001:DB8::'],
      ['SUPER_IPV6_PORT_8084_TCP', 'tcp://[2001:DB8::]:8084'],
      ['SUPER_IPV6_PORT_8084_TCP_PROTO', 'tcp'],
      ['SUPER_IPV6_PORT_8084_TCP_PORT', '8084'],
      ['SUPER_IPV6_PORT_8084_TCP_ADDR', '2001:DB8::'],
      ['SCTP_1_SERVICE_HOST', '1.2.3.4'],
      ['SCTP_1_SERVICE_PORT', '777'],
      ['SCTP_1_PORT', 'sctp://1.2.3.4:777'],
      ['SCTP_1_PORT_777_SCTP', 'sctp://1.2.3.4:777'],
      ['SCTP_1_PORT_777_SCTP_PROTO', 'sctp'],
      ['SCTP_1_PORT_777_SCTP_PORT', '777'],
      ['SCTP_1_PORT_777_SCTP_ADDR', '1.2.3.4'],
    ];
    assert.deepEqual(envVarsFromServices(services).map((e) => [e.name, e.value]), expected);
  });

  test('names are upper-cased with dashes turned to underscores, and a port without a protocol is TCP', () => {
    assert.equal(envVariableName('my-web-svc'), 'MY_WEB_SVC');
    const vars = envVarsFromServices([svc('db', '10.0.0.9', [{ name: 'pg', port: 5432 }])]);
    assert.deepEqual(new Map(vars.map((e) => [e.name, e.value])).get('DB_PORT_5432_TCP'), 'tcp://10.0.0.9:5432');
  });

  test('a pod sees the services of its namespace and the kubernetes service of default, not those of other namespaces', () => {
    const all = [
      svc('kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
      svc('nginx', '10.43.0.20', [{ port: 8080 }], 'web'),
      svc('other', '10.43.0.30', [{ port: 80 }], 'elsewhere'),
      svc('headless', 'None', [{ port: 80 }], 'web'),
    ];
    const m = serviceEnvVarMap(all, 'web', true);
    assert.equal(m.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
    assert.equal(m.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(m.get('NGINX_SERVICE_HOST'), '10.43.0.20');
    assert.equal(m.get('NGINX_SERVICE_PORT'), '8080');
    assert.equal(m.get('OTHER_SERVICE_HOST'), undefined);
    assert.equal(m.get('HEADLESS_SERVICE_HOST'), undefined);
  });

  test('enableServiceLinks false leaves only the master service', () => {
    const all = [svc('kubernetes', '10.43.0.1', [{ name: 'https', port: 443 }]), svc('nginx', '10.43.0.20', [{ port: 8080 }], 'web')];
    const m = serviceEnvVarMap(all, 'web', false);
    assert.deepEqual([...m.keys()].filter((k) => !k.startsWith('KUBERNETES_')), []);
    assert.equal(m.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
  });

  test('a service of the pod namespace named kubernetes replaces the master one, in whatever order they come', () => {
    const master = svc('kubernetes', '10.43.0.1', [{ port: 443 }]);
    const mine = svc('kubernetes', '10.43.9.9', [{ port: 443 }], 'web');
    assert.equal(serviceEnvVarMap([master, mine], 'web', true).get('KUBERNETES_SERVICE_HOST'), '10.43.9.9');
    assert.equal(serviceEnvVarMap([mine, master], 'web', true).get('KUBERNETES_SERVICE_HOST'), '10.43.9.9');
    assert.equal(serviceEnvVarMap([mine, master], 'web', false).get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
  });
});
