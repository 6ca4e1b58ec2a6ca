// The open conversation: its history (newest page first, older pages as the agent scrolls up), live
// messages and status changes, the sender's own messages shown at once and replaced by the server's
// copy (matched by client_key), conversation events in the flow, and "… está digitando".
import {$, h, t} from './dom.js';
import {dayKey, dayLabel} from './format.js';
import {eventNode, messageNode, signature} from './message.js';

const PAGE = 50;
const TYPING_SHOW_MS = 6000;

export function createChat({api, lookups, onReplyTo, onRetry}) {
  const scroller = $('#chat-scroll');
  const timeline = $('#chat-timeline');
  const typingEl = $('#chat-typing');
  const jump = $('#chat-jump');
  let generations = 0; // a newer open() makes answers for the previous conversation stale
  let s = blank(null);

  function blank(id) {
    generations += 1;
    return {id, messages: new Map(), locals: new Map(), events: [], cursor: null, loadingOlder: false,
      nodes: new Map(), typing: new Map(), generation: generations};
  }

  // --- what a bubble needs to know about the rest of the conversation -----------------------------
  const reactionsByTarget = () => {
    const by = new Map();
    const list = [...s.messages.values()].filter((m) => m.content_type === 'reaction' && m.reply_to_id);
    list.sort((a, b) => a.id - b.id);
    for (const r of list) {
      const who = `${r.direction}:${r.sender_user_id ?? ''}`;
      if (!by.has(r.reply_to_id)) by.set(r.reply_to_id, new Map());
      by.get(r.reply_to_id).set(who, r.payload?.emoji || '');
    }
    return by;
  };
  let reactionCache = null;
  const ctx = {
    message: (id) => s.messages.get(id),
    reactions: (id) => [...new Set((reactionCache?.get(id) || new Map()).values())].filter(Boolean).join(' '),
    agentName: (id) => lookups.agentName(id),
    replyTo: (m) => onReplyTo(m),
    retry: (m) => onRetry(m),
    scrollTo: (id) => $(`#msg-${id}`)?.scrollIntoView({block: 'center', behavior: 'smooth'}),
    openImage,
  };

  // --- rendering ---------------------------------------------------------------------------------
  /** Messages, the sender's pending ones and events, in time order (ids break ties). */
  function items() {
    const all = [];
    const add = (key, at, order, fields) => all.push({key, at, time: Date.parse(at) || 0, order, ...fields});
    for (const m of s.messages.values()) if (m.content_type !== 'reaction') add(`m${m.id}`, m.created_at, m.id, {m});
    for (const m of s.locals.values()) add(`l${m.client_key}`, m.created_at, Infinity, {m});
    for (const e of s.events) add(`e${e.id}`, e.created_at, 0, {e});
    return all.sort((a, b) => a.time - b.time || a.order - b.order);
  }

  function render({keepBottom} = {}) {
    const atBottom = keepBottom ?? nearBottom();
    reactionCache = reactionsByTarget();
    const nodes = [];
    const used = new Map();
    let day = null;
    for (const item of items()) {
      const itemDay = dayKey(item.at);
      if (itemDay !== day) {
        day = itemDay;
        nodes.push(h('div', {class: 'day-sep', role: 'separator'}, h('span', {}, dayLabel(item.at))));
      }
      const sig = item.m ? signature(item.m, ctx) : `${item.e.id}`;
      let cached = s.nodes.get(item.key);
      if (!cached || cached.sig !== sig) {
        const node = item.m ? messageNode(item.m, ctx) : eventNode(item.e);
        cached = {sig, node};
      }
      used.set(item.key, cached);
      if (cached.node) nodes.push(cached.node);
    }
    s.nodes = used;
    if (s.cursor) nodes.unshift(h('div', {class: 'history-more'}, t(s.loadingOlder ? 'loading' : 'scroll_for_older')));
    timeline.replaceChildren(...nodes);
    if (atBottom) scrollToBottom();
    updateJump();
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }
  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }
  function updateJump() {
    jump.hidden = nearBottom();
  }

  // --- loading -----------------------------------------------------------------------------------
  async function open(id) {
    s = blank(id);
    const generation = s.generation;
    timeline.replaceChildren(h('div', {class: 'chat-loading'}, t('loading')));
    typingEl.textContent = '';
    const [page, events] = await Promise.all([
      api.get(`/conversations/${id}/messages`, {limit: PAGE}),
      api.get(`/conversations/${id}/events`).catch(() => []),
    ]);
    if (generation !== s.generation) return;
    for (const m of page.items) s.messages.set(m.id, m);
    s.cursor = page.next_cursor || null;
    s.events = Array.isArray(events) ? events : events?.items || [];
    render({keepBottom: true});
    if (s.cursor && scroller.scrollHeight <= scroller.clientHeight) loadOlder(); // nothing to scroll yet
    // Images load after the first layout: keep the newest message in view while they do.
    timeline.querySelectorAll('img').forEach((img) => img.addEventListener('load', () => {
      if (nearBottom() || scroller.scrollTop === 0) scrollToBottom();
    }, {once: true}));
  }

  async function loadOlder() {
    if (!s.cursor || s.loadingOlder) return;
    const generation = s.generation;
    s.loadingOlder = true;
    try {
      const page = await api.get(`/conversations/${s.id}/messages`, {before: s.cursor, limit: PAGE}).catch(() => null);
      if (!page || generation !== s.generation) return; // offline: the next scroll asks again
      const before = scroller.scrollHeight;
      for (const m of page.items) s.messages.set(m.id, m);
      s.cursor = page.next_cursor || null;
      s.loadingOlder = false;
      render({keepBottom: false});
      scroller.scrollTop += scroller.scrollHeight - before; // the message being read stays put
    } finally {
      s.loadingOlder = false;
    }
  }

  /** After a reconnect: everything newer than the newest message we have, then the newest page again
   * for what changed meanwhile on messages we already show (delivery ticks, media that arrived). */
  async function catchUp() {
    if (s.id == null) return;
    const generation = s.generation;
    for (let round = 0; round < 20; round += 1) {
      const last = Math.max(0, ...s.messages.keys());
      const page = await api.get(`/conversations/${s.id}/messages`, {after: last, limit: PAGE});
      if (generation !== s.generation) return;
      page.items.forEach(put);
      if (page.items.length < PAGE) break;
    }
    const newest = await api.get(`/conversations/${s.id}/messages`, {limit: PAGE});
    if (generation !== s.generation) return;
    newest.items.forEach(put);
    await refreshEvents();
    render();
  }

  async function refreshEvents() {
    if (s.id == null) return;
    const id = s.id;
    const events = await api.get(`/conversations/${id}/events`).catch(() => null);
    if (events && id === s.id) {
      s.events = Array.isArray(events) ? events : events.items || [];
      render();
    }
  }

  // --- live --------------------------------------------------------------------------------------
  const RANK = {pending: 0, sent: 1, delivered: 2, read: 3};
  function put(m) {
    const existing = s.messages.get(m.id);
    let merged = existing ? {...existing, ...m} : m;
    // Statuses only move forward (as on the server): a page fetched before a live "read" must not undo
    // it. "failed" is the server's word either way (a doubtful send can be confirmed later).
    if (existing && RANK[existing.status] > RANK[m.status]) merged = {...merged, status: existing.status};
    s.messages.set(m.id, merged);
    if (m.client_key) s.locals.delete(m.client_key); // our own send came back: one bubble, not two
  }

  function onMessage(m) {
    if (m.conversation_id !== s.id) return false;
    const mine = m.client_key && s.locals.has(m.client_key);
    put(m);
    render({keepBottom: mine || nearBottom()});
    if (m.sender_user_id && s.typing.has(m.sender_user_id)) onTyping({conversation_id: s.id, user_id: m.sender_user_id, typing: false});
    return true;
  }

  /** The POST answered: whatever the server's copy says, the optimistic one with this key is done. */
  function resolveLocal(clientKey, m) {
    s.locals.delete(clientKey);
    if (!onMessage(m)) render();
  }

  function addLocal(m) {
    s.locals.set(m.client_key, m);
    render({keepBottom: true});
  }

  /** `retryable`: a later try may work (the server was down or busy), so "Tentar de novo" is offered. */
  function failLocal(clientKey, reason, retryable = false) {
    const m = s.locals.get(clientKey);
    if (m) {
      s.locals.set(clientKey, {...m, _failed: reason || t('send_failed_unknown'), _retryable: retryable, _held: false});
      render();
    }
  }

  /** No network: the message waits ("pendente") and is sent when the network is back. */
  function holdLocal(clientKey) {
    const m = s.locals.get(clientKey);
    if (m) {
      s.locals.set(clientKey, {...m, _held: true});
      render();
    }
  }

  function onTyping(data) {
    if (data.conversation_id !== s.id) return;
    clearTimeout(s.typing.get(data.user_id)?.timer);
    if (data.typing) {
      const timer = setTimeout(() => {
        s.typing.delete(data.user_id);
        showTyping();
      }, TYPING_SHOW_MS);
      s.typing.set(data.user_id, {name: data.name, timer});
    } else {
      s.typing.delete(data.user_id);
    }
    showTyping();
  }
  function showTyping() {
    const names = [...s.typing.values()].map((x) => x.name);
    typingEl.textContent = names.length ? t(names.length > 1 ? 'typing_many' : 'typing', {name: names.join(', ')}) : '';
  }

  // --- image viewer ------------------------------------------------------------------------------
  function openImage(url, name) {
    const dialog = $('#image-dialog');
    const img = $('#image-dialog img');
    img.src = url;
    img.alt = name || t('media_image');
    $('#image-dialog a').href = url;
    dialog.showModal();
  }
  $('#image-dialog').addEventListener('click', (e) => {
    if (e.target.id === 'image-dialog' || e.target.closest('[data-close]')) $('#image-dialog').close();
  });

  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < 120) loadOlder();
    updateJump();
  });
  jump.addEventListener('click', () => scrollToBottom());

  return {
    open, catchUp, refreshEvents, onMessage, addLocal, resolveLocal, failLocal, holdLocal, onTyping,
    close() {
      for (const {timer} of s.typing.values()) clearTimeout(timer);
      s = blank(null);
      timeline.replaceChildren();
      typingEl.textContent = '';
    },
    get id() {
      return s.id;
    },
    lastMessage: () => s.messages.get(Math.max(0, ...s.messages.keys())),
    message: (id) => s.messages.get(id),
  };
}
