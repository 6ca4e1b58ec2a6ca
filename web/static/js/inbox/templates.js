// Meta message templates, the only thing WhatsApp Cloud lets us send 24 hours after the customer's
// last message: pick one approved for the inbox, fill its {{1}}, {{2}}… and see the text as it will go.
import {$, h, t, toast} from './dom.js';

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

function slots(body) {
  return [...new Set([...String(body || '').matchAll(PLACEHOLDER)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

export function createTemplatePicker({api, onSend}) {
  const dialog = $('#template-dialog');
  const listEl = $('#template-list');
  const paramsEl = $('#template-params');
  const previewEl = $('#template-preview');
  const sendBtn = $('#template-send');
  let templates = [];
  let chosen = null;

  function renderPreview() {
    if (!chosen) {
      previewEl.textContent = '';
      sendBtn.disabled = true;
      return;
    }
    const values = [...paramsEl.querySelectorAll('input')].map((i) => i.value);
    previewEl.textContent = chosen.body.replace(PLACEHOLDER, (_, n) => values[Number(n) - 1] || `{{${n}}}`);
    sendBtn.disabled = values.some((v) => !v.trim());
  }

  function choose(template) {
    chosen = template;
    listEl.querySelectorAll('[role=option]').forEach((el) => el.setAttribute('aria-selected', String(el.dataset.id === String(template.id))));
    paramsEl.replaceChildren(...slots(template.body).map((n) => h('label', {class: 'field'},
      h('span', {class: 'label'}, t('template_param', {n})),
      h('input', {class: 'input', required: true, oninput: renderPreview}))));
    renderPreview();
  }

  async function open(inboxId) {
    chosen = null;
    paramsEl.replaceChildren();
    renderPreview();
    listEl.replaceChildren(h('li', {class: 'muted'}, t('loading')));
    dialog.showModal();
    const answer = await api.get('/templates', {inbox_id: inboxId}).catch(() => null);
    templates = (Array.isArray(answer) ? answer : answer?.items || []).filter((x) => !x.status || x.status === 'approved');
    listEl.replaceChildren(...templates.map((tpl) => h('li', {
      role: 'option', tabindex: '0', class: 'template-item', dataset: {id: tpl.id}, aria: {selected: 'false'},
      onclick: () => choose(tpl),
      onkeydown: (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), choose(tpl)),
    }, h('strong', {}, tpl.name), h('span', {class: 'muted small'}, ` · ${tpl.language}`), h('p', {class: 'template-body'}, tpl.body))));
    if (!templates.length) listEl.append(h('li', {class: 'muted'}, t('no_templates')));
  }

  sendBtn.addEventListener('click', async (e) => {
    e.preventDefault();
    if (!chosen) return;
    const parameters = [...paramsEl.querySelectorAll('input')].map((i) => i.value.trim());
    sendBtn.disabled = true;
    try {
      await onSend({name: chosen.name, language: chosen.language, parameters}, previewEl.textContent);
      dialog.close();
    } catch (err) {
      toast(err.message || t('action_failed'), 'error');
    } finally {
      sendBtn.disabled = false;
    }
  });
  return {open};
}
