// The arms of the CXR ablation (CXRL, Han et al. 2024, Tables 1–2): the full method
// (posture + diagnostic + consistency rewards, diagnostic and consistency scored
// against the frozen anchor (RLCF), two ACE tokens), the full method without ACE,
// without RLCF, and with one reward at a time. Each arm differs from the full one in
// exactly what its name says, so a row of the table isolates one choice.
export const CXR_REWARDS = ['posture', 'diagnostic', 'consistency'] as const;
export type CxrRewardName = (typeof CXR_REWARDS)[number];

export interface AblationArm {
  /** Folder and JSON key. */
  name: string;
  /** Row label of the table. */
  label: string;
  /** Rewards optimised (their weights come from the calibration). */
  rewards: CxrRewardName[];
  /** Rewards scored as s(x) − s(x̂) against the anchor's sample from the same noise. */
  comparative: CxrRewardName[];
  /** ACE tokens appended to every report (0 = off). */
  aceTokens: number;
}

/** CXRL's choices: posture is absolute (a pose has a fixed target), the report-dependent rewards are comparative. */
export const FULL_COMPARATIVE: readonly CxrRewardName[] = ['diagnostic', 'consistency'];
export const FULL_ACE_TOKENS = 2;

export function cxrAblationArms(aceTokens = FULL_ACE_TOKENS): AblationArm[] {
  const full: AblationArm = { name: 'full', label: 'Full (P+D+C, RLCF, ACE)', rewards: [...CXR_REWARDS], comparative: [...FULL_COMPARATIVE], aceTokens };
  const single = (r: CxrRewardName): AblationArm => ({
    name: `${r}-only`,
    label: `${r[0]!.toUpperCase()}${r.slice(1)} only`,
    rewards: [r],
    comparative: full.comparative.filter((c) => c === r),
    aceTokens,
  });
  return [
    full,
    { ...full, name: 'no-ace', label: 'w/o ACE', aceTokens: 0 },
    { ...full, name: 'no-rlcf', label: 'w/o RLCF', comparative: [] },
    ...CXR_REWARDS.map(single),
  ];
}
