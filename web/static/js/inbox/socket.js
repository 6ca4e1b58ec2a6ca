// The Socket.IO connection. The server puts this browser in its rooms from the session (role, teams);
// all the page does is say which conversation is open and when the agent types. After a drop, the
// `onReconnect` callback lets the page catch up on what it missed.
/* global io */

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
  socket.on('disconnect', () => {
    ready = false;
    onStatus(false);
  });
  socket.on('connect_error', () => onStatus(false));
  for (const name of ['message.created', 'message.updated', 'message.status', 'conversation.created',
    'conversation.updated', 'inbox.connection', 'typing']) {
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
