// Keyboard shortcuts, chosen like Gmail's and Chatwoot's so agents coming from either feel at home, and
// the "?" overlay that lists them (docs/inbox.md has the same table). Single keys never fire while the
// agent types in a field — there they are text; the Alt+ forms work everywhere. Nothing fires under an
// open dialog: it is modal, and its own keys (Esc, Enter) belong to it.
import {$} from './dom.js';

/** What each key does. `alt`: Alt+key (by physical key for letters: Alt+E is a dead key on a Mac). */
const KEYS = [
  {key: 'j', command: 'next'},
  {key: 'ArrowDown', alt: true, command: 'next'},
  {key: 'k', command: 'previous'},
  {key: 'ArrowUp', alt: true, command: 'previous'},
  {key: '/', command: 'search'},
  {key: 'a', command: 'take'},
  {key: 'e', command: 'close'},
  {code: 'KeyE', alt: true, command: 'close'},
  {key: '?', command: 'help'},
];

/** Where keystrokes are text (or, in a select, pick an option): single-key shortcuts keep out. */
function typingIn(el) {
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function commandFor(e) {
  if (e.ctrlKey || e.metaKey || e.isComposing || e.defaultPrevented) return null;
  if (e.altKey && e.target?.tagName === 'SELECT') return null; // Alt+↓ opens a select's options
  if (!e.altKey && typingIn(e.target)) return null;
  const match = KEYS.find((k) => !!k.alt === e.altKey && (k.code ? k.code === e.code : k.key === e.key));
  return match?.command ?? null;
}

/**
 * `open(id)` opens a conversation without moving the focus (so j/k can be pressed again); `showList()`
 * brings the list back where the conversation hides it (narrow screens).
 */
export function createKeyboard({open, showList}) {
  const help = $('#shortcuts-dialog');
  let returnFocus = null;

  /**
   * The conversation `step` places below (1) or above (-1) the selected one, in the list as shown. The
   * list marks a conversation the moment it is asked for, so quick presses step on from the last one.
   */
  function move(step) {
    const links = [...document.querySelectorAll('#conv-list a.conv-item')];
    if (!links.length) return;
    const at = links.findIndex((a) => a.getAttribute('aria-current') === 'true');
    const target = at < 0 ? links[step > 0 ? 0 : links.length - 1] : links[at + step];
    if (!target) return;
    target.scrollIntoView({block: 'nearest'});
    open(Number(target.dataset.id));
  }

  function focusSearch() {
    const search = $('#conv-search');
    if (!search.checkVisibility()) showList(); // a narrow screen shows the chat instead of the list
    search.focus();
    search.select();
  }

  /** The header's own buttons: the same checks, the same confirmation as a click. */
  const press = (selector) => {
    const button = $(selector);
    if (button && !button.disabled && button.checkVisibility()) button.click();
  };

  function openHelp() {
    if (help.open) return;
    returnFocus = document.activeElement;
    help.showModal();
  }

  const commands = {
    next: () => move(1),
    previous: () => move(-1),
    search: focusSearch,
    take: () => press('#action-take'),
    close: () => press('#action-close'),
    help: openHelp,
  };

  document.addEventListener('keydown', (e) => {
    if (document.querySelector('dialog[open]')) return;
    const command = commandFor(e);
    if (!command || (e.repeat && command !== 'next' && command !== 'previous')) return;
    e.preventDefault();
    commands[command]();
  });

  // A modal <dialog> already keeps the page inert and closes on Esc; Tab also wraps inside it, so the
  // focus never leaves for the browser's toolbar, and comes back where it was when the overlay closes.
  help.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const stops = [...help.querySelectorAll('button, [href], [tabindex]:not([tabindex="-1"])')];
    const index = stops.indexOf(document.activeElement);
    const next = stops[(index + (e.shiftKey ? stops.length - 1 : 1)) % stops.length];
    e.preventDefault();
    next?.focus();
  });
  help.addEventListener('click', (e) => {
    const box = help.getBoundingClientRect();
    const outside = e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom;
    if ((e.target === help && outside) || e.target.closest('[data-close]')) help.close(); // the backdrop, or "Fechar"
  });
  help.addEventListener('close', () => {
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  });
  $('#shortcuts-open')?.addEventListener('click', openHelp);
}
