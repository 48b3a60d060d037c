// The rating page's browser client (bundled by esbuild when the server starts; no
// framework, no CDN). One item at a time from the rater API; every answer carries an
// idempotency key that a retry of the same submission reuses, so a flaky network
// never stores an answer twice. Keyboard first: 1/2, ←/→/↓, criterion keys, Z, C, ?.
import type { AnswerRequest, ItemView, NextResponse } from '../api-types.js';
import { CRITERION_KEYS } from './keys.js';

type Choice = AnswerRequest['choice'];

const body = document.body;
const token = body.dataset.token ?? '';
const studyId = body.dataset.study ?? '';
const mode = body.dataset.mode === 'pairwise' ? 'pairwise' : 'binary';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const stage = $('stage')!;
const itemView = $('item-view')!;
const doneCard = $('done')!;
const conditionEl = $('condition')!;
const criteriaEl = $('criteria');
const commentEl = $<HTMLTextAreaElement>('comment')!;
const undoBtn = $<HTMLButtonElement>('undo-btn')!;
const helpEl = $('help')!;
const toastEl = $('toast')!;
const progressFill = $('progress-fill')!;
const progressText = $('progress-text')!;
const scaleNote = $('scale-note');
const images: Record<string, HTMLImageElement | null> = {
  single: $<HTMLImageElement>('img-single'),
  left: $<HTMLImageElement>('img-left'),
  right: $<HTMLImageElement>('img-right'),
};

let item: ItemView | null = null;
let lastAnswered: string | null = null;
let busy = false;
let shownAt = 0;
/** The key of the submission in flight or last failed: reused while its content is unchanged. */
let pending: { signature: string; key: string } | null = null;
let objectUrls: string[] = [];

class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Random hex from getRandomValues: works on plain http over a LAN, where randomUUID is unavailable. */
function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function request(method: string, path: string, payload?: unknown): Promise<Response> {
  // Network errors and 5xx are retried with the identical request (same idempotency key).
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(path, {
        method,
        cache: 'no-store',
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      });
      if (res.status >= 500 && attempt < 3) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if (!res.ok) {
        const err = (await res.json().catch(() => ({}))) as { message?: string };
        throw new ApiFailure(err.message ?? `${res.status} ${res.statusText}`, res.status);
      }
      return res;
    } catch (e) {
      if (e instanceof ApiFailure || attempt >= 3) throw e;
      await sleep(250 * 2 ** attempt);
    }
  }
}

async function api<T>(method: string, path: string, payload?: unknown): Promise<T> {
  return (await (await request(method, path, payload)).json()) as T;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(message: string, error = false): void {
  toastEl.textContent = message;
  toastEl.className = `toast show${error ? ' error' : ''}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toastEl.className = 'toast'), error ? 4000 : 1600);
}

function setProgress(done: number, total: number): void {
  progressFill.style.width = `${total ? (100 * done) / total : 0}%`;
  progressText.textContent = `${done} / ${total}`;
}

/** Largest whole-number magnification that fits (crisp square pixels); shrinks smoothly only if even 1× does not fit. */
function fitImages(): void {
  const notes: string[] = [];
  for (const img of Object.values(images)) {
    if (!img || !img.naturalWidth || img.closest('[hidden]')) continue;
    const box = img.parentElement!;
    const w = img.naturalWidth;
    const h = img.naturalHeight;
    let scale = Math.min(box.clientWidth / w, box.clientHeight / h);
    if (scale >= 1) scale = Math.floor(scale);
    img.style.width = `${Math.max(1, Math.round(w * scale))}px`;
    img.style.height = `${Math.max(1, Math.round(h * scale))}px`;
    notes.push(`${w} × ${h} px, shown at ${Number.isInteger(scale) ? scale : scale.toFixed(2)}×`);
  }
  // Tell the rater the image is magnified (pixels are real pixels, not blur).
  if (scaleNote) scaleNote.textContent = [...new Set(notes)].join(' · ');
}

function renderChecklist(view: ItemView): void {
  if (!criteriaEl) return;
  criteriaEl.replaceChildren();
  const previous = new Set(view.previous?.failedCriteria ?? []);
  view.checklist.forEach((c, i) => {
    const label = document.createElement('label');
    label.className = 'criterion';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = c.id;
    box.checked = previous.has(c.id);
    box.addEventListener('change', () => label.classList.toggle('checked', box.checked));
    label.classList.toggle('checked', box.checked);
    const key = document.createElement('kbd');
    key.textContent = CRITERION_KEYS[i]?.toUpperCase() ?? '';
    const text = document.createElement('span');
    text.textContent = c.label;
    label.append(box, text, key);
    criteriaEl.append(label);
  });
}

function failedCriteria(): string[] {
  if (!criteriaEl) return [];
  return Array.from(criteriaEl.querySelectorAll<HTMLInputElement>('input[type=checkbox]'))
    .filter((b) => b.checked)
    .map((b) => b.value);
}

async function loadImage(img: HTMLImageElement, url: string): Promise<void> {
  const blob = await (await request('GET', url)).blob();
  const src = URL.createObjectURL(blob);
  objectUrls.push(src);
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('image failed to decode'));
    img.src = src;
  });
}

async function show(next: NextResponse): Promise<void> {
  setProgress(next.progress.done, next.progress.total);
  lastAnswered = next.lastAnswered;
  undoBtn.disabled = !lastAnswered;
  item = next.item;
  const old = objectUrls;
  objectUrls = [];
  if (!item) {
    itemView.hidden = true;
    doneCard.hidden = false;
    if (next.study.status === 'closed') {
      doneCard.querySelector('h2')!.textContent = 'This study is closed';
      doneCard.querySelector('p')!.textContent = 'The coordinator has closed this study; answers can no longer be changed. Thank you.';
    }
    conditionEl.textContent = '—';
    criteriaEl?.replaceChildren();
    commentEl.value = '';
    stage.classList.remove('loading');
    if (scaleNote) scaleNote.textContent = '';
    body.dataset.state = 'done';
    body.dataset.assignment = '';
    old.forEach((u) => URL.revokeObjectURL(u));
    return;
  }
  doneCard.hidden = true;
  itemView.hidden = false;
  conditionEl.textContent = item.condition;
  renderChecklist(item);
  commentEl.value = item.previous?.comment ?? '';
  const urls: Array<[HTMLImageElement | null, string]> =
    'single' in item.images ? [[images.single!, item.images.single]] : [[images.left!, item.images.left], [images.right!, item.images.right]];
  await Promise.all(urls.map(([img, url]) => loadImage(img!, url)));
  old.forEach((u) => URL.revokeObjectURL(u));
  fitImages();
  stage.classList.remove('loading');
  shownAt = performance.now();
  body.dataset.assignment = item.assignmentId;
  body.dataset.state = 'ready';
}

async function loadNext(): Promise<void> {
  body.dataset.state = 'loading';
  stage.classList.add('loading');
  await show(await api<NextResponse>('GET', `/api/rater/studies/${encodeURIComponent(studyId)}/next`));
}

function flash(choice: Choice): void {
  const btn = document.querySelector<HTMLButtonElement>(`.choice[data-choice="${choice}"]`);
  if (!btn) return;
  btn.classList.add('flash');
  setTimeout(() => btn.classList.remove('flash'), 180);
}

async function answer(choice: Choice): Promise<void> {
  if (busy || !item) return;
  busy = true;
  flash(choice);
  const failed = mode === 'binary' ? failedCriteria() : [];
  const comment = commentEl.value.trim();
  const signature = JSON.stringify([item.assignmentId, choice, failed, comment]);
  if (!pending || pending.signature !== signature) pending = { signature, key: newKey() };
  const payload: AnswerRequest = {
    assignmentId: item.assignmentId,
    idempotencyKey: pending.key,
    choice,
    failedCriteria: failed,
    comment,
    timeMs: Math.round(performance.now() - shownAt),
  };
  try {
    await api('POST', '/api/rater/answers', payload);
    pending = null;
    await loadNext();
  } catch (e) {
    toast((e as Error).message, true);
    if (e instanceof ApiFailure && e.status === 409) await loadNext().catch(() => undefined);
  } finally {
    busy = false;
  }
}

async function undo(): Promise<void> {
  if (busy || !lastAnswered) return;
  busy = true;
  try {
    await api('POST', '/api/rater/undo', { assignmentId: lastAnswered });
    pending = null;
    await loadNext();
    toast('Last answer undone');
  } catch (e) {
    toast((e as Error).message, true);
  } finally {
    busy = false;
  }
}

function toggleHelp(force?: boolean): void {
  helpEl.hidden = force === undefined ? !helpEl.hidden : !force;
}

function toggleCriterion(index: number): void {
  const box = criteriaEl?.querySelectorAll<HTMLInputElement>('input[type=checkbox]')[index];
  if (!box) return;
  box.checked = !box.checked;
  box.dispatchEvent(new Event('change'));
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target as HTMLElement | null;
  if (target && (target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' && (target as HTMLInputElement).type === 'text'))) {
    if (e.key === 'Escape') target.blur();
    return;
  }
  if (!helpEl.hidden) {
    if (e.key === 'Escape' || e.key === '?') toggleHelp(false);
    e.preventDefault();
    return;
  }
  const key = e.key;
  let handled = true;
  if (key === '?') toggleHelp(true);
  else if (key === 'z' || key === 'Z') void undo();
  else if (key === 'c' || key === 'C') commentEl.focus();
  else if (mode === 'binary' && key === '1') void answer('plausible');
  else if (mode === 'binary' && key === '2') void answer('implausible');
  else if (mode === 'binary' && CRITERION_KEYS.includes(key.toLowerCase())) toggleCriterion(CRITERION_KEYS.indexOf(key.toLowerCase()));
  else if (mode === 'pairwise' && key === 'ArrowLeft') void answer('left');
  else if (mode === 'pairwise' && key === 'ArrowRight') void answer('right');
  else if (mode === 'pairwise' && key === 'ArrowDown') void answer('tie');
  else handled = false;
  if (handled) e.preventDefault();
});

for (const btn of Array.from(document.querySelectorAll<HTMLButtonElement>('.choice[data-choice]'))) {
  btn.addEventListener('click', () => void answer(btn.dataset.choice as Choice));
}
undoBtn.addEventListener('click', () => void undo());
$('help-btn')?.addEventListener('click', () => toggleHelp());
helpEl.addEventListener('click', (e) => {
  if (e.target === helpEl) toggleHelp(false);
});
window.addEventListener('resize', fitImages);

loadNext().catch((e) => {
  toast((e as Error).message, true);
  body.dataset.state = 'error';
});
