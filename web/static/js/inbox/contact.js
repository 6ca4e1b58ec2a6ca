// The contact panel: who the customer is (name, phone, CPF/CNPJ, e-mail), the labels of this
// conversation, and their earlier conversations; the name and documents can be corrected in place.
import {$, h, t, toast} from './dom.js';
import {contactName, cpfCnpj, listTime, phone} from './format.js';

export function createContactPanel({api, onOpenConversation, onSaved}) {
  const body = $('#contact-body');
  let current = null; // {contact, conversations, conversationId, labels}

  function field(label, value) {
    return value ? [h('dt', {}, label), h('dd', {}, value)] : [];
  }

  function render() {
    if (!current) {
      body.replaceChildren();
      return;
    }
    const {contact, conversations, conversationId} = current;
    const earlier = (conversations || []).filter((c) => c.id !== conversationId);
    const labels = [...new Map([...(current.labels || []), ...(contact.labels || [])].map((l) => [l.id, l])).values()];
    body.replaceChildren(
      h('div', {class: 'contact-head'},
        h('h3', {id: 'contact-name'}, contactName(contact)),
        h('button', {type: 'button', class: 'btn btn-link btn-sm', onclick: edit}, t('edit'))),
      h('dl', {class: 'contact-fields'},
        field(t('phone'), phone(contact.phone)),
        field(t('cpf_cnpj'), cpfCnpj(contact.cpf_cnpj)),
        field(t('email'), contact.email),
        field(t('telegram'), contact.telegram_chat_id ? String(contact.telegram_chat_id) : null)),
      h('h4', {}, t('labels')),
      labels?.length
        ? h('div', {class: 'chips'}, labels.map((l) => h('span', {class: 'chip', style: {'--chip': l.color}}, l.name)))
        : h('p', {class: 'muted small'}, t('no_labels_here')),
      h('h4', {}, t('earlier_conversations')),
      earlier.length
        ? h('ul', {class: 'earlier'}, earlier.map((c) => h('li', {}, earlierItem(c))))
        : h('p', {class: 'muted small'}, t('no_earlier')));
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
        current.contact = saved;
        current.conversations = saved.conversations || current.conversations;
        onSaved?.(saved);
        render();
      } catch (err) {
        toast(err.message || t('action_failed'), 'error');
      }
    });
    body.replaceChildren(form);
    form.querySelector('input').focus();
  }

  return {
    /** `refetch`: also load the contact's own labels and earlier conversations (on opening). */
    async show(detail, {refetch = true} = {}) {
      const contactId = detail.contact?.id;
      const same = current && current.contact.id === contactId;
      if (!same) current = {contact: detail.contact, conversations: []};
      current.conversationId = detail.id;
      current.labels = detail.labels;
      render();
      if (same && !refetch) return;
      const answer = await api.get(`/contacts/${contactId}`).catch(() => null);
      if (answer && current?.contact.id === contactId) {
        current.contact = answer;
        current.conversations = answer.conversations || [];
        render();
      }
    },
    clear() {
      current = null;
      render();
    },
    /** Wide screens show the panel beside the chat (toggle hides it); narrower ones overlay it on demand. */
    toggle() {
      const narrow = matchMedia('(max-width: 1180px)').matches;
      document.body.classList.toggle(narrow ? 'contact-shown' : 'contact-hidden');
    },
  };
}
