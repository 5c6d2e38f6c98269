// helper.DefaultNormalizeScore: scale scores so the highest becomes maxPriority (reversed when
// asked, so the lowest raw score wins). Integer arithmetic as in Go.
import type { NodeScore } from './framework.js';

export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: readonly NodeScore[]): NodeScore[] {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;
  if (maxCount === 0) {
    return scores.map((s) => ({ name: s.name, score: reverse ? maxPriority : s.score }));
  }
  return scores.map((s) => {
    let score = Math.trunc((maxPriority * s.score) / maxCount);
    if (reverse) score = maxPriority - score;
    return { name: s.name, score };
  });
}
