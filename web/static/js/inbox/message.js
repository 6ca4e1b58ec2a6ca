// One message as the agent sees it: bubble side, sender, quote, media as media, delivery ticks (and
// why a send failed), reactions on the message they react to, internal notes set apart; and the
// conversation's events ("Transferida para Financeiro por Ana — motivo: …") as lines in the flow.
import {h, icon, t} from './dom.js';
import {fileSize, fullDate, preview, time} from './format.js';

const TICKS = {
  pending: ['clock', 'delivery_pending'],
  sent: ['check', 'delivery_sent'],
  delivered: ['checks', 'delivery_delivered'],
  read: ['checks', 'delivery_read'],
  failed: ['alert', 'delivery_failed'],
};

function ticks(m) {
  if (m.direction !== 'outbound' || m.is_private || !m.status) return null;
  const [name, label] = TICKS[m.status] || TICKS.pending;
  if (m.status !== 'failed') return h('span', {class: `tick tick-${m.status}`, title: t(label)}, icon(name, t(label)));
  const reason = m.error?.text || t('send_failed_unknown');
  return h('button', {
    type: 'button', class: 'tick tick-failed', title: reason, aria: {label: `${t(label)}: ${reason}`, expanded: 'false'},
    onclick: (e) => {
      const bubble = e.currentTarget.closest('.msg');
      const open = bubble.classList.toggle('show-error');
      e.currentTarget.setAttribute('aria-expanded', String(open));
    },
  }, icon(name));
}

function media(m, ctx) {
  const md = m.media;
  if (!md) return null;
  if (!md.url) {
    const failed = md.status === 'failed';
    return h('div', {class: `media-missing${failed ? ' failed' : ''}`}, t(failed ? 'media_failed' : 'media_loading'));
  }
  const kind = m.content_type;
  const name = md.filename || t('media_document');
  if (kind === 'image' || kind === 'sticker') {
    return h('button', {type: 'button', class: `media-image${kind === 'sticker' ? ' sticker' : ''}`,
      aria: {label: t('open_image')}, onclick: () => ctx.openImage(md.url, md.filename)},
    h('img', {src: md.url, alt: md.filename || t('media_image'), loading: 'lazy'}));
  }
  if (kind === 'audio') {
    return h('div', {class: 'media-audio'},
      h('audio', {controls: true, preload: 'none', src: md.url}),
      md.voice ? h('span', {class: 'muted small'}, t('voice_message')) : null);
  }
  if (kind === 'video') return h('video', {class: 'media-video', controls: true, preload: 'metadata', src: md.url});
  return h('a', {class: 'media-doc', href: md.url, download: name, target: '_blank', rel: 'noopener'},
    icon('file'),
    h('span', {class: 'doc-name'}, name),
    h('span', {class: 'doc-size'}, fileSize(md.size)));
}

function extras(m) {
  const p = m.payload || {};
  if (m.content_type === 'location' && p.location) {
    const loc = p.location;
    const href = `https://www.google.com/maps?q=${encodeURIComponent(`${loc.latitude},${loc.longitude}`)}`;
    return h('a', {class: 'media-location', href, target: '_blank', rel: 'noopener noreferrer'},
      `📍 ${loc.name || loc.address || `${loc.latitude}, ${loc.longitude}`}`);
  }
  if (m.content_type === 'contacts' && Array.isArray(p.contacts)) {
    return h('ul', {class: 'media-contacts'}, p.contacts.map((c) => h('li', {}, c.name?.formatted_name || c.name || c.display_name || JSON.stringify(c))));
  }
  if (m.content_type === 'template') {
    return h('div', {class: 'muted small'}, t('template_sent', {name: p.template_name || p.template?.name || ''}));
  }
  if (Array.isArray(p.buttons) && p.buttons.length) {
    return h('div', {class: 'msg-buttons'}, p.buttons.map((b) => h('span', {class: 'msg-button'}, b.title || b.text || String(b))));
  }
  return null;
}

function sender(m, ctx) {
  if (m.direction !== 'outbound') return null;
  if (m.sender_kind === 'bot') return t('sender_bot');
  if (m.sender_kind === 'system') return t('sender_system');
  return (m.sender_user_id && ctx.agentName(m.sender_user_id)) || t('sender_agent');
}

/** A stable string of what the bubble shows: the node is rebuilt only when it changes. */
export function signature(m, ctx) {
  const quoted = m.reply_to_id ? ctx.message(m.reply_to_id) : null;
  return JSON.stringify([m.id, m.status, m.text, m.deleted, m.media?.url, m.media?.status, m.transcription,
    m.error?.text, quoted && preview(quoted), ctx.reactions(m.id), m._failed, m._held, m._retryable,
    m.error?.retryable]);
}

export function messageNode(m, ctx) {
  const outbound = m.direction === 'outbound';
  const classes = ['msg', outbound ? 'msg-out' : 'msg-in'];
  if (m.is_private) classes.push('msg-note');
  if (m.status === 'failed' || m._failed) classes.push('msg-failed');
  if (m._local) classes.push('msg-local');
  if (m._held) classes.push('msg-held');
  const quoted = m.reply_to_id ? ctx.message(m.reply_to_id) : null;
  const reactions = ctx.reactions(m.id);
  const who = sender(m, ctx);
  const text = m.deleted ? t('message_deleted') : m.text;
  const isMediaCaption = m.media && text;
  const node = h('div', {class: classes.join(' '), id: m.id ? `msg-${m.id}` : null, dataset: {id: m.id ?? '', key: m.client_key ?? ''}},
    m.is_private ? h('div', {class: 'note-label'}, icon('note'), t('private_note')) : null,
    who && !m.is_private ? h('div', {class: 'msg-sender'}, who) : null,
    m.reply_to_id ? h('button', {type: 'button', class: 'msg-quote', onclick: () => ctx.scrollTo(m.reply_to_id)},
      quoted ? preview(quoted) : t('quoted_unavailable')) : null,
    media(m, ctx),
    extras(m),
    text ? h('div', {class: `msg-text${m.deleted ? ' deleted' : ''}${isMediaCaption ? ' caption' : ''}`}, text) : null,
    m.transcription && !m.text ? h('div', {class: 'msg-transcription'},
      h('span', {class: 'msg-transcription-label'}, t('transcription')), ` “${m.transcription}”`) : null,
    h('div', {class: 'msg-foot'},
      h('time', {datetime: m.created_at || '', title: fullDate(m.created_at)}, time(m.created_at)),
      ticks(m)),
    m.status === 'failed' || m._failed ? h('div', {class: 'msg-error', role: 'note'},
      m.error?.text || m._failed || t('send_failed_unknown'),
      // Only where trying again can help: the server says so for its failures, the composer for its own.
      (m._local ? m._retryable : m.error?.retryable)
        ? h('button', {type: 'button', class: 'btn-link msg-retry', onclick: () => ctx.retry(m)}, t('retry')) : null) : null,
    m._held && !m._failed ? h('div', {class: 'msg-held-note', role: 'note'}, t('held_offline')) : null,
    reactions ? h('span', {class: 'msg-reactions', aria: {label: t('reactions')}}, reactions) : null,
    m.id && !m.is_private ? h('button', {type: 'button', class: 'msg-reply', title: t('reply'),
      aria: {label: t('reply')}, onclick: () => ctx.replyTo(m)}, icon('reply')) : null);
  return node;
}

/** The sentence for one conversation event (GET /conversations/{id}/events), or null if not shown. */
export function eventText(e) {
  const actor = e.actor?.name || (e.actor_kind === 'bot' ? t('sender_bot') : t('sender_system'));
  const reason = e.reason ? ` — ${t('reason_is', {reason: e.reason})}` : '';
  const toAgent = e.to_assignee?.name;
  const toTeam = e.to_team?.name;
  switch (e.kind) {
    case 'created': return t('ev_created');
    case 'assigned':
      if (e.actor?.id && e.actor.id === e.to_assignee?.id) return t('ev_taken', {agent: actor});
      return t('ev_assigned', {agent: toAgent || '?', actor}) + reason;
    case 'transferred':
      if (e.to_assignee && e.actor?.id === e.to_assignee.id && !e.reason) return t('ev_taken', {agent: actor});
      return t('ev_transferred', {target: toAgent || toTeam || '?', actor}) + reason;
    case 'handoff': return t('ev_handoff', {team: toTeam || t('team_any')}) + reason;
    case 'closed':
      if (e.close_kind === 'spam') return t('ev_closed_spam', {actor}) + reason;
      if (e.close_kind === 'merge') return t('ev_closed_merge', {actor}) + reason;
      return t('ev_closed', {actor}) + reason;
    case 'reopened': return t('ev_reopened', {actor});
    case 'label_added': return t('ev_label_added', {label: e.label?.name || '', actor});
    case 'label_removed': return t('ev_label_removed', {label: e.label?.name || '', actor});
    case 'priority_changed': return e.priority ? t('ev_priority_changed', {priority: t(`priority_${e.priority}`), actor}) : null;
    case 'csat_sent': return t('ev_csat_sent');
    case 'csat_answered': return e.score ? t('ev_csat_answered_score', {score: e.score}) : t('ev_csat_answered');
    case 'csat_alert': return t('ev_csat_alert', {score: e.score});
    case 'snoozed': return t('ev_snoozed', {actor});
    case 'unsnoozed':
      if (e.actor_kind === 'contact') return t('ev_unsnoozed_message');
      return e.actor_kind === 'system' ? t('ev_unsnoozed_time') : t('ev_unsnoozed', {actor});
    case 'tool_call': return (e.reason || '') + (e.tool && !e.tool.ok ? ` ${t('ev_tool_failed')}` : '');
    default: return null;
  }
}

export function eventNode(e) {
  const text = eventText(e);
  if (!text) return null;
  return h('div', {class: `sys-event sys-${e.kind}`, role: 'note'},
    h('span', {}, text), h('time', {datetime: e.created_at, title: fullDate(e.created_at)}, time(e.created_at)));
}
