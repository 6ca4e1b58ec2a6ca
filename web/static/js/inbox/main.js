// The inbox page: reads what the server embedded (user, tenant, strings), loads the lookups (teams,
// agents, labels, inboxes), and wires the list, the open conversation, the reply box, the contact panel
// and the socket together. The open conversation lives in the URL (#/c/123): reload and back work.
import {$, debounce, icon, loadStrings, t, toast} from './dom.js';
import {contactName, preview, setTimezone} from './format.js';
import {createApi} from './api.js';
import {createSocket} from './socket.js';
import {createList} from './list.js';
import {createChat} from './chat.js';
import {createComposer} from './composer.js';
import {createActions} from './actions.js';
import {createContactPanel} from './contact.js';
import {initNotify, notifyInbound} from './notify.js';
import {createKeyboard} from './keyboard.js';
import {createLayers} from './layers.js';
import {initAvailability} from './availability.js';
import {createCsatAlerts, createCsatPanel} from './csat.js';

const boot = JSON.parse($('#inbox-boot').textContent);
loadStrings(JSON.parse($('#inbox-strings').textContent));
setTimezone(boot.tenant.timezone);
const me = boot.user;
const api = createApi(boot.api);

const items = (answer) => (Array.isArray(answer) ? answer : answer?.items || []);
async function loadLookups() {
  const [teams, agents, labels, inboxes] = await Promise.all(
    ['/teams', '/agents', '/labels', '/inboxes'].map((path) => api.get(path).then(items).catch(() => [])));
  const names = (list) => new Map(list.map((x) => [x.id, x.name]));
  const agentNames = names(agents);
  const teamNames = names(teams);
  return {teams, agents, labels, inboxes, agentName: (id) => agentNames.get(id) || (id === me.id ? me.name : null),
    teamName: (id) => teamNames.get(id) || null};
}

async function start() {
  document.querySelectorAll('[data-icon]').forEach((el) => el.prepend(icon(el.dataset.icon)));
  initNotify();
  const lookups = await loadLookups();
  let detail = null;

  const list = createList({api, me, lookups, sla: boot.tenant.sla_first_response_minutes, onOpen: (id) => go(id)});
  const contact = createContactPanel({api, lookups, onOpenConversation: (id) => go(id),
    onConversationChanged: (id, answer) => changed(id, answer), onSaved: (saved) => {
    if (detail?.contact?.id !== saved.id) return;
    show({...detail, contact: saved});
    list.upsert(detail);
  }});
  const chat = createChat({api, lookups, onReplyTo: (m) => composer.replyTo(m), onRetry: (m) => composer.retry(m)});
  const actions = createActions({api, me, lookups, onChanged: changed, onToggleContact: () => contact.toggle(),
    beforeUnread: settleRead,
    onMarkedUnread: (id) => { closeChat(); list.markUnread(id); }});
  const availability = initAvailability({api, me, lookups});
  const csatAlerts = createCsatAlerts({me, onOpen: (id) => go(id)});
  const csatPanel = createCsatPanel({api});
  const socket = createSocket({onEvent, onReconnect: catchUp, onStatus: showConnection});
  const composer = createComposer({api, chat, socket, me, limits: boot.channel_limits, onTake: () => actions.take(),
    onSent: (m) => detail && list.upsert({...detail}, {message: m})});

  let focusComposer = true; // not when opened by j/k: the next j/k would be typed into the reply box
  function go(id, {focus = true} = {}) {
    focusComposer = focus;
    if (location.hash !== `#/c/${id}`) location.hash = `#/c/${id}`;
    else open(id).catch(() => {});
  }

  let opening = 0; // the last conversation asked for wins over slower answers for earlier ones
  async function open(id) {
    if (chat.id === id) return;
    const focus = focusComposer;
    focusComposer = true;
    const token = ++opening;
    delete $('#chat').dataset.opened;
    list.select(id);
    document.body.classList.add('has-chat');
    $('#chat-empty').hidden = true;
    $('#chat').hidden = false;
    const loaded = await loadDetail(id, {fresh: true, token});
    if (!loaded || token !== opening) return;
    socket.join(id).then((ack) => ack?.ok === false && ack.error === 'forbidden' && toast(t('no_access'), 'error'));
    await chat.open(id);
    if (token !== opening) return;
    markRead(id);
    if (focus) composer.focus();
    $('#chat').dataset.opened = String(id); // loaded and focused: what keyboard users (and tests) wait for
  }

  async function loadDetail(id, {fresh = false, token = null} = {}) {
    try {
      const next = await api.get(`/conversations/${id}`);
      if (fresh ? token !== opening : chat.id !== id) return false;
      show(next, {fresh});
      return true;
    } catch (err) {
      if (fresh && token !== opening) return false;
      if (err.status === 404 || err.status === 403) {
        toast(t(fresh ? 'conversation_not_found' : 'conversation_gone'), fresh ? 'error' : 'info');
        closeChat();
        return false;
      }
      throw err;
    }
  }

  function show(next, {fresh = false} = {}) {
    detail = next;
    actions.render(detail);
    composer.setDetail(detail, {fresh});
    contact.show(detail, {refetch: fresh});
    if (fresh) csatPanel.show(detail);
  }

  function closeChat() {
    delete $('#chat').dataset.opened;
    socket.leave();
    chat.close();
    contact.clear();
    csatPanel.clear();
    detail = null;
    list.select(null);
    composer.setDetail(null, {fresh: true});
    $('#chat').hidden = true;
    $('#chat-empty').hidden = false;
    document.body.classList.remove('has-chat');
    if (location.hash) history.replaceState(null, '', location.pathname);
  }

  let reading = Promise.resolve();
  const markRead = debounce((id) => {
    if (document.hidden || chat.id !== id) return;
    list.markRead(id);
    reading = api.post(`/conversations/${id}/read`).catch(() => {});
  }, 400);

  /** Before "Marcar como não lida": a read mark still waiting or in flight would land after it and undo it. */
  async function settleRead() {
    markRead.cancel();
    await reading;
  }

  /** After an action: its answer is the conversation as it is now (allowed actions included). */
  async function changed(id, answer) {
    if (answer && answer.id === id && !list.canView(answer)) return lost(answer);
    if (answer?.allowed_actions && answer.id === id && chat.id === id) show(answer);
    else await loadDetail(id);
    if (detail) list.upsert(detail);
    chat.refreshEvents();
  }
  /** The open conversation left this user's sight (transferred to another team or agent). */
  function lost(conv) {
    list.upsert(conv);
    if (chat.id !== conv.id) return;
    closeChat();
    toast(t('conversation_gone'), 'info');
  }
  const refreshOpen = debounce((id) => chat.id === id && changed(id).catch(() => {}), 250);

  function onEvent(name, data) {
    if (name === 'typing') return chat.onTyping(data);
    if (name === 'user.availability') return availability.onEvent(data);
    if (name === 'contact.updated') return contact.onContactUpdated(data);
    if (name === 'csat.alert') return csatAlerts.onAlert(data);
    if (name === 'inbox.connection') {
      if (data.state !== 'open') toast(t('inbox_disconnected'), 'error');
      return;
    }
    const conv = data.conversation;
    const message = data.message;
    contact.onConversation(conv);
    if (name === 'message.created') {
      const inbound = message.direction === 'inbound';
      list.upsert(conv, {message, inbound});
      if (chat.onMessage(message) && inbound) markRead(conv.id);
      if (chat.id === conv.id && (detail?.snoozed_until ?? null) !== conv.snoozed_until) refreshOpen(conv.id); // woke
      if (chat.id === conv.id && detail && JSON.stringify(detail.ai) !== JSON.stringify(conv.ai)) {
        detail = {...detail, ai: conv.ai}; // the AI's reply carries what it did: the header follows
        actions.render(detail);
      }
      if (inbound && conv.assignee_id === me.id) {
        notifyInbound({title: contactName(conv.contact), body: preview(message), onClick: () => go(conv.id)});
      }
    } else if (name === 'message.updated' || name === 'message.status') {
      chat.onMessage(message);
    } else if (name === 'conversation.created' || name === 'conversation.updated') {
      list.upsert(conv);
      if (chat.id === conv.id && !list.canView(conv)) lost(conv);
      else if (chat.id === conv.id) refreshOpen(conv.id);
    }
  }

  async function catchUp() {
    composer.flush(); // replies typed while the server was unreachable leave first
    await list.load().catch(() => {});
    const wanted = /^#\/c\/(\d+)$/.exec(location.hash);
    if (wanted && Number(wanted[1]) !== chat.id) return route(); // asked for while offline
    if (chat.id != null) {
      await loadDetail(chat.id).catch(() => {});
      await chat.catchUp().catch(() => {});
    }
  }

  function showConnection(online) {
    $('#conn-status').hidden = online;
  }

  function route() {
    const match = /^#\/c\/(\d+)$/.exec(location.hash);
    // Offline, opening fails (the banner says why); the reconnect opens it (catchUp).
    if (match) open(Number(match[1])).catch(() => {});
    else if (chat.id != null) closeChat();
  }
  window.addEventListener('hashchange', route);
  document.addEventListener('visibilitychange', () => !document.hidden && chat.id != null && markRead(chat.id));
  createLayers({closeChat, chatOpen: () => chat.id != null});
  createKeyboard({open: (id) => go(id, {focus: false}), showList: closeChat});
  $('#chat-back').addEventListener('click', () => closeChat());

  await list.load();
  route();
  document.body.classList.add('inbox-ready');
}

start().catch((err) => {
  console.error(err);
  toast(t('load_failed'), 'error');
});
