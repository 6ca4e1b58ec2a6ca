// A small built-in emoji picker: the faces and gestures agents actually use with customers.
import {h, t} from './dom.js';

const EMOJIS = [
  '😀', '😃', '😄', '😁', '😊', '🙂', '😉', '😍', '😘', '😅', '😂', '🤣', '😇', '🤗', '🤔', '😐',
  '😕', '😢', '😭', '😡', '😱', '😴', '🙄', '😬', '👍', '👎', '👏', '🙏', '👋', '🤝', '💪', '👌',
  '✅', '❌', '⚠️', '❗', '❓', '⏰', '📅', '📞', '📱', '💻', '📶', '🔌', '💰', '💳', '🧾', '📄',
  '❤️', '💙', '💚', '⭐', '🎉', '🔥', '🚀', '🛠️',
];

/** Toggle the picker under `button`; `onPick(emoji)` inserts it. Esc or a click outside closes it. */
export function createEmojiPicker(button, onPick) {
  const panel = h('div', {class: 'emoji-panel', role: 'dialog', aria: {label: t('emoji')}, hidden: true},
    EMOJIS.map((emoji) => h('button', {type: 'button', class: 'emoji', aria: {label: emoji},
      onclick: () => {
        onPick(emoji);
        close();
      }}, emoji)));
  button.after(panel);

  function close() {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }
  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    panel.querySelector('button')?.focus();
  }
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-expanded', 'false');
  button.addEventListener('click', () => (panel.hidden ? open() : close()));
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      close();
      button.focus();
    }
    const buttons = [...panel.querySelectorAll('button')];
    const index = buttons.indexOf(document.activeElement);
    const step = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8}[e.key];
    if (step && buttons[index + step]) {
      e.preventDefault();
      buttons[index + step].focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !panel.contains(e.target) && !button.contains(e.target)) close();
  });
  return {close};
}
