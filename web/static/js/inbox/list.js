// The conversation list: tabs by status with counts, filters and search, keyset paging on scroll, and
// live updates (a new message moves its conversation to the top, a status change moves it between
// tabs, a conversation the user can no longer see leaves the list). Each tab has its sort ("Em espera":
// longest wait first); waiting conversations say for how long, against the tenant's SLA (queue.js).
import {$, debounce, h, icon, t} from './dom.js';
import {contactName, initials, listTime, preview} from './format.js';
import {aiListLine} from './ai.js';
import {comparator, priorityBadge, refreshWaits, sortsFor, waitBadge} from './queue.js';

export const TABS = [
  {status: 'bot', label: 'tab_bot'},
  {status: 'pending', label: 'tab_pending'},
  {status: 'open', label: 'tab_open'},
  {status: 'closed', label: 'tab_closed'},
  {status: 'snoozed', label: 'tab_snoozed'}, // not a status: snoozed ones of any status ("Adiar até…")
];
const PAGE = 40;
export function createList({api, me, lookups, sla, onOpen}) {
  const root = $('#conv-list');
  const tabsEl = $('#conv-tabs');
  const filtersEl = $('#conv-filters');
  const search = $('#conv-search');
  const state = {
    tab: me.role === 'agent' ? 'open' : 'pending',
    filters: {inbox_id: '', team_id: '', assignee_id: '', label_id: '', csat: '', q: ''},
    items: new Map(), // id → conversation (+ last_message, unread)
    cursor: null,
    counts: {},
    sorts: {}, // tab → the sort chosen there (default: the first of sortsFor)
    selected: null,
    loading: false,
    generation: 0, // a newer load makes older answers stale
  };

  // --- who sees what (the browser's copy of models.permissions.can_view, to drop what left) -------
  const myTeams = new Set(me.team_ids);
  const manager = me.role !== 'agent';
  function canView(c) {
    if (manager) return true;
    if (c.assignee_id === me.id || c.status === 'bot') return true;
    return c.status === 'pending' && c.assignee_id == null && (c.team_id == null || myTeams.has(c.team_id));
  }
  function matches(c) {
    const f = state.filters;
    const inTab = state.tab === 'snoozed' ? Boolean(c.snoozed_until) : c.status === state.tab && !c.snoozed_until;
    if (!inTab || !canView(c)) return false;
    if (f.inbox_id && String(c.inbox_id) !== f.inbox_id) return false;
    if (f.team_id && (f.team_id === 'none' ? c.team_id != null : String(c.team_id) !== f.team_id)) return false;
    if (f.assignee_id) {
      const want = f.assignee_id === 'me' ? String(me.id) : f.assignee_id;
      if (want === 'none' ? c.assignee_id != null : String(c.assignee_id) !== want) return false;
    }
    if (f.label_id && !(c.labels || []).some((l) => String(l.id) === f.label_id)) return false;
    return true;
  }

  // --- rendering ---------------------------------------------------------------------------------
  function renderTabs() {
    tabsEl.replaceChildren(...TABS.map(({status, label}) => {
      const count = state.counts[status];
      return h('button', {
        type: 'button', role: 'tab', class: 'tab', id: `tab-${status}`,
        aria: {selected: String(state.tab === status), controls: 'conv-list'},
        tabindex: state.tab === status ? '0' : '-1',
        onclick: () => selectTab(status),
      }, t(label), count != null && (status !== 'closed' || searching()) ? h('span', {class: 'tab-count'}, String(count)) : null);
    }));
    renderSort();
  }

  /** A search or filter is on: then "Encerradas" shows its count too (otherwise it is every closed one). */
  function searching() {
    return Object.values(state.filters).some((value) => String(value).trim());
  }

  const onSort = (e) => { state.sorts[state.tab] = e.target.value; load(); };
  const sortSelect = h('select', {class: 'input input-sm', id: 'conv-sort', onchange: onSort});
  tabsEl.after(h('label', {class: 'sort-bar'}, h('span', {class: 'sort-label'}, t('sort_label')), sortSelect));
  function currentSort() {
    return state.sorts[state.tab] || sortsFor(state.tab)[0];
  }
  function renderSort() {
    const current = currentSort();
    sortSelect.replaceChildren(...sortsFor(state.tab).map((sort) =>
      h('option', {value: sort, selected: sort === current}, t(`sort_${sort}`))));
    sortSelect.value = current;
  }

  const sorted = () => [...state.items.values()].sort(comparator(currentSort()));

  /** "Você: " for this agent's own messages, the first name for a colleague's, "IA: " for the bot. */
  function senderPrefix(m) {
    if (m.direction !== 'outbound') return '';
    if (m.sender_kind === 'bot') return `${t('sender_bot_short')}: `;
    if (m.sender_user_id === me.id) return `${t('you')}: `;
    const name = m.sender_user_id ? lookups.agentName(m.sender_user_id) : null;
    return name ? `${name.split(' ')[0]}: ` : '';
  }

  function itemNode(c) {
    const last = c.last_message;
    const unread = c.unread ?? 0;
    const prefix = last ? senderPrefix(last) : '';
    const assignee = c.assignee_id ? lookups.agentName(c.assignee_id) : null;
    const team = c.team_id ? lookups.teamName(c.team_id) : null;
    return h('li', {},
      h('a', {
        class: `conv-item${unread ? ' unread' : ''}`, href: `#/c/${c.id}`, dataset: {id: c.id},
        aria: {current: state.selected === c.id ? 'true' : null},
      },
      h('span', {class: 'avatar conv-avatar', aria: {hidden: 'true'}}, initials(contactName(c.contact))),
      h('span', {class: 'conv-main'},
        h('span', {class: 'conv-top'},
          h('strong', {class: 'conv-name'}, contactName(c.contact)),
          h('time', {class: 'conv-time', datetime: c.last_message_at || ''}, listTime(c.last_message_at))),
        h('span', {class: 'conv-bottom'},
          h('span', {class: 'conv-preview'}, last?.direction === 'outbound' ? icon('check') : null, prefix + preview(last)),
          unread ? h('span', {class: 'unread-badge', aria: {label: t('unread_count', {n: unread})}}, String(unread)) : null),
        aiListLine(c), // "IA: 2ª via · consultou cliente" in Com IA; the hand-off reason afterwards
        h('span', {class: 'conv-meta'},
          c.status === 'pending' && c.waiting_since ? waitBadge(c.waiting_since, sla) : null,
          priorityBadge(c.priority),
          h('span', {class: 'conv-inbox'}, c.inbox_name || ''),
          team ? h('span', {class: 'conv-team'}, team) : null,
          assignee ? h('span', {class: 'conv-assignee'}, assignee) : null,
          ...(c.labels || []).slice(0, 3).map((l) => h('span', {class: 'chip', style: {'--chip': l.color}}, l.name))))));
  }

  function render() {
    const items = sorted();
    const nodes = items.map(itemNode);
    if (!items.length && !state.loading) nodes.push(h('li', {class: 'list-empty'}, t(state.filters.q ? 'no_results' : 'list_empty')));
    if (state.loading) nodes.push(h('li', {class: 'list-loading'}, t('loading')));
    root.replaceChildren(...nodes);
    root.setAttribute('aria-busy', String(state.loading));
    renderTabs();
  }

  // --- loading -----------------------------------------------------------------------------------
  function query(extra) {
    const f = state.filters;
    const tab = state.tab === 'snoozed' ? {snoozed: 'true'} : {status: state.tab};
    return {...tab, inbox_id: f.inbox_id, team_id: f.team_id, assignee_id: f.assignee_id,
      label_id: f.label_id, csat: f.csat, q: f.q.trim(), sort: currentSort(), limit: PAGE, ...extra};
  }

  async function load({more = false} = {}) {
    if (more && (!state.cursor || state.loading)) return;
    const generation = more ? state.generation : ++state.generation;
    state.loading = true;
    if (!more) {
      state.items.clear();
      state.cursor = null;
    }
    render();
    try {
      const page = await api.get('/conversations', query(more ? {cursor: state.cursor} : {}));
      if (generation !== state.generation) return;
      for (const item of page.items) state.items.set(item.id, item);
      state.cursor = page.next_cursor || null;
      if (page.counts) state.counts = page.counts;
    } finally {
      if (generation === state.generation) {
        state.loading = false;
        render();
      }
    }
  }

  const refreshCounts = debounce(async () => {
    const page = await api.get('/conversations', query({limit: 1})).catch(() => null);
    if (page?.counts) {
      state.counts = page.counts;
      renderTabs();
    }
  }, 700);

  function selectTab(status) {
    if (state.tab === status) return;
    state.tab = status;
    load();
    $(`#tab-${status}`)?.focus();
  }

  // --- live updates ------------------------------------------------------------------------------
  /** A conversation changed (or got a message): place it, move it, or drop it. */
  function upsert(conv, {message, inbound} = {}) {
    const known = state.items.get(conv.id);
    const merged = {...known, ...conv};
    if (message && message.content_type !== 'reaction' && !message.is_private) merged.last_message = message;
    if (inbound && state.selected !== conv.id) merged.unread = (known?.unread ?? 0) + 1;
    // A search matches on text only the server knows: keep its results, add nothing new to them.
    if (matches(conv) && (known || !state.filters.q)) {
      state.items.set(conv.id, merged);
      if (!merged.last_message) fillPreview(conv.id);
    } else {
      state.items.delete(conv.id);
    }
    render();
    refreshCounts();
  }

  /** A conversation that arrived by a status change carries no preview: fetch its newest message. */
  async function fillPreview(id) {
    const page = await api.get(`/conversations/${id}/messages`, {limit: 10}).catch(() => null);
    const item = state.items.get(id);
    const last = (page?.items || []).filter((m) => !m.is_private && m.content_type !== 'reaction').pop();
    if (item && last && !item.last_message) {
      item.last_message = last;
      render();
    }
  }

  function markRead(id) {
    const item = state.items.get(id);
    if (item && item.unread) {
      item.unread = 0;
      render();
    }
  }

  /** "Marcar como não lida": bold with a badge again, until it is opened. */
  function markUnread(id) {
    const item = state.items.get(id);
    if (item) {
      item.unread = Math.max(1, item.unread ?? 0);
      render();
    }
  }

  function select(id) {
    state.selected = id;
    markRead(id);
    render();
  }

  // --- wiring ------------------------------------------------------------------------------------
  function fillFilters() {
    const option = (value, label) => h('option', {value: String(value)}, label);
    const select = (name, label, options) => h('label', {class: 'filter'},
      h('span', {class: 'sr-only'}, label),
      h('select', {class: 'input input-sm', name, aria: {label}, onchange: (e) => {
        state.filters[name] = e.target.value;
        load();
      }}, options));
    filtersEl.replaceChildren(
      select('inbox_id', t('filter_inbox'), [option('', t('all_inboxes')), ...lookups.inboxes.map((i) => option(i.id, i.name))]),
      select('team_id', t('filter_team'), [option('', t('all_teams')), option('none', t('no_team')),
        ...lookups.teams.map((x) => option(x.id, x.name))]),
      select('assignee_id', t('filter_agent'), [option('', t('all_agents')), option('me', t('mine')),
        option('none', t('unassigned')), ...lookups.agents.map((a) => option(a.id, a.name))]),
      select('label_id', t('filter_label'), [option('', t('all_labels')), ...lookups.labels.map((l) => option(l.id, l.name))]),
      select('csat', t('filter_csat'), ['', 'answered', 'low', 'waiting'].map((v) => option(v, t(`csat_${v || 'any'}`)))),
    );
  }

  search.addEventListener('input', debounce(() => {
    state.filters.q = search.value;
    load();
  }, 300));
  root.addEventListener('scroll', () => {
    if (root.scrollTop + root.clientHeight > root.scrollHeight - 200) load({more: true});
  });
  root.addEventListener('click', (e) => {
    const link = e.target.closest('a.conv-item');
    if (link && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      onOpen(Number(link.dataset.id));
    }
  });
  root.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...root.querySelectorAll('a.conv-item')];
    const index = links.indexOf(document.activeElement);
    const next = links[index + (e.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
  tabsEl.addEventListener('keydown', (e) => {
    const index = TABS.findIndex((x) => x.status === state.tab);
    if (e.key === 'ArrowRight') selectTab(TABS[(index + 1) % TABS.length].status);
    if (e.key === 'ArrowLeft') selectTab(TABS[(index + TABS.length - 1) % TABS.length].status);
  });

  fillFilters();
  setInterval(() => refreshWaits(root, sla), 30000); // "esperando há…" moves on by itself
  return {
    load, upsert, select, markRead, markUnread, refreshCounts,
    get: (id) => state.items.get(id),
    remove(id) {
      state.items.delete(id);
      render();
    },
    canView,
    rerender: render,
  };
}
