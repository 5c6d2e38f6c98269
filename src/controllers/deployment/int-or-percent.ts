// intstr.GetScaledValueFromIntOrPercent of apimachinery: an int, or "N%" of a total rounded up or down.
export type IntOrString = number | string;

/** GetScaledValueFromIntOrPercent; throws upstream's messages for a string that is not a percentage. */
export function getScaledValueFromIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) throw new Error('nil value for IntOrString');
  if (typeof value === 'number') return value;
  if (!value.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value for IntOrString: invalid value "${value}": strconv.Atoi: parsing "${digits}": invalid syntax`);
  const v = Number.parseInt(digits, 10);
  // Upstream: math.Ceil(float64(v) * float64(total) / 100), or math.Floor.
  const scaled = (v * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** ResolveFenceposts of deployment_util.go: maxSurge rounded up, maxUnavailable rounded down, never both zero. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  // Both resolving to zero (maxUnavailable rounded down): allow one unavailable, since surge might fail on quota.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
