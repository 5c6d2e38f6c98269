// A python3-kubernetes (Debian's, /usr/bin/python3) pod watcher for the e2e tests. It prints one JSON array
// per line: ["LIST", names, rv], [TYPE, name, labels.step, rv], ["GONE"] after a 410, ["ERR", what].
// Arguments: NAMESPACE [START_RESOURCE_VERSION] (with a start resourceVersion it watches from there without listing).
export const pythonWatcher = `
import json, sys, time
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config()
v1 = client.CoreV1Api()
ns = sys.argv[1]

def emit(*a):
    print(json.dumps(a), flush=True)

rv = sys.argv[2] if len(sys.argv) > 2 else None
while True:
    try:
        if rv is None:
            lst = v1.list_namespaced_pod(ns)
            rv = lst.metadata.resource_version
            emit('LIST', sorted(p.metadata.name for p in lst.items), rv)
        w = watch.Watch()
        for ev in w.stream(v1.list_namespaced_pod, ns, resource_version=rv, timeout_seconds=20):
            obj = ev['object']
            rv = obj.metadata.resource_version
            emit(ev['type'], obj.metadata.name, (obj.metadata.labels or {}).get('step'), rv)
    except ApiException as e:
        if e.status == 410:
            emit('GONE')
            rv = None
            continue
        emit('ERR', e.status)
        time.sleep(0.3)
    except Exception as e:
        emit('ERR', type(e).__name__)
        time.sleep(0.3)
`;
