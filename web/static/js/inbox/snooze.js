// "Adiar até…" and "Marcar como não lida" in the conversation header. Snoozing sends a preset (the
// server computes "Amanhã 8h" in the company's timezone) or the chosen date and time without an offset,
// which the server also reads in the company's timezone, so an agent travelling sees the same hours as
// their colleagues. Marking unread closes the conversation: opening it would read it again at once.
import {$, h, icon, t, toast} from './dom.js';
import {fullDate} from './format.js';

const SNOOZABLE = ['pending', 'open'];

export function createSnooze({run, beforeUnread, onMarkedUnread, current}) {
  const dialog = $('#snooze-dialog');
  const form = $('#snooze-form');

  function open() {
    form.reset();
    $('#snooze-error').textContent = '';
    dialog.showModal();
  }

  async function snooze(button, body) {
    if (!(await run(button, 'snooze', body))) return;
    dialog.close();
    const until = current()?.snoozed_until;
    if (until) toast(t('snoozed_toast', {when: fullDate(until)}));
  }

  dialog.addEventListener('click', (e) => {
    if (e.target.closest('[data-close]')) dialog.close();
    const preset = e.target.closest('[data-preset]');
    if (preset) snooze(preset, {preset: preset.dataset.preset});
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const until = $('#snooze-until').value;
    if (!until) {
      $('#snooze-error').textContent = t('snooze_pick_time');
      return;
    }
    snooze(e.submitter, {until});
  });

  async function markUnread(button) {
    const id = current()?.id;
    if (id == null) return;
    await beforeUnread();
    if (await run(button, 'unread')) onMarkedUnread(id);
  }

  /** The header's buttons for this conversation (`can(action)`: what the server allows). */
  function buttons(detail, can) {
    const out = [];
    // Icons: the header is already full of words; the "Adiada" badge says the state.
    const iconButton = (name, label, onclick, id, cls = 'btn-ghost') => h('button', {type: 'button',
      class: `btn btn-sm ${cls}`, id, title: label, aria: {label}, onclick}, icon(name));
    if (can('close') && SNOOZABLE.includes(detail.status)) {
      out.push(detail.snoozed_until
        ? iconButton('clock', t('unsnooze'), (e) => run(e.currentTarget, 'unsnooze'), 'action-unsnooze', 'btn-snoozed')
        : iconButton('clock', t('snooze'), open, 'action-snooze'));
    }
    out.push(iconButton('mail', t('mark_unread'), (e) => markUnread(e.currentTarget), 'action-unread'));
    return out;
  }

  return {buttons};
}
