// What lies on top of what, for Esc and for taps outside. Below 1180 px the contact panel is a layer over
// the conversation (a sheet on phones), and one Esc closes exactly one layer, the topmost: a dialog, the
// top bar's menu, the emoji picker or the quick replies, then the contact panel, and only when nothing
// is above it the conversation itself (back to the list). The panel's own code only toggles it; opening
// and closing it as a layer — focus in, focus back, the close button, a tap beside it — lives here.
import {$} from './dom.js';

const OVERLAY = '(max-width: 1180px)'; // as in contact.js and inbox.css: the panel overlays the chat

export function createLayers({closeChat, chatOpen}) {
  const sheetOpen = () => matchMedia(OVERLAY).matches && document.body.classList.contains('contact-shown');

  function closeSheet() {
    document.body.classList.remove('contact-shown');
    const toggle = $('#toggle-contact');
    if (toggle?.checkVisibility()) toggle.focus();
  }

  /** The topmost layer the Esc is for, decided before any handler below has closed its own. */
  function topmost(e) {
    if (document.querySelector('dialog[open]')) return 'dialog'; // native: closes itself
    if (document.querySelector('.topbar.menu-open')) return 'menu'; // topbar.js closes it
    const emoji = document.querySelector('.emoji-panel:not([hidden])');
    if (emoji) return emoji.contains(e.target) ? 'own' : 'emoji'; // emoji.js closes it when focused in it
    if (!$('#quick-replies').hidden) return 'own'; // the reply box closes its list
    if (sheetOpen()) return 'sheet';
    if (chatOpen() && e.target.id !== 'composer-text') return 'chat'; // never lose a reply being typed
    return null;
  }

  // Capture phase: this runs before the handlers of the layers themselves, which close on the same key.
  window.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    const layer = topmost(e);
    if (layer === 'emoji') $('#composer-emoji').click();
    else if (layer === 'sheet') closeSheet();
    else if (layer === 'chat') closeChat();
    else return;
    e.preventDefault();
  }, true);

  // Opening the panel as a layer moves the focus into it (screen readers and keyboards land there).
  $('#chat-header').addEventListener('click', (e) => {
    if (e.target.closest('#toggle-contact') && sheetOpen()) $('#contact-close').focus();
  });
  $('#contact-close').addEventListener('click', closeSheet);
  // A tap on the dimmed conversation beside the sheet closes it (the dimming is .pane-chat::after).
  $('.pane-chat').addEventListener('click', (e) => {
    if (sheetOpen() && e.target === e.currentTarget) closeSheet();
  });
  return {sheetOpen, closeSheet};
}
