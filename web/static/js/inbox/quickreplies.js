// Quick replies: typing "/" and a shortcut opens a list filtered by the server (GET /quick-replies?q=);
// arrows move, Enter or Tab picks, Esc closes. The picked reply replaces the "/shortcut" typed.
import {$, debounce, h, t} from './dom.js';

const TOKEN = /(^|\s)\/([\p{L}\p{N}_-]*)$/u;

export function createQuickReplies({api, textarea, onPicked}) {
  const list = $('#quick-replies');
  let items = [];
  let active = 0;
  let token = null; // {start, end} of "/shortcut" in the textarea

  const isOpen = () => !list.hidden;
  function close() {
    list.hidden = true;
    items = [];
    token = null;
    textarea.removeAttribute('aria-activedescendant');
    textarea.setAttribute('aria-expanded', 'false');
  }

  function render() {
    list.replaceChildren(...items.map((qr, i) => h('li', {
      id: `qr-${qr.id}`, role: 'option', class: `qr-item${i === active ? ' active' : ''}`,
      aria: {selected: String(i === active)},
      onmousedown: (e) => {
        e.preventDefault(); // keep the focus in the textarea
        pick(i);
      },
    }, h('strong', {}, `/${qr.shortcut}`), h('span', {class: 'qr-title'}, qr.title || ''),
    h('span', {class: 'qr-content'}, qr.content))));
    if (!items.length) list.append(h('li', {class: 'qr-empty'}, t('no_quick_replies')));
    list.hidden = false;
    textarea.setAttribute('aria-expanded', 'true');
    if (items[active]) textarea.setAttribute('aria-activedescendant', `qr-${items[active].id}`);
    list.querySelector('.active')?.scrollIntoView({block: 'nearest'});
  }

  const search = debounce(async (query) => {
    const answer = await api.get('/quick-replies', {q: query}).catch(() => null);
    if (token == null) return;
    items = Array.isArray(answer) ? answer : answer?.items || [];
    active = 0;
    render();
  }, 120);

  function pick(index) {
    const qr = items[index];
    if (!qr || token == null) return;
    const value = textarea.value;
    textarea.value = value.slice(0, token.start) + qr.content + value.slice(token.end);
    const caret = token.start + qr.content.length;
    textarea.setSelectionRange(caret, caret);
    close();
    onPicked?.();
  }

  textarea.setAttribute('aria-controls', 'quick-replies');
  textarea.setAttribute('aria-autocomplete', 'list');
  textarea.addEventListener('input', () => {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = TOKEN.exec(before);
    if (!match) return close();
    token = {start: before.length - match[2].length - 1, end: textarea.selectionStart};
    search(match[2]);
  });
  // Closed a moment after the box loses the focus (a click on an item lands first), unless the focus came
  // back meanwhile: re-rendering the chat moves it away and back, and the agent's "/ola" must survive that.
  textarea.addEventListener('blur', () => setTimeout(() => {
    if (document.activeElement !== textarea) close();
  }, 150));

  /** Called by the composer's keydown first: true when the key was for the list. */
  function handleKey(e) {
    if (!isOpen()) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!items.length) return true;
      active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      render();
    } else if ((e.key === 'Enter' || e.key === 'Tab') && items.length) {
      pick(active);
    } else if (e.key === 'Escape') {
      close();
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  }
  return {handleKey, close};
}
