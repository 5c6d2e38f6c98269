// SetDefaults_HorizontalPodAutoscaler for autoscaling/v2 after upstream's pkg/apis/autoscaling/v2/defaults.go.
import type { HorizontalPodAutoscaler, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';
import type { KubeObject } from '../../object.js';

function defaultScaleUpRules(): HPAScalingRules {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** Scale-down keeps stabilizationWindowSeconds unset: the controller's command-line default applies. */
function defaultScaleDownRules(): HPAScalingRules {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** upstream's copyHPAScalingRules: the set fields of `from` over the defaults. */
function fillRules(from: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  if (from === undefined) return defaults;
  const out: HPAScalingRules = { ...defaults, ...from };
  if (from.selectPolicy === undefined) out.selectPolicy = defaults.selectPolicy;
  if (from.stabilizationWindowSeconds === undefined) {
    if (defaults.stabilizationWindowSeconds === undefined) delete out.stabilizationWindowSeconds;
    else out.stabilizationWindowSeconds = defaults.stabilizationWindowSeconds;
  }
  if (from.policies === undefined) out.policies = defaults.policies;
  return out;
}

export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const hpa = obj as unknown as HorizontalPodAutoscaler;
  const spec = (hpa.spec ??= { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' } });
  spec.minReplicas ??= 1;
  if (spec.metrics === undefined || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (spec.behavior !== undefined) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, defaultScaleUpRules());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, defaultScaleDownRules());
  }
}
