// What happens to a message after the agent sends it: shown at once (the optimistic copy, matched to the
// server's by client_key), sent, and on failure either held or failed. Without network it waits in the
// thread as "pendente" and is sent when the network is back, once each and in the order typed; the
// client_key makes a request that did reach the server before the drop come back as the message already
// stored, never a second one. "Tentar de novo" only where a retry can help: for the page's own requests
// when the server was down or busy, for the server's failed sends when it says so (error.retryable).
import {t, toast} from './dom.js';

/** A failed request a later try may fix: the server was down, slow or busy (not a refusal). */
const transient = (err) => err?.status === 0 || err?.status === 408 || err?.status === 429 || err?.status >= 500;

export function createDelivery({api, chat, onSent}) {
  const waiting = []; // {local, request} typed while offline, oldest first
  let flushing = false;

  const offline = () => navigator.onLine === false;

  async function deliver(local, request) {
    chat.addLocal(local);
    if (offline() || waiting.length) { // after those already waiting, in the order typed
      hold(local, request);
      flush();
      return;
    }
    try {
      done(local, await request());
    } catch (err) {
      if (err.status === 0) hold(local, request);
      else fail(local, err);
    }
  }

  function done(local, message) {
    chat.resolveLocal(local.client_key, message);
    onSent?.(message);
  }

  function fail(local, err) {
    chat.failLocal(local.client_key, err.message || t('send_failed_unknown'), transient(err));
  }

  /** No network: the message waits in the thread ("pendente") and leaves when the network is back. */
  function hold(local, request) {
    waiting.push({local, request});
    chat.holdLocal(local.client_key);
  }

  /** Back online: each waiting message once, in order. Its client_key makes the server answer a request
   * that had in fact arrived before the network dropped with the message already stored (no double). */
  async function flush() {
    if (flushing || offline()) return;
    flushing = true;
    try {
      while (waiting.length && !offline()) {
        const {local, request} = waiting[0];
        try {
          const message = await request();
          waiting.shift();
          done(local, message);
        } catch (err) {
          if (err.status === 0) break; // still no network: wait for the next reconnect
          waiting.shift();
          fail(local, err);
        }
      }
    } finally {
      flushing = false;
    }
  }

  /** "Tentar de novo", offered only for failures a retry can fix. A local message is requested again
   * with the same client_key (a send that did reach the server is not doubled); a message the server
   * failed (error.retryable) is put back in its send queue. */
  function retry(m) {
    if (m._local) {
      if (m._retry) deliver({...m, _failed: null, _retryable: false}, m._retry);
      return;
    }
    if (!m.id || !m.error?.retryable) return;
    api.post(`/conversations/${m.conversation_id}/messages/${m.id}/retry`)
      .then((message) => chat.onMessage(message))
      .catch((err) => toast(err.message || t('send_failed_unknown'), 'error'));
  }

  window.addEventListener('online', () => flush());
  return {deliver, flush, retry};
}
