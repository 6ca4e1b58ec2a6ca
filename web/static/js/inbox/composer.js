// The reply box: Enter sends and Shift+Enter breaks the line, like WhatsApp Web; emoji, attachments
// (file picker or pasted image), quick replies with "/", internal notes, quoting a message, and Meta
// templates when the 24-hour window is closed. Every send shows at once and carries a client_key, so
// the server's copy replaces it and a retried request never sends twice.
//
// A note is only text and only for the team: note mode drops an attached file, never uploads one, and
// ends after each note (unless only notes are possible here), so the next reply is not a note by
// accident. The channel's length limit (text or caption, from the page's boot data) shows as a counter
// near the limit, and a reply over it is refused here, before sending. What happens to a message once
// sent (offline queue, retries) is delivery.js.
import {$, h, icon, newKey, t, toast} from './dom.js';
import {fileSize, preview} from './format.js';
import {createEmojiPicker} from './emoji.js';
import {createQuickReplies} from './quickreplies.js';
import {createTemplatePicker} from './templates.js';
import {createDelivery} from './delivery.js';

const MAX_FILE = 16 * 1024 * 1024; // WhatsApp's limit for most media, checked by the API too
const NOTE_MAX = 4096; // notes are never sent: the server's own limit
const DEFAULT_LIMITS = {text: 4096, caption: 1024};
const COUNT_FROM = 0.8; // the counter appears at 80% of the limit
/** Code points, as the server counts (an emoji is one character, not two UTF-16 units). */
const length = (text) => [...text].length;

export function createComposer({api, chat, socket, me, limits = {}, onSent, onTake}) {
  const form = $('#composer');
  const textarea = $('#composer-text');
  const noteBtn = $('#composer-note');
  const fileInput = $('#composer-file-input');
  const filePreview = $('#composer-file');
  const replyPreview = $('#composer-reply');
  const banner = $('#window-banner');
  const blocked = $('#composer-blocked');
  const sendBtn = $('#composer-send');
  const counter = $('#composer-count');
  let detail = null;
  let note = false;
  let forcedNote = false;
  let replyTo = null;
  let file = null;
  const {deliver, flush, retry} = createDelivery({api, chat, onSent});

  const quick = createQuickReplies({api, textarea, onPicked: autosize});
  const templates = createTemplatePicker({api, onSend: sendTemplate});
  createEmojiPicker($('#composer-emoji'), insert);

  // --- state shown in the box -------------------------------------------------------------------
  const can = (action) => !!detail?.allowed_actions?.includes(action);
  function refresh() {
    const windowClosed = detail && detail.window_open === false;
    const mayReply = can('reply') && !windowClosed;
    const mayNote = can('note');
    // Where only notes are possible the box is in note mode, and leaves it once replying is allowed
    // (after "Assumir"), so a reply is never sent as a note by accident, nor the other way round.
    if (!mayReply) {
      note = mayNote;
      forcedNote = mayNote;
    } else if (forcedNote) {
      note = false;
      forcedNote = false;
    }
    form.classList.toggle('note-mode', note);
    noteBtn.setAttribute('aria-pressed', String(note));
    noteBtn.disabled = !(mayReply && mayNote);
    const enabled = note ? mayNote : mayReply;
    textarea.disabled = !enabled;
    sendBtn.disabled = !enabled;
    $('#composer-attach').disabled = note || !mayReply;
    textarea.placeholder = t(note ? 'placeholder_note' : 'placeholder_reply');
    updateCount();
    banner.hidden = !(windowClosed && can('reply'));
    blocked.hidden = can('reply') || !detail || detail.status === 'closed';
    blocked.replaceChildren(...(detail && !can('reply') ? [
      t(can('take') ? 'take_to_reply' : 'cannot_reply'),
      can('take') ? h('button', {type: 'button', class: 'btn btn-primary btn-sm', onclick: onTake}, t('take')) : null,
    ].filter(Boolean) : []));
    form.hidden = !detail;
  }

  function setReply(message) {
    replyTo = message;
    replyPreview.hidden = !message;
    replyPreview.replaceChildren(...(message ? [
      h('span', {class: 'reply-label'}, icon('reply'), t('replying_to')),
      h('span', {class: 'reply-text'}, preview(message)),
      h('button', {type: 'button', class: 'btn-icon', aria: {label: t('cancel_reply')}, onclick: () => setReply(null)}, icon('close')),
    ] : []));
    if (message) textarea.focus();
  }

  function setFile(next, {focus = true} = {}) {
    if (next && next.size > MAX_FILE) {
      toast(t('file_too_big', {max: fileSize(MAX_FILE)}), 'error');
      return;
    }
    if (file?.url) URL.revokeObjectURL(file.url);
    file = next ? {blob: next, url: URL.createObjectURL(next)} : null;
    filePreview.hidden = !file;
    filePreview.replaceChildren(...(file ? [
      next.type.startsWith('image/') ? h('img', {src: file.url, alt: ''}) : icon('file'),
      h('span', {class: 'doc-name'}, next.name || t('pasted_image')),
      h('span', {class: 'doc-size'}, fileSize(next.size)),
      h('button', {type: 'button', class: 'btn-icon', aria: {label: t('remove_file')}, onclick: () => setFile(null)}, icon('close')),
    ] : []));
    fileInput.value = '';
    updateCount();
    if (focus) textarea.focus();
  }

  /** The most this message may hold: a caption is shorter than a text; a note is never sent. */
  function limit() {
    if (note) return NOTE_MAX;
    const channel = {...DEFAULT_LIMITS, ...(limits[detail?.channel] || {})};
    return file ? channel.caption : channel.text;
  }

  function updateCount() {
    const max = limit();
    const count = length(textarea.value.trim());
    const over = count > max;
    counter.hidden = count < max * COUNT_FROM && !over;
    counter.textContent = `${count}/${max}`;
    counter.title = t('char_count', {n: count, max});
    counter.classList.toggle('over', over);
    form.classList.toggle('too-long', over);
  }

  function insert(text) {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    textarea.setRangeText(text, start, end, 'end');
    textarea.focus();
    autosize();
  }

  function autosize() {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 200)}px`;
  }

  // --- sending ----------------------------------------------------------------------------------
  function localMessage(fields) {
    return {id: null, _local: true, conversation_id: detail.id, direction: 'outbound', sender_kind: 'agent',
      sender_user_id: me.id, status: fields.is_private ? null : 'pending', created_at: new Date().toISOString(),
      content_type: 'text', payload: {}, ...fields};
  }

  function send() {
    if (!detail) return;
    const text = textarea.value.trim();
    if (note && file) setFile(null); // a note never carries a file (the server refuses one too)
    if (!text && !file) return;
    if (length(text) > limit()) {
      toast(t(file ? 'caption_too_long' : 'text_too_long', {max: limit()}), 'error');
      return;
    }
    const conversationId = detail.id;
    const clientKey = newKey();
    if (file && !note) {
      const {blob, url} = file;
      const kind = blob.type.split('/')[0];
      const local = localMessage({client_key: clientKey, text: text || null,
        content_type: ['image', 'audio', 'video'].includes(kind) ? kind : 'document',
        media: {url, mime_type: blob.type, size: blob.size, filename: blob.name || 'imagem.png', status: 'ready'}});
      local._retry = () => upload(conversationId, blob, text, clientKey);
      deliver(local, local._retry);
      file = null;
      setFile(null);
    } else {
      const body = {text, private: note, client_key: clientKey};
      if (replyTo) body.reply_to_id = replyTo.id;
      const local = localMessage({client_key: clientKey, text, is_private: note, reply_to_id: replyTo?.id ?? null});
      local._retry = () => api.post(`/conversations/${conversationId}/messages`, body);
      deliver(local, local._retry);
      if (note && !forcedNote) note = false; // one note at a time: the next message is a reply again
    }
    textarea.value = '';
    autosize();
    setReply(null);
    refresh();
    socket.stopTyping();
  }

  function upload(conversationId, blob, caption, clientKey) {
    const data = new FormData();
    data.append('file', blob, blob.name || 'imagem.png');
    if (caption) data.append('text', caption);
    data.append('client_key', clientKey);
    return api.upload(`/conversations/${conversationId}/messages`, data);
  }

  async function sendTemplate(template, text) {
    const clientKey = newKey();
    const conversationId = detail.id;
    const local = localMessage({client_key: clientKey, text, content_type: 'template', payload: {template_name: template.name}});
    local._retry = () => api.post(`/conversations/${conversationId}/messages`, {template, client_key: clientKey});
    await deliver(local, local._retry);
  }

  // --- events -----------------------------------------------------------------------------------
  textarea.addEventListener('keydown', (e) => {
    if (quick.handleKey(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  textarea.addEventListener('input', () => {
    autosize();
    updateCount();
    if (textarea.value.trim()) socket.typing();
  });
  textarea.addEventListener('paste', (e) => {
    const pasted = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith('image/'));
    if (pasted && !$('#composer-attach').disabled) {
      e.preventDefault();
      setFile(pasted);
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  noteBtn.addEventListener('click', () => {
    note = !note;
    if (note && file) {
      setFile(null);
      toast(t('note_file_removed'), 'info');
    }
    refresh();
    textarea.focus();
  });
  $('#composer-attach').addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => fileInput.files[0] && setFile(fileInput.files[0]));
  $('#window-template').addEventListener('click', () => detail && templates.open(detail.inbox_id));

  return {
    /** A conversation was opened or its state changed (allowed actions, 24-hour window). */
    setDetail(next, {fresh = false} = {}) {
      if (fresh) {
        note = false;
        forcedNote = false;
        setReply(null);
        setFile(null, {focus: false}); // opening a conversation decides where the focus goes
        textarea.value = '';
        quick.close();
      }
      detail = next;
      refresh();
    },
    replyTo: setReply,
    retry,
    /** The server is reachable again (socket reconnected): send what waited. */
    flush,
    focus: () => textarea.focus(),
  };
}
