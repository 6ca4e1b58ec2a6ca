// CSAT in the inbox: a bad rating reaches supervisors and admins live (a toast and a badge in the top bar;
// the server sends `csat.alert` only to their room), and the contact panel lists the contact's latest
// ratings. The rating of a closed conversation shows in its timeline (events csat_answered, csat_alert).
import {$, h, t, toast} from './dom.js';
import {listTime} from './format.js';

const MANAGERS = new Set(['admin', 'supervisor', 'superadmin']);
const FACES = {1: '😡', 2: '😕', 3: '😐', 4: '🙂', 5: '🤩'};

/** The top-bar badge of bad ratings received since the page opened; a click opens the latest. */
export function createCsatAlerts({me, onOpen}) {
  if (!MANAGERS.has(me.role)) return {onAlert() {}};
  const alerts = [];
  const count = h('span', {class: 'csat-alerts-count', id: 'csat-alerts-count'}, '0');
  const button = h('button', {type: 'button', id: 'csat-alerts', class: 'csat-alerts', hidden: true,
    title: t('csat_alerts_title'), onclick: () => {
      const last = alerts.pop();
      render();
      if (last) onOpen(last.conversation_id);
    }}, t('csat_alerts'), count);
  $('#topnav')?.append(button);
  function render() {
    count.textContent = String(alerts.length);
    button.hidden = alerts.length === 0;
  }
  return {
    onAlert(data) {
      alerts.push(data);
      render();
      toast(t('csat_alert', {score: data.score, name: data.contact_name || t('csat_customer')}), 'error');
    },
  };
}

/** The contact's latest ratings, under the contact panel (its own block: the panel re-renders freely). */
export function createCsatPanel({api}) {
  const box = h('section', {id: 'contact-csat', class: 'contact-csat', hidden: true, aria: {label: t('csat_title')}});
  $('#contact-panel')?.append(box);
  let shown = null;
  async function load(contactId) {
    let items = [];
    try {
      items = (await api.get(`/contacts/${contactId}/csat`)).items || [];
    } catch {
      return;
    }
    if (shown !== contactId) return;
    box.replaceChildren(h('h3', {}, t('csat_title')), items.length
      ? h('ul', {class: 'csat-list'}, items.map((r) => h('li', {class: `csat-item csat-score-${r.score}`,
        dataset: {conversation: r.conversation_id}},
      h('strong', {}, `${FACES[r.score] || ''} ${t('csat_score', {score: r.score})}`),
      r.answered_at ? h('time', {datetime: r.answered_at}, ` · ${listTime(r.answered_at)}`) : null,
      r.recovered ? h('span', {class: 'muted'}, ` · ${t('csat_recovered')}`) : null,
      r.comment ? h('p', {class: 'csat-comment'}, r.comment) : null)))
      : h('p', {class: 'muted'}, t('csat_none')));
    box.hidden = false;
  }
  return {
    show(detail) {
      const contactId = detail?.contact?.id ?? null;
      if (contactId == null) return this.clear();
      shown = contactId;
      load(contactId);
    },
    clear() {
      shown = null;
      box.hidden = true;
      box.replaceChildren();
    },
  };
}
