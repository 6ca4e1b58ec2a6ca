// How things read in pt-BR: times in the tenant's timezone, Brazilian phones and CPF/CNPJ, file sizes,
// and the one-line preview of a message used in the list and in quotes.
import {t} from './dom.js';

let TIMEZONE = 'America/Sao_Paulo';
let timeFmt, dayFmt, shortDayFmt, keyFmt;

export function setTimezone(timezone) {
  TIMEZONE = timezone || TIMEZONE;
  timeFmt = new Intl.DateTimeFormat('pt-BR', {timeZone: TIMEZONE, hour: '2-digit', minute: '2-digit'});
  dayFmt = new Intl.DateTimeFormat('pt-BR', {timeZone: TIMEZONE, day: 'numeric', month: 'long', year: 'numeric'});
  shortDayFmt = new Intl.DateTimeFormat('pt-BR', {timeZone: TIMEZONE, day: '2-digit', month: '2-digit', year: '2-digit'});
  keyFmt = new Intl.DateTimeFormat('en-CA', {timeZone: TIMEZONE, year: 'numeric', month: '2-digit', day: '2-digit'});
}
setTimezone(TIMEZONE);

const parse = (iso) => (iso ? new Date(iso) : null);

/** "2025-11-21" in the tenant's timezone: what groups messages by day. */
export function dayKey(iso) {
  const d = parse(iso);
  return d ? keyFmt.format(d) : '';
}

export function time(iso) {
  const d = parse(iso);
  return d ? timeFmt.format(d) : '';
}

export function dayLabel(iso) {
  const key = dayKey(iso);
  const today = keyFmt.format(new Date());
  const yesterday = keyFmt.format(new Date(Date.now() - 86400000));
  if (key === today) return t('today');
  if (key === yesterday) return t('yesterday');
  return dayFmt.format(parse(iso));
}

/** List timestamps: the time today, "Ontem", else the short date. */
export function listTime(iso) {
  if (!iso) return '';
  const key = dayKey(iso);
  if (key === keyFmt.format(new Date())) return time(iso);
  if (key === keyFmt.format(new Date(Date.now() - 86400000))) return t('yesterday');
  return shortDayFmt.format(parse(iso));
}

export function fullDate(iso) {
  const d = parse(iso);
  return d ? `${dayFmt.format(d)} ${timeFmt.format(d)}` : '';
}

/** +5511987654321 → "+55 (11) 98765-4321"; other countries stay as stored. */
export function phone(e164) {
  if (!e164) return '';
  const m = /^\+55(\d{2})(\d{4,5})(\d{4})$/.exec(e164);
  return m ? `+55 (${m[1]}) ${m[2]}-${m[3]}` : e164;
}

export function cpfCnpj(value) {
  if (!value) return '';
  const v = String(value);
  if (/^\d{11}$/.test(v)) return `${v.slice(0, 3)}.${v.slice(3, 6)}.${v.slice(6, 9)}-${v.slice(9)}`;
  if (/^[0-9A-Z]{14}$/.test(v)) return `${v.slice(0, 2)}.${v.slice(2, 5)}.${v.slice(5, 8)}/${v.slice(8, 12)}-${v.slice(12)}`;
  return v;
}

export function fileSize(bytes) {
  if (bytes == null) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString('pt-BR', {maximumFractionDigits: value < 10 ? 1 : 0})} ${units[unit]}`;
}

export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] || '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

export function contactName(contact) {
  if (!contact) return '';
  return contact.name || phone(contact.phone) || (contact.telegram_chat_id ? `Telegram ${contact.telegram_chat_id}` : '');
}

const MEDIA_LABELS = {
  image: 'media_image', video: 'media_video', audio: 'media_audio', document: 'media_document',
  sticker: 'media_sticker', location: 'media_location', contacts: 'media_contacts', template: 'media_template',
};

/** One line for the list and for quotes: the text, else what kind of message it was. */
export function preview(message) {
  if (!message) return '';
  if (message.deleted) return t('message_deleted');
  const text = (message.text || message.transcription || '').trim();
  const kind = message.content_type;
  if (kind === 'reaction') return t('reacted', {emoji: message.payload?.emoji || ''});
  const label = MEDIA_LABELS[kind] ? t(MEDIA_LABELS[kind]) : '';
  if (label && text) return `${label}: ${text}`;
  return text || label || (kind === 'text' ? '' : t('media_unsupported'));
}
