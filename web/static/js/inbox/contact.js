// The contact panel: who the customer is (name, phone, CPF/CNPJ, e-mail), the contact's own labels
// (they follow the customer into every conversation) apart from this conversation's labels (they end
// with it), both editable in place, and the contact's other conversations: the earlier ones, and any
// newer one, listed apart; and "Não enviar pesquisas de satisfação" (the contact's CSAT opt-out, saved
// as it is ticked). It stays current: socket events for the contact's conversations and
// `contact.updated` (its labels or opt-out changed) reload it.
import {$, debounce, h, t, toast} from './dom.js';
import {contactName, cpfCnpj, listTime, phone} from './format.js';

export function createContactPanel({api, lookups, onOpenConversation, onSaved, onConversationChanged}) {
  const body = $('#contact-body');
  // {contact, conversations, newer, conversationId, labels (the conversation's), canLabel}
  let current = null;
  let editing = null; // 'contact' | 'conversation': whose labels are being edited

  function field(label, value) {
    return value ? [h('dt', {}, label), h('dd', {}, value)] : [];
  }

  function chips(labels) {
    return h('div', {class: 'chips'}, labels.map((l) => h('span', {class: 'chip', style: {'--chip': l.color}}, l.name)));
  }

  /** One labels block: its chips, or the checkboxes of every label while being edited. */
  function labelSection(which, title, labels, editable, save) {
    const id = `${which}-labels`;
    const heading = h('div', {class: 'contact-sub'}, h('h4', {id: `${id}-title`}, title),
      editable && editing !== which ? h('button', {type: 'button', class: 'btn btn-link btn-sm', id: `${id}-edit`,
        aria: {label: `${t('edit')}: ${title}`}, onclick: () => {
          editing = which;
          render();
          $(`#${id} input`)?.focus();
        }}, t('edit')) : null);
    if (editing !== which) {
      return h('section', {id, aria: {labelledby: `${id}-title`}}, heading,
        labels.length ? chips(labels) : h('p', {class: 'muted small'}, t('no_labels_here')));
    }
    const chosen = new Set(labels.map((l) => l.id));
    const form = h('form', {class: 'label-editor'},
      h('fieldset', {}, h('legend', {class: 'sr-only'}, title),
        lookups.labels.length ? lookups.labels.map((l) => h('label', {class: 'check'},
          h('input', {type: 'checkbox', name: 'label', value: String(l.id), checked: chosen.has(l.id)}),
          h('span', {class: 'chip', style: {'--chip': l.color}}, l.name))) : h('p', {class: 'muted'}, t('no_labels'))),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'btn btn-primary btn-sm'}, t('save')),
        h('button', {type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => {
          editing = null;
          render();
        }}, t('cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const ids = [...form.querySelectorAll('input[name=label]:checked')].map((i) => Number(i.value));
      e.submitter.disabled = true;
      try {
        await save(ids);
        editing = null;
        render();
      } catch (err) {
        toast(err.message || t('action_failed'), 'error');
        e.submitter.disabled = false;
      }
    });
    return h('section', {id, aria: {labelledby: `${id}-title`}}, heading, form);
  }

  async function saveContactLabels(ids) {
    const answer = await api.put(`/contacts/${current.contact.id}/labels`, {label_ids: ids});
    current.contact = {...current.contact, labels: answer.items.map(({id, name, color}) => ({id, name, color}))};
  }

  async function saveConversationLabels(ids) {
    const id = current.conversationId;
    const answer = await api.put(`/conversations/${id}/labels`, {label_ids: ids});
    if (current?.conversationId === id) current.labels = answer.labels;
    await onConversationChanged?.(id, answer);
  }

  /** Shown once the contact's detail is loaded (the conversation's copy of the contact lacks it). */
  function optOut(contact) {
    if (typeof contact.csat_opt_out !== 'boolean') return null;
    let saving = false; // not `disabled`: that would drop the keyboard focus
    const box = h('input', {type: 'checkbox', id: 'contact-csat-opt-out', checked: contact.csat_opt_out,
      aria: {describedby: 'contact-csat-opt-out-hint'}, onclick: (e) => saving && e.preventDefault(),
      onchange: async () => {
        saving = true;
        try {
          const saved = await api.patch(`/contacts/${contact.id}`, {csat_opt_out: box.checked});
          if (current?.contact.id === saved.id) current.contact = {...current.contact, csat_opt_out: saved.csat_opt_out};
          toast(t(saved.csat_opt_out ? 'csat_opt_out_on' : 'csat_opt_out_off'));
        } catch (err) {
          box.checked = !box.checked;
          toast(err.message || t('action_failed'), 'error');
        } finally {
          saving = false;
        }
      }});
    return h('div', {class: 'contact-opt-out'},
      h('label', {class: 'check'}, box, h('span', {}, t('csat_opt_out'))),
      h('p', {class: 'muted small', id: 'contact-csat-opt-out-hint'}, t('csat_opt_out_hint')));
  }

  function conversationList(id, items) {
    return h('ul', {class: 'earlier', id}, items.map((c) => h('li', {dataset: {id: c.id}}, earlierItem(c))));
  }

  function render() {
    if (!current) {
      body.replaceChildren();
      return;
    }
    const {contact, conversations, newer} = current;
    const focused = body.contains(document.activeElement) ? document.activeElement.id : '';
    body.replaceChildren(
      h('div', {class: 'contact-head'},
        h('h3', {id: 'contact-name'}, contactName(contact)),
        h('button', {type: 'button', class: 'btn btn-link btn-sm', onclick: edit}, t('edit'))),
      h('dl', {class: 'contact-fields'},
        field(t('phone'), phone(contact.phone)),
        field(t('cpf_cnpj'), cpfCnpj(contact.cpf_cnpj)),
        field(t('email'), contact.email),
        field(t('telegram'), contact.telegram_chat_id ? String(contact.telegram_chat_id) : null)),
      optOut(contact),
      labelSection('contact', t('contact_labels'), contact.labels || [], true, saveContactLabels),
      labelSection('conversation', t('conversation_labels'), current.labels || [], current.canLabel, saveConversationLabels),
      ...(newer?.length ? [h('h4', {}, t('newer_conversations')), conversationList('contact-newer', newer)] : []),
      h('h4', {}, t('earlier_conversations')),
      conversations?.length
        ? conversationList('contact-earlier', conversations)
        : h('p', {class: 'muted small', id: 'contact-earlier'}, t('no_earlier')));
    if (focused) document.getElementById(focused)?.focus(); // a reload (contact.updated) keeps the focus
  }

  /** A link when this user may open it (the API says so per conversation), plain text otherwise. */
  function earlierItem(c) {
    const parts = [
      h('span', {class: `status-badge status-${c.status}`}, t(`status_${c.status}`)),
      h('span', {class: 'earlier-what'}, [c.inbox_name, c.assignee?.name || c.team?.name].filter(Boolean).join(' · ') || `#${c.id}`),
      h('time', {class: 'muted small', datetime: c.created_at || ''}, listTime(c.last_message_at || c.created_at)),
    ];
    if (c.can_view === false) return h('span', {class: 'earlier-item', title: c.close_reason || ''}, parts);
    return h('a', {class: 'earlier-item', href: `#/c/${c.id}`, title: c.close_reason || '', onclick: (e) => {
      e.preventDefault();
      onOpenConversation(c.id);
    }}, parts);
  }

  function edit() {
    const {contact} = current;
    const input = (name, label, value) => h('label', {class: 'field'}, h('span', {class: 'label'}, label),
      h('input', {class: 'input input-sm', name, value: value || ''}));
    const form = h('form', {class: 'contact-edit'},
      input('name', t('name'), contact.name),
      input('cpf_cnpj', t('cpf_cnpj'), contact.cpf_cnpj),
      input('email', t('email'), contact.email),
      h('div', {class: 'actions'},
        h('button', {type: 'submit', class: 'btn btn-primary btn-sm'}, t('save')),
        h('button', {type: 'button', class: 'btn btn-ghost btn-sm', onclick: render}, t('cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      for (const key of Object.keys(data)) data[key] = data[key].trim() || null;
      try {
        const saved = await api.patch(`/contacts/${contact.id}`, data);
        current.contact = saved; // its conversations are the unsplit list: keep ours
        onSaved?.(saved);
        render();
      } catch (err) {
        toast(err.message || t('action_failed'), 'error');
      }
    });
    body.replaceChildren(form);
    form.querySelector('input').focus();
  }

  /** The contact as seen from the open conversation: its labels, earlier and newer conversations. */
  async function reload() {
    if (!current) return;
    const {contact: {id: contactId}, conversationId} = current;
    const answer = await api.get(`/contacts/${contactId}`, {conversation_id: conversationId}).catch(() => null);
    if (!answer || current?.contact.id !== contactId || current.conversationId !== conversationId) return;
    current.contact = answer;
    current.conversations = answer.conversations || [];
    current.newer = answer.newer_conversations || [];
    if (!editing) render();
  }
  const reloadSoon = debounce(reload, 300);

  return {
    /** `refetch`: also load the contact's own labels and other conversations (on opening). */
    async show(detail, {refetch = true} = {}) {
      const contactId = detail.contact?.id;
      const same = current && current.contact.id === contactId;
      if (!same) {
        current = {contact: detail.contact, conversations: [], newer: []};
        editing = null;
      }
      if (current.conversationId !== detail.id) editing = null;
      current.conversationId = detail.id;
      current.labels = detail.labels;
      current.canLabel = (detail.allowed_actions || []).includes('note');
      if (!editing) render(); // an open editor keeps what the agent ticked
      if (same && !refetch) return;
      await reload();
    },
    /** A socket event showed one of the contact's other conversations: reload if it is new to the
     * panel or changed status (opened, taken, closed, reopened). */
    onConversation(conv) {
      if (!current || conv?.contact?.id !== current.contact.id || conv.id === current.conversationId) return;
      const known = [...(current.conversations || []), ...(current.newer || [])].find((c) => c.id === conv.id);
      if (!known || known.status !== conv.status) reloadSoon();
    },
    /** `contact.updated`: the contact's own labels or opt-out changed (here or on another screen). */
    onContactUpdated(data) {
      if (current && data?.contact_id === current.contact.id) reloadSoon();
    },
    clear() {
      current = null;
      editing = null;
      render();
    },
    /** Wide screens show the panel beside the chat (toggle hides it); narrower ones overlay it on demand. */
    toggle() {
      const narrow = matchMedia('(max-width: 1180px)').matches;
      document.body.classList.toggle(narrow ? 'contact-shown' : 'contact-hidden');
    },
  };
}
