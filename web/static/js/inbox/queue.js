// The waiting queue's pieces: the sorts an agent can choose (the browser's copy of the server's
// models.conversation_list.Sort, so live updates land where the next page load would put them), the
// "esperando há 12 min" badge measured against the tenant's first-response SLA, and priority badges.
// The wait is told in words as well as colour: "perto do SLA" / "SLA estourado" (not colour alone).
import {h, icon, t} from './dom.js';

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
const RANK = {urgent: 0, high: 1, normal: 2, low: 3};
const WARN_AT = 0.5; // amber from half of the SLA on, red past it

/** The sorts offered on a tab, the default first: only "Em espera" has a wait to sort by. */
export function sortsFor(tab) {
  return tab === 'pending' ? ['waiting', 'recent', 'priority'] : ['recent', 'priority'];
}

const stamp = (value, missing) => (value ? Date.parse(value) : missing);
function byNumbers(pairs) {
  for (const [a, b] of pairs) {
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** A comparator giving the server's order for `sort` (NULLs last, then the id). */
export function comparator(sort) {
  if (sort === 'waiting') {
    return (a, b) => byNumbers([[stamp(a.waiting_since, Infinity), stamp(b.waiting_since, Infinity)], [a.id, b.id]]);
  }
  if (sort === 'priority') {
    return (a, b) => byNumbers([[RANK[a.priority] ?? 2, RANK[b.priority] ?? 2],
      [stamp(a.waiting_since, Infinity), stamp(b.waiting_since, Infinity)], [a.id, b.id]]);
  }
  return (a, b) => byNumbers([[stamp(b.last_message_at, -Infinity), stamp(a.last_message_at, -Infinity)], [b.id, a.id]]);
}

/** "menos de 1 min", "12 min", "1 h 05 min", "3 d". */
export function duration(minutes) {
  if (minutes < 1) return t('duration_under_minute');
  if (minutes < 60) return t('duration_minutes', {n: minutes});
  if (minutes < 24 * 60) return t('duration_hours', {h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, '0')});
  return t('duration_days', {n: Math.floor(minutes / (24 * 60))});
}

/** ok, warn (from half the SLA) or late (past it), and the words that say so. */
export function waitState(since, slaMinutes, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60000));
  const sla = Math.max(1, Number(slaMinutes) || 15);
  let level = 'ok';
  let note = '';
  if (minutes >= sla) {
    level = 'late';
    note = t('sla_breached');
  } else if (minutes >= sla * WARN_AT) {
    level = 'warn';
    note = t('sla_near', {time: duration(sla - minutes)});
  }
  const text = t('waiting_for', {time: duration(minutes)}) + (note ? ` · ${note}` : '');
  return {minutes, level, text};
}

function fillWait(el, slaMinutes) {
  const {level, text} = waitState(el.dataset.since, slaMinutes);
  el.className = `wait wait-${level}`;
  el.replaceChildren(icon(level === 'ok' ? 'clock' : 'alert'), text);
}

/** The badge of a waiting conversation; `refreshWaits` keeps its text current. */
export function waitBadge(since, slaMinutes) {
  const el = h('span', {dataset: {since}});
  fillWait(el, slaMinutes);
  return el;
}

/** Re-measure every wait badge under `root` in place (each minute), without re-rendering the list. */
export function refreshWaits(root, slaMinutes) {
  for (const el of root.querySelectorAll('.wait[data-since]')) fillWait(el, slaMinutes);
}

/** Baixa/Alta/Urgente as a badge with its word (Normal is the quiet default: no badge in lists). */
export function priorityBadge(priority, {always = false} = {}) {
  if (!priority || (priority === 'normal' && !always)) return null;
  return h('span', {class: `priority-badge priority-${priority}`}, t(`priority_${priority}`));
}
