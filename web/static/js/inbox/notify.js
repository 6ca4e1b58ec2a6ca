// Getting the agent's attention when the inbox is in the background: a short beep made with WebAudio
// (no sound file), a system notification, and the unread count in the tab title.
import {t} from './dom.js';

let audio = null;
let baseTitle = document.title;
let pending = 0;

function beep() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume();
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
    gain.connect(audio.destination);
    for (const [freq, start] of [[880, 0], [1320, 0.12]]) {
      const osc = audio.createOscillator();
      osc.type = 'sine';
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(now + start);
      osc.stop(now + start + 0.2);
    }
  } catch {
    // No audio device, or autoplay still blocked: the notification and the title still tell.
  }
}

/** Browsers allow sound and the permission prompt only after a user gesture: ask on the first click. */
export function initNotify() {
  baseTitle = document.title;
  const unlock = () => {
    try {
      audio = audio || new AudioContext();
      audio.resume();
    } catch {
      /* no audio */
    }
    if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
  };
  document.addEventListener('click', unlock, {once: true});
  document.addEventListener('keydown', unlock, {once: true});
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      pending = 0;
      document.title = baseTitle;
    }
  });
}

/** A new customer message in a conversation assigned to this agent. */
export function notifyInbound({title, body, onClick}) {
  if (!document.hidden) return;
  pending += 1;
  document.title = `(${pending}) ${baseTitle}`;
  beep();
  if ('Notification' in window && Notification.permission === 'granted') {
    const note = new Notification(title || t('notify_title'), {body, tag: 'niochat-inbound', renotify: true});
    note.onclick = () => {
      window.focus();
      onClick?.();
      note.close();
    };
  }
}
