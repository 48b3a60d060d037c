// Simulated raters: programmatic experts that answer a study through the same HTTP API
// as people do (fetch the item, decode the PNG, judge it, post the answer with an
// idempotency key). Each has its own error rate and bias, so tests, CI and the demo get
// realistic disagreement with a known truth. Without a URL, the server is started
// in-process on port 0 and stopped afterwards.
import type { ItemView } from '../api-types.js';
import { criterionId } from '../checklists.js';
import { InvalidInputError } from '../errors.js';
import { decodePng } from '../images.js';
import { deriveSeed, seededRandom } from '../random.js';
import { buildServer } from '../server/server.js';
import type { FeedbackStore } from '../store/store.js';
import type { Choice, StudyMode } from '../store/types.js';
import { AdminClient, newIdempotencyKey, RaterClient } from './client.js';
import { DEFAULT_JUDGE, getJudge, type Judge } from './judges.js';

export interface SimulatedRaterSpec {
  name: string;
  /** Probability of answering against the judge (binary: flip; pairwise: another of left/right/tie). */
  errorRate: number;
  /**
   * Binary: > 0 leans to "plausible" (an implausible verdict flips with this probability), < 0 to "implausible".
   * Pairwise: position bias, > 0 picks left, < 0 right, with probability |bias|.
   */
  bias: number;
}

export interface SimulateOptions {
  /** A running server's base URL (then `adminToken` is required)… */
  url?: string;
  adminToken?: string;
  /** …or a store: the server is started in-process on 127.0.0.1, port 0. */
  store?: FeedbackStore;
  /** Study id or name. */
  study: number | string;
  /** How many raters (named `<prefix>-1…n`, created if absent and added to the study), or explicit specs. */
  raters: number | SimulatedRaterSpec[];
  /** Error rate for every rater (or one per rater) when `raters` is a count. Default 0.1. */
  errorRate?: number | number[];
  bias?: number | number[];
  namePrefix?: string;
  /** A judge function or a registered judge's name. Default 'mean-intensity'. */
  judge?: Judge | string;
  seed?: number;
  /** Probability of sending an answer twice with the same idempotency key (exercises retries). Default 0. */
  duplicateRate?: number;
  /** Stop each rater after this many answers (default: until the queue is empty). */
  maxAnswersPerRater?: number;
  /** Called once the raters' queues are known: how many answers are left to give in all. */
  onStart?: (total: number) => void;
  /** Called after every answer with the running count. */
  onProgress?: (done: number) => void;
}

export interface SimulatedRaterResult {
  name: string;
  answered: number;
  /** Answers that deviate from the judge's truth because of injected error or bias. */
  deviations: number;
  duplicatesSent: number;
}

export interface SimulateResult {
  studyId: number;
  url: string;
  answers: number;
  duplicatesSent: number;
  seconds: number;
  answersPerSecond: number;
  raters: SimulatedRaterResult[];
}

function specs(opts: SimulateOptions): SimulatedRaterSpec[] {
  if (Array.isArray(opts.raters)) return opts.raters;
  const n = opts.raters;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidInputError(`raters must be a whole number in 1..10000, got ${n}`);
  const pick = (v: number | number[] | undefined, i: number, fallback: number) => (Array.isArray(v) ? (v[i] ?? v[v.length - 1] ?? fallback) : (v ?? fallback));
  return Array.from({ length: n }, (_, i) => ({
    name: `${opts.namePrefix ?? 'sim'}-${i + 1}`,
    errorRate: pick(opts.errorRate, i, 0.1),
    bias: pick(opts.bias, i, 0),
  }));
}

/** The answer a simulated rater gives, from the judge's verdict(s), its error rate and bias. */
export function decide(
  mode: StudyMode,
  verdicts: Array<{ plausible: boolean; failedCriteria: string[] }>,
  checklistIds: string[],
  spec: SimulatedRaterSpec,
  random: () => number,
): { choice: Choice; failedCriteria: string[]; deviates: boolean } {
  if (mode === 'binary') {
    const truth = verdicts[0]!;
    let plausible = truth.plausible;
    if (random() < spec.errorRate) plausible = !plausible;
    if (spec.bias > 0 && !plausible && random() < spec.bias) plausible = true;
    if (spec.bias < 0 && plausible && random() < -spec.bias) plausible = false;
    let failed: string[] = [];
    if (!plausible) {
      const ids = new Set(checklistIds);
      failed = truth.plausible ? [] : truth.failedCriteria.map((c) => (ids.has(c) ? c : criterionId(c))).filter((c) => ids.has(c));
      if (failed.length === 0 && checklistIds.length) failed = [checklistIds[Math.floor(random() * checklistIds.length)]!];
    }
    return { choice: plausible ? 'plausible' : 'implausible', failedCriteria: failed, deviates: plausible !== truth.plausible };
  }
  const [l, r] = [verdicts[0]!.plausible, verdicts[1]!.plausible];
  const truth: Choice = l === r ? 'tie' : l ? 'left' : 'right';
  let choice: Choice = truth;
  if (random() < spec.errorRate) {
    const others = (['left', 'right', 'tie'] as const).filter((c) => c !== truth);
    choice = others[Math.floor(random() * others.length)]!;
  }
  if (spec.bias !== 0 && random() < Math.abs(spec.bias)) choice = spec.bias > 0 ? 'left' : 'right';
  return { choice, failedCriteria: [], deviates: choice !== truth };
}

async function judgeItem(client: RaterClient, item: ItemView, judge: Judge) {
  const urls = 'single' in item.images ? [item.images.single] : [item.images.left, item.images.right];
  const rasters = await Promise.all(urls.map(async (u) => decodePng(await client.image(u))));
  return rasters.map((r) => judge(r, item.condition));
}

export async function simulateStudy(opts: SimulateOptions): Promise<SimulateResult> {
  const judge = typeof opts.judge === 'function' ? opts.judge : getJudge(opts.judge ?? DEFAULT_JUDGE);
  const raters = specs(opts);
  for (const r of raters) {
    if (!(r.errorRate >= 0 && r.errorRate <= 1)) throw new InvalidInputError(`rater ${r.name}: error rate must be in [0, 1], got ${r.errorRate}`);
    if (!(r.bias >= -1 && r.bias <= 1)) throw new InvalidInputError(`rater ${r.name}: bias must be in [-1, 1], got ${r.bias}`);
  }
  let url = opts.url?.replace(/\/+$/, '');
  let adminToken = opts.adminToken;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    if (!opts.store) throw new InvalidInputError('simulateStudy needs a url (with adminToken) or a store');
    const app = await buildServer({ store: opts.store });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    url = address;
    adminToken ??= opts.store.ensureAdmin().token;
    stop = () => app.close();
  }
  if (!adminToken) throw new InvalidInputError('simulateStudy: adminToken is required with a url');
  try {
    const admin = new AdminClient(url, adminToken);
    const { studies } = await admin.json<{ studies: Array<{ study: { id: number; name: string; mode: StudyMode } }> }>('GET', '/api/admin/studies');
    const found = studies.find((s) => s.study.name === String(opts.study) || String(s.study.id) === String(opts.study));
    if (!found) throw new InvalidInputError(`study '${opts.study}' not found (known: ${studies.map((s) => s.study.name).join(', ') || 'none'})`);
    const studyId = found.study.id;
    const mode = found.study.mode;
    const { raters: links } = await admin.json<{ raters: Array<{ name: string; token: string }> }>('POST', `/api/admin/studies/${studyId}/raters`, {
      names: raters.map((r) => r.name),
      simulated: true,
    });
    const tokens = new Map(links.map((l) => [l.name, l.token] as const));
    const seed = opts.seed ?? 1;
    const clients = raters.map((spec) => ({ spec, client: new RaterClient(url!, tokens.get(spec.name)!) }));
    // A rater added when every item already had k raters has no assignment in this study.
    const remaining = await Promise.all(
      clients.map(async ({ client }) => {
        const mine = (await client.studies()).studies.find((x) => x.id === studyId);
        return mine ? mine.progress.total - mine.progress.done : 0;
      }),
    );
    opts.onStart?.(remaining.reduce((a, b) => a + b, 0));
    const started = performance.now();
    let done = 0;
    const results = await Promise.all(
      clients.map(async ({ spec, client }, i): Promise<SimulatedRaterResult> => {
        const random = seededRandom(deriveSeed(seed, 'simulated-rater', spec.name));
        const out: SimulatedRaterResult = { name: spec.name, answered: 0, deviations: 0, duplicatesSent: 0 };
        if (remaining[i] === 0) return out;
        for (;;) {
          if (opts.maxAnswersPerRater !== undefined && out.answered >= opts.maxAnswersPerRater) break;
          const next = await client.next(studyId);
          if (!next.item) break;
          const verdicts = await judgeItem(client, next.item, judge);
          const d = decide(mode, verdicts, next.item.checklist.map((c) => c.id), spec, random);
          const request = { assignmentId: next.item.assignmentId, idempotencyKey: newIdempotencyKey(), choice: d.choice, failedCriteria: d.failedCriteria, timeMs: 500 + Math.floor(random() * 4000) };
          const sends = random() < (opts.duplicateRate ?? 0) ? 2 : 1;
          await Promise.all(Array.from({ length: sends }, () => client.answer(request)));
          out.duplicatesSent += sends - 1;
          out.answered++;
          if (d.deviates) out.deviations++;
          opts.onProgress?.(++done);
        }
        return out;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const answers = results.reduce((s, r) => s + r.answered, 0);
    return {
      studyId,
      url,
      answers,
      duplicatesSent: results.reduce((s, r) => s + r.duplicatesSent, 0),
      seconds,
      answersPerSecond: seconds > 0 ? answers / seconds : 0,
      raters: results,
    };
  } finally {
    await stop?.();
  }
}
