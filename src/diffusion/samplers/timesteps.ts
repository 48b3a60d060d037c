// Which of the T training timesteps a sampler with S steps visits: "trailing"
// spacing t_i = ⌊(i+1)·T/S⌋ − 1, descending, so the first step starts at t = T−1
// (pure noise). prev of the last step is −1 ("after t = 0").
export interface SamplingTimesteps {
  /** Descending timesteps, length S. */
  timesteps: number[];
  /** The timestep each step moves to (−1 after the last). */
  prevTimesteps: number[];
}

export function samplingTimesteps(numTimesteps: number, steps: number): SamplingTimesteps {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTimesteps) {
    throw new RangeError(`sampling steps must be an integer in 1..${numTimesteps}, got ${steps}`);
  }
  const asc: number[] = [];
  for (let i = 0; i < steps; i++) asc.push(Math.floor(((i + 1) * numTimesteps) / steps) - 1);
  const timesteps = asc.reverse();
  return { timesteps, prevTimesteps: timesteps.map((_, i) => (i + 1 < steps ? timesteps[i + 1]! : -1)) };
}
