// The conversation header: who the customer is, where the conversation stands, and the buttons the
// server allows this user (allowed_actions): Assumir, Transferir (team or agent, reason required),
// Encerrar (how it ends: resolved, spam or duplicate; optional reason), Reabrir, and the labels editor.
// Dialogs are native <dialog>s: focus is trapped and Esc closes them without any code here.
import {$, h, icon, t, toast} from './dom.js';
import {contactName, fullDate, initials, phone} from './format.js';
import {aiHeaderLine} from './ai.js';
import {createSnooze} from './snooze.js';
import {PRIORITIES} from './queue.js';

export function createActions({api, me, lookups, onChanged, onToggleContact, beforeUnread, onMarkedUnread}) {
  const header = $('#chat-header');
  let detail = null;

  async function run(button, path, body) {
    if (button) button.disabled = true;
    try {
      const answer = await api.post(`/conversations/${detail.id}/${path}`, body);
      await onChanged(detail.id, answer);
      return true;
    } catch (err) {
      toast(err.message || t('action_failed'), 'error');
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function render(next) {
    detail = next;
    const can = (a) => detail.allowed_actions?.includes(a);
    const name = contactName(detail.contact);
    const where = [
      detail.assignee ? t('assigned_to', {name: detail.assignee.name}) : null,
      detail.team ? t('team_is', {name: detail.team.name}) : null,
    ].filter(Boolean).join(' · ');
    const button = (label, cls, onclick, id) => h('button', {type: 'button', class: `btn btn-sm ${cls}`, id, onclick}, label);
    header.replaceChildren(
      h('span', {class: 'avatar', aria: {hidden: 'true'}}, initials(name)),
      h('div', {class: 'chat-title'},
        h('h2', {id: 'chat-name'}, name),
        h('div', {class: 'chat-sub'},
          h('span', {class: `status-badge status-${detail.status}`}, t(`status_${detail.status}`)),
          detail.snoozed_until ? h('span', {class: 'snoozed-badge', id: 'snoozed-badge',
            title: t('snoozed_until', {when: fullDate(detail.snoozed_until)})}, t('snoozed')) : null,
          h('span', {class: 'chat-sub-text'},
            [detail.contact?.phone ? phone(detail.contact.phone) : null, detail.inbox_name, where].filter(Boolean).join(' · ')))),
      // Its own row under the name and the buttons (css). replaceChildren would print a null as "null".
      ...[aiHeaderLine(detail, lookups.teamName)].filter(Boolean),
      h('div', {class: 'chat-actions', role: 'toolbar', aria: {label: t('actions')}},
        can('take') && detail.assignee_id !== me.id ? button(t('take'), 'btn-primary', (e) => run(e.currentTarget, 'take'), 'action-take') : null,
        can('assign') && !detail.assignee_id ? button(t('assign'), 'btn-secondary', () => openTransfer('assign'), 'action-assign') : null,
        can('transfer') ? button(t('transfer'), 'btn-secondary', () => openTransfer('transfer'), 'action-transfer') : null,
        button(t('labels'), 'btn-secondary', openLabels, 'action-labels'),
        can('note') ? prioritySelect() : null,
        can('close') && detail.status !== 'closed' ? button(t('close'), 'btn-danger', openClose, 'action-close') : null,
        can('reopen') && detail.status === 'closed' ? button(t('reopen'), 'btn-secondary', (e) => run(e.currentTarget, 'reopen'), 'action-reopen') : null,
        ...snooze.buttons(detail, can),
        h('button', {type: 'button', class: 'btn btn-ghost btn-sm', id: 'toggle-contact', aria: {label: t('contact_panel')},
          title: t('contact_panel'), onclick: onToggleContact}, icon('user'))));
  }

  /** Baixa/Normal/Alta/Urgente: a native select (keyboard and screen readers for free); saving is live. */
  function prioritySelect() {
    const current = detail.priority || 'normal';
    return h('select', {class: `input input-sm priority-select priority-${current}`, id: 'action-priority',
      aria: {label: t('priority')}, title: t('priority'), onchange: async (e) => {
        const select = e.currentTarget;
        select.disabled = true;
        try {
          await onChanged(detail.id, await api.put(`/conversations/${detail.id}/priority`, {priority: select.value}));
        } catch (err) {
          toast(err.message || t('action_failed'), 'error');
          select.value = current;
        } finally {
          select.disabled = false;
        }
      }}, PRIORITIES.map((p) => h('option', {value: p, selected: p === current}, t(`priority_${p}`))));
  }

  // --- Transferir (team or agent, reason required) and Atribuir (an agent, reason optional) ---------
  const transferDialog = $('#transfer-dialog');
  const transferForm = $('#transfer-form');
  let mode = 'transfer';
  function openTransfer(which) {
    mode = which;
    const option = (value, label) => h('option', {value: String(value)}, label);
    $('#transfer-team').replaceChildren(option('', t('choose_team')), ...lookups.teams.map((x) => option(x.id, x.name)));
    $('#transfer-agent').replaceChildren(option('', t('choose_agent')),
      ...lookups.agents.filter((a) => a.id !== detail.assignee_id)
        .map((a) => option(a.id, a.availability === 'away' ? t('agent_is_away', {name: a.name}) : a.name)));
    transferForm.reset();
    if (mode === 'assign') transferForm.elements.kind.value = 'agent';
    $('#transfer-title').textContent = t(mode === 'assign' ? 'assign_title' : 'transfer_title');
    $('#transfer-kind').hidden = mode === 'assign';
    $('#transfer-reason-label').textContent = t(mode === 'assign' ? 'reason_optional' : 'reason_required');
    $('#transfer-submit').textContent = t(mode === 'assign' ? 'assign' : 'transfer');
    syncTransferKind();
    $('#transfer-error').textContent = '';
    transferDialog.showModal();
  }
  function syncTransferKind() {
    const toTeam = transferForm.elements.kind.value !== 'agent';
    $('#transfer-team-field').hidden = !toTeam;
    $('#transfer-agent-field').hidden = toTeam;
    $('#transfer-team').required = toTeam;
    $('#transfer-agent').required = !toTeam;
  }
  transferForm.addEventListener('change', (e) => e.target.name === 'kind' && syncTransferKind());
  transferForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = $('#transfer-reason').value.trim();
    const toTeam = transferForm.elements.kind.value !== 'agent';
    const target = toTeam ? $('#transfer-team').value : $('#transfer-agent').value;
    if (!target || (!reason && mode === 'transfer')) {
      $('#transfer-error').textContent = t(!target ? 'transfer_target_required' : 'transfer_reason_required');
      return;
    }
    const body = toTeam ? {team_id: Number(target)} : {agent_id: Number(target)};
    if (reason) body.reason = reason;
    if (await run(e.submitter, mode, body)) transferDialog.close();
  });

  // --- Encerrar: Resolvida (the CSAT survey goes out), Spam or Duplicada (none) -------------------
  const closeDialog = $('#close-dialog');
  const closeForm = $('#close-form');
  function openClose() {
    closeForm.reset(); // back to "Resolvida", the ordinary close
    closeDialog.showModal();
  }
  closeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = $('#close-reason').value.trim();
    const body = {kind: closeForm.elements.kind.value || 'resolved'};
    if (reason) body.reason = reason;
    if (await run(e.submitter, 'close', body)) closeDialog.close();
  });

  // --- Etiquetas ----------------------------------------------------------------------------------
  const labelsDialog = $('#labels-dialog');
  function openLabels() {
    const current = new Set((detail.labels || []).map((l) => l.id));
    $('#labels-options').replaceChildren(...(lookups.labels.length ? lookups.labels.map((l) => h('label', {class: 'check'},
      h('input', {type: 'checkbox', name: 'label', value: String(l.id), checked: current.has(l.id)}),
      h('span', {class: 'chip', style: {'--chip': l.color}}, l.name))) : [h('p', {class: 'muted'}, t('no_labels'))]));
    labelsDialog.showModal();
  }
  $('#labels-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const ids = [...labelsDialog.querySelectorAll('input[name=label]:checked')].map((i) => Number(i.value));
    e.submitter.disabled = true;
    try {
      const answer = await api.put(`/conversations/${detail.id}/labels`, {label_ids: ids});
      labelsDialog.close();
      await onChanged(detail.id, answer);
    } catch (err) {
      toast(err.message || t('action_failed'), 'error');
    } finally {
      e.submitter.disabled = false;
    }
  });

  for (const dialog of [transferDialog, closeDialog, labelsDialog]) {
    dialog.addEventListener('click', (e) => e.target.closest('[data-close]') && dialog.close());
  }
  const snooze = createSnooze({run, beforeUnread, onMarkedUnread, current: () => detail});
  return {render, take: () => detail && run(null, 'take')};
}
