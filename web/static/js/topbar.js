// The top bar on phones: the navigation and the user menu fold behind one "Menu" button (app.css hides
// them below 768 px) so the bar keeps a single line. The button opens and closes them; Esc or a tap
// elsewhere closes them again. A classic script, loaded by every page that has the bar.
(() => {
  const bar = document.querySelector('.topbar');
  const toggle = bar?.querySelector('.menu-toggle');
  if (!toggle) return;

  const isOpen = () => bar.classList.contains('menu-open');
  function set(open) {
    bar.classList.toggle('menu-open', open);
    toggle.setAttribute('aria-expanded', String(open));
  }

  toggle.addEventListener('click', () => {
    set(!isOpen());
    if (isOpen()) bar.querySelector('.topnav a, .user-menu a')?.focus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !isOpen()) return;
    set(false);
    toggle.focus();
  });
  document.addEventListener('click', (e) => isOpen() && !bar.contains(e.target) && set(false));
  matchMedia('(min-width: 768px)').addEventListener('change', (e) => e.matches && set(false));
})();
