#!/usr/bin/env bash
# The whole test suite: installs what it needs (Debian packages, npm packages), builds, then runs the unit
# tests and the end-to-end tests against real processes (k8ts, kubectl, etcd, containerd). Runs as root without input.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
[ -x /usr/bin/etcd ] || need_pkgs+=(etcd-server)
/usr/bin/python3 -c 'import kubernetes' 2>/dev/null || need_pkgs+=(python3-kubernetes)
# The node agent's runtime: containerd with runc, the CNI plugins (/usr/lib/cni), and busybox-static for the images
# the tests build offline.
command -v containerd >/dev/null || need_pkgs+=(containerd)
[ -x /usr/sbin/runc ] || command -v runc >/dev/null || need_pkgs+=(runc)
[ -x /usr/lib/cni/bridge ] || need_pkgs+=(containernetworking-plugins)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=(busybox-static)
# nginx for the image the pod-network tests build (the tutorials' nginx), never run as a service of this machine.
[ -x /usr/sbin/nginx ] || need_pkgs+=(nginx-light)
# A registry on 127.0.0.1 that containerd pulls from (plain HTTP, mirrors, pull secrets), and skopeo to push to it.
command -v docker-registry >/dev/null || need_pkgs+=(docker-registry)
command -v skopeo >/dev/null || need_pkgs+=(skopeo)
# conntrack: the service proxy clears stale UDP flows of removed endpoints with it (as kube-proxy does).
command -v conntrack >/dev/null || need_pkgs+=(conntrack)
# nft: the service proxy's rules and the overlay's masquerade.
command -v nft >/dev/null || [ -x /usr/sbin/nft ] || need_pkgs+=(nftables)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages must not start their services (nginx would listen on 0.0.0.0:80): policy-rc.d refuses every start
  # while they install, as in container images.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt-get update -qq
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
command -v kubectl >/dev/null || { echo "kubectl is required on PATH (the real kubectl 1.27-1.33)"; exit 1; }

echo "== npm ci (builds k8ts)"
npm ci --no-audit --no-fund --loglevel=error

echo "== unit tests"
node --test --test-concurrency=2 --test-reporter=spec --test-reporter-destination=stdout \
  $(find dist/src dist/bench -name '*.test.js' | sort)

echo "== end-to-end tests"
node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec --test-reporter-destination=stdout \
  $(find dist/test/e2e -name '*.test.js' | sort)

echo "== end-to-end tests on a real etcd (the same kubectl and client suites)"
K8TS_E2E_DATASTORE=etcd node --test --test-concurrency=1 --test-timeout=600000 --test-reporter=spec --test-reporter-destination=stdout \
  dist/test/e2e/kubectl-basics.test.js dist/test/e2e/clients.test.js dist/test/e2e/kubectl-versions.test.js
