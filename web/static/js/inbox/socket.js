// The Socket.IO connection. The server puts this browser in its rooms from the session (role, teams);
// all the page does is say which conversation is open and when the agent types. After a drop, the
// `onReconnect` callback lets the page catch up on what it missed. When the session ends (logout in
// another tab, password changed elsewhere, idle timeout) the server disconnects this socket; the page
// reloads, which takes it to the login page. When only the agent's access changed, it reconnects and the
// server gives it the rooms it now has.
/* global io */

import {leaveOnce} from './leave.js';

const RELOAD_GUARD_MS = 60000; // a refused socket reloads the page at most this often (no reload loop)

function reloadOnce() {
  const last = Number(sessionStorage.getItem('niochat.socketReloadAt') || 0);
  if (Date.now() - last < RELOAD_GUARD_MS) return;
  leaveOnce(() => {
    sessionStorage.setItem('niochat.socketReloadAt', String(Date.now()));
    window.location.reload();
  });
}

const TYPING_REPEAT_MS = 2500; // re-announce while typing (the server relays at most every 2 s)
const TYPING_IDLE_MS = 4000; // no keystroke for this long: stopped typing

export function createSocket({onEvent, onReconnect, onStatus}) {
  const socket = io({transports: ['websocket', 'polling'], reconnectionDelayMax: 8000});
  let joined = null;
  let ready = false; // the server confirmed the join: typing sent before that would be dropped
  let everConnected = false;
  let typingSentAt = 0;
  let lastKeyAt = 0;
  let typingTimer = null;

  function requestJoin(conversationId) {
    ready = false;
    return new Promise((resolve) => {
      socket.timeout(8000).emit('join_conversation', {conversation_id: conversationId}, (err, ack) => {
        const answer = err ? {ok: false, error: 'timeout'} : ack;
        if (answer?.ok && joined === conversationId) {
          ready = true;
          document.getElementById('chat')?.setAttribute('data-joined', String(conversationId));
          if (Date.now() - lastKeyAt < TYPING_IDLE_MS) announceTyping(); // typed while joining
        }
        resolve(answer);
      });
    });
  }

  function announceTyping() {
    typingSentAt = Date.now();
    socket.emit('typing', {conversation_id: joined, typing: true});
  }

  socket.on('connect', () => {
    onStatus(true);
    if (joined != null) requestJoin(joined);
    if (everConnected) onReconnect();
    everConnected = true;
  });
  let ended = null; // the server's last word before it disconnected us: {reconnect}
  socket.on('session.ended', (data) => {
    ended = data || {};
  });
  socket.on('disconnect', (reason) => {
    ready = false;
    onStatus(false);
    if (reason !== 'io server disconnect') return; // the client reconnects by itself
    const notice = ended;
    ended = null;
    if (notice && !notice.reconnect) reloadOnce();
    else socket.connect(); // rooms recomputed from the session as it is now; refused if it ended
  });
  socket.on('connect_error', (err) => {
    onStatus(false);
    if (err && err.message === 'unauthorized') reloadOnce(); // the session ended or expired
  });
  // The browser says the network is back: reconnect now rather than at the end of the backoff
  // (up to 8 s), so replies held offline and the catch-up do not wait for it.
  window.addEventListener('online', () => {
    if (socket.connected) return;
    socket.disconnect();
    socket.connect();
  });
  for (const name of ['message.created', 'message.updated', 'message.status', 'conversation.created',
    'conversation.updated', 'inbox.connection', 'typing', 'user.availability', 'contact.updated',
    'csat.alert']) {
    socket.on(name, (data) => onEvent(name, data));
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    lastKeyAt = 0;
    if (typingSentAt && joined != null && ready) socket.emit('typing', {conversation_id: joined, typing: false});
    typingSentAt = 0;
  }

  return {
    /** Resolves with the server's answer: {ok: true} or {ok: false, error}. */
    join(conversationId) {
      stopTyping();
      joined = conversationId;
      document.getElementById('chat')?.removeAttribute('data-joined');
      if (!socket.connected) return Promise.resolve({ok: false, error: 'offline'}); // joins on connect
      return requestJoin(conversationId);
    },
    leave() {
      stopTyping();
      joined = null;
      ready = false;
      if (socket.connected) socket.emit('leave_conversation', {});
    },
    typing() {
      if (joined == null) return;
      lastKeyAt = Date.now();
      if (ready && socket.connected && lastKeyAt - typingSentAt > TYPING_REPEAT_MS) announceTyping();
      clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
    },
    stopTyping,
    get connected() {
      return socket.connected;
    },
  };
}
