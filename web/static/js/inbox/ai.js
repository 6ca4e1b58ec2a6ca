// What the AI attendant is doing, from the conversation's `ai` field (models/ai_activity.py): in the
// "Com IA" list and the header, "IA: 2ª via · consultou cliente, gerou PIX"; once it handed the
// conversation to people, the reason it gave ("Pedido de cancelamento — quero cancelar"). Codes are
// translated here (web/inbox/strings.py); an unknown code shows the server's label or the code itself.
import {h, t} from './dom.js';

const label = (prefix, code, fallback) => {
  const key = `${prefix}${code}`;
  const text = t(key);
  return text === key ? (fallback || code) : text;
};

/** "IA: 2ª via · consultou cliente, gerou PIX" — or null when the AI has not run on it. */
export function aiSummary(conv) {
  const ai = conv?.ai;
  if (!ai || (!ai.last_intent && !(ai.last_tools || []).length && !ai.knowledge)) return null;
  const tools = (ai.last_tools || []).map((tool) =>
    label('ai_tool_', tool.name) + (tool.ok ? '' : ` ${t('ai_tool_failed')}`));
  if (ai.knowledge) tools.push(t('ai_knowledge', {title: ai.knowledge}));
  const intent = ai.last_intent ? label('ai_intent_', ai.last_intent) : null;
  const what = [intent, tools.join(', ')].filter(Boolean).join(' · ');
  return t('ai_doing', {what});
}

/** "Pedido de cancelamento — quero cancelar": why the AI handed over (null if it did not). */
export function handoffText(conv) {
  const ai = conv?.ai;
  if (!ai?.handoff_reason) return null;
  const reason = label('handoff_', ai.handoff_reason, ai.handoff_label);
  return ai.handoff_detail ? `${reason} — ${ai.handoff_detail}` : reason;
}

/** The list item's line: what the AI does while it has the conversation, then why it handed over. */
export function aiListLine(conv) {
  if (conv.status === 'bot') {
    const summary = aiSummary(conv);
    return summary ? h('span', {class: 'conv-ai', title: summary}, summary) : null;
  }
  const reason = conv.status !== 'closed' ? handoffText(conv) : null;
  if (!reason) return null;
  const text = t('ai_handoff_short', {reason});
  return h('span', {class: 'conv-ai conv-handoff', title: text}, text);
}

/** The header's line: the same, with the team the hand-off rules chose. */
export function aiHeaderLine(detail, teamName) {
  const reason = handoffText(detail);
  if (detail.status !== 'bot' && reason) {
    const chosen = detail.ai.handoff_team_id;
    const team = chosen && chosen !== detail.team_id ? teamName(chosen) : null; // the current one is shown above
    const text = t('ai_handoff', {reason}) + (team ? ` · ${t('team_is', {name: team})}` : '');
    return h('p', {class: 'chat-ai chat-handoff', id: 'chat-ai', title: text}, text);
  }
  const summary = detail.status === 'bot' ? aiSummary(detail) : null;
  return summary ? h('p', {class: 'chat-ai', id: 'chat-ai', title: summary}, summary) : null;
}
