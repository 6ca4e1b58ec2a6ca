// The agent's availability in the page header: Online or Ausente, saved on the server (PUT
// /me/availability) and shown live to colleagues (`user.availability`), whose transfer lists mark
// an away agent, to whom the server refuses transfers ("Ana está ausente").
import {$, t, toast} from './dom.js';

export function initAvailability({api, me, lookups}) {
  const button = $('#availability-toggle');
  let mine = me.availability || 'offline';

  function render() {
    button.textContent = t(`availability_${mine}`);
    button.dataset.state = mine;
    button.setAttribute('aria-pressed', String(mine === 'online'));
  }

  button.addEventListener('click', async () => {
    const next = mine === 'online' ? 'away' : 'online';
    button.disabled = true;
    try {
      mine = (await api.put('/me/availability', {availability: next})).availability;
      render();
    } catch (err) {
      toast(err.message || t('action_failed'), 'error');
    } finally {
      button.disabled = false;
    }
  });

  /** A colleague (or this user in another tab) changed: keep the agents list current. */
  function onEvent({user_id: id, availability}) {
    const agent = lookups.agents.find((a) => a.id === id);
    if (agent) agent.availability = availability;
    if (id === me.id) {
      mine = availability;
      render();
    }
  }

  render();
  return {onEvent};
}
