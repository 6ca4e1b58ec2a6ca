// The channel and settings pages of the back office (no inline script: the app's CSP forbids it).
// - new inbox: show only the chosen channel's credential fields;
// - inbox page: connect by QR/pair code and poll the provider until it says "open"; history runs with
//   live progress; copy buttons; confirmations;
// - CSAT page: the survey preview follows the question and style being typed.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
  const i18n = document.querySelector('[data-i18n]')?.dataset || {};
  const POLL_MS = 2000;
  const POLL_LIMIT = 90; // three minutes of a code nobody scans: stop asking the provider

  async function send(form) {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new FormData(form),
      headers: { Accept: 'application/json', 'X-CSRFToken': csrf },
      credentials: 'same-origin',
    });
    let data = {};
    try { data = await response.json(); } catch (_) { data = { ok: false, message: response.statusText }; }
    return data;
  }

  // --- confirmations -------------------------------------------------------------------------------
  document.addEventListener('submit', (event) => {
    const form = event.target;
    const button = event.submitter;
    const question = button?.dataset.confirm || form.dataset?.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // --- channel chooser -----------------------------------------------------------------------------
  const channelForm = document.querySelector('[data-channel-form]');
  if (channelForm) {
    const show = () => {
      const chosen = channelForm.querySelector('input[name="channel_type"]:checked')?.value;
      for (const set of channelForm.querySelectorAll('fieldset[data-channel]')) {
        const on = set.dataset.channel === chosen;
        set.hidden = !on;
        set.disabled = !on;
      }
      for (const card of channelForm.querySelectorAll('.channel-card')) {
        card.classList.toggle('chosen', card.querySelector('input').checked);
      }
    };
    channelForm.addEventListener('change', (e) => { if (e.target.name === 'channel_type') show(); });
    show();
  }

  // --- copy ----------------------------------------------------------------------------------------
  for (const code of document.querySelectorAll('[data-copy]')) {
    code.title = i18n.copied ? '⧉' : '';
    code.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(code.textContent.trim());
        code.dataset.copiedNote = i18n.copied || 'ok';
        code.classList.add('copied');
        setTimeout(() => code.classList.remove('copied'), 1200);
      } catch (_) { /* no clipboard (http): the text is selectable */ }
    });
  }

  // --- connection (QR / pair code) -----------------------------------------------------------------
  const conn = document.querySelector('[data-connection]');
  if (conn && conn.dataset.pollUrl) {
    const badge = conn.querySelector('[data-conn-badge]');
    const qrBox = conn.querySelector('[data-qr-box]');
    const qrImg = conn.querySelector('[data-qr-img]');
    const pairBox = conn.querySelector('[data-pair-box]');
    const pairCode = conn.querySelector('[data-pair-code]');
    const message = conn.querySelector('[data-conn-message]');
    let timer = null;
    let polls = 0;

    const render = (c) => {
      if (!c) return;
      conn.dataset.state = c.state;
      badge.textContent = c.label;
      badge.className = `conn-badge conn-${c.state}`;
      if (c.qr_code) { qrImg.src = c.qr_code; }
      qrBox.hidden = !c.qr_code;
      pairCode.textContent = c.pair_code || '';
      pairBox.hidden = !c.pair_code;
      if (c.connected) {
        message.textContent = i18n.connected || '';
        stop();
      }
    };
    const stop = () => { if (timer) clearTimeout(timer); timer = null; };
    const poll = async () => {
      timer = null;
      try {
        const response = await fetch(conn.dataset.pollUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        const data = await response.json();
        if (data.ok) render(data.connection); else message.textContent = data.message || i18n.pollFailed || '';
      } catch (_) {
        message.textContent = i18n.pollFailed || '';
      }
      if (conn.dataset.state === 'open') return;
      polls += 1;
      if (polls >= POLL_LIMIT) {
        message.textContent = i18n.pollStopped || '';
        qrBox.hidden = true;
        return;
      }
      timer = setTimeout(poll, POLL_MS);
    };
    const start = () => { stop(); polls = 0; timer = setTimeout(poll, POLL_MS); };

    for (const form of conn.querySelectorAll('form[data-connect-form]')) {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const buttons = form.querySelectorAll('button');
        buttons.forEach((b) => { b.disabled = true; });
        try {
          const data = await send(form);
          message.textContent = data.message || '';
          if (data.ok) { render(data.connection); if (!data.connection?.connected) start(); }
        } finally {
          buttons.forEach((b) => { b.disabled = false; });
        }
      });
    }
    if (conn.dataset.state === 'connecting' || !qrBox.hidden || !pairBox.hidden) start();
  }

  // --- history runs --------------------------------------------------------------------------------
  const sync = document.querySelector('[data-sync]');
  if (sync) {
    const body = sync.querySelector('[data-sync-runs]');
    const message = sync.querySelector('[data-sync-message]');
    const form = sync.querySelector('[data-sync-form]');
    let timer = null;
    const label = (status) => i18n[`status${status[0].toUpperCase()}${status.slice(1)}`] || status;
    const row = (run) => {
      const tr = document.createElement('tr');
      tr.dataset.run = run.id;
      tr.dataset.status = run.status;
      const cells = [String(run.id), label(run.status), null, String(run.imported), run.error || ''];
      cells.forEach((text, index) => {
        const td = document.createElement('td');
        if (index === 2) {
          const bar = document.createElement('progress');
          bar.max = 1;
          bar.value = run.fraction || 0;
          td.append(bar, ` ${run.processed}${run.total ? `/${run.total}` : ''}`);
        } else {
          td.textContent = text;
        }
        tr.append(td);
      });
      return tr;
    };
    const refresh = async () => {
      timer = null;
      try {
        const response = await fetch(sync.dataset.runsUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        const data = await response.json();
        if (data.runs.length) body.replaceChildren(...data.runs.map(row));
        if (data.runs.some((r) => r.status === 'queued' || r.status === 'running')) timer = setTimeout(refresh, 1500);
      } catch (_) {
        timer = setTimeout(refresh, 5000);
      }
    };
    form?.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = await send(form);
      message.textContent = data.message || '';
      message.classList.toggle('text-danger', !data.ok);
      if (data.ok && !timer) refresh();
    });
    if (body.querySelector('[data-status="queued"], [data-status="running"]')) refresh();
  }

  // --- CSAT preview --------------------------------------------------------------------------------
  const csat = document.querySelector('[data-csat-form]');
  if (csat) {
    const question = csat.querySelector('[name="question"]');
    const update = () => {
      const style = csat.querySelector('[name="style"]')?.value || 'buttons';
      for (const group of document.querySelectorAll('[data-preview-style]')) {
        group.hidden = group.dataset.previewStyle !== style;
      }
      for (const el of document.querySelectorAll('[data-preview-question]')) {
        el.textContent = question.value.trim();
      }
    };
    csat.addEventListener('input', update);
    csat.addEventListener('change', update);
    update();
  }
  // --- AI: "Testar uma mensagem" -------------------------------------------------------------------
  const tryForm = document.querySelector('[data-try-form]');
  if (tryForm) {
    const out = document.querySelector('[data-try-report]');
    const line = (cls, text) => { const p = document.createElement(cls === 'reply' ? 'div' : 'p'); p.className = cls; p.textContent = text; return p; };
    tryForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = tryForm.querySelector('button[type="submit"]');
      button.disabled = true;
      out.replaceChildren(line('meta', i18n.working || '…'));
      try {
        const data = await send(tryForm);
        if (!data.ok) { out.replaceChildren(line('meta text-danger', data.message || '')); return; }
        const r = data.report;
        const conf = r.confidence == null ? '' : ` (${Number(r.confidence).toFixed(2)})`;
        const parts = [line('meta', `${i18n.intent}: ${r.intent || '—'}${conf} · ${i18n.sentiment}: ${r.sentiment || '—'}`)];
        for (const t of r.tools) parts.push(line('meta', `${i18n.tool} ${t.name} → ${t.ok ? 'ok' : i18n.failed}`));
        for (const reply of r.replies) parts.push(line('reply', reply));
        if (r.handoff) parts.push(line('meta', `→ ${i18n.handoff}: ${r.handoff.label || r.handoff.reason}${r.handoff.team ? ` (${r.handoff.team})` : ''}`));
        out.replaceChildren(...parts);
      } catch (_) {
        out.replaceChildren(line('meta text-danger', '⚠'));
      } finally {
        button.disabled = false;
      }
    });
  }
})();
