// Behaviour Flask-Admin's templates put in inline handlers, which the app's Content-Security-Policy
// blocks: confirm before deleting a row, and submit the superadmin's tenant switch on change.
(() => {
  const DELETE_CONFIRM = 'Tem certeza de que deseja excluir este registro?';
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const isDelete = /\/delete\/?$/.test(new URL(form.action, location.href).pathname);
    const message = form.dataset.confirm || (isDelete ? DELETE_CONFIRM : null);
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form?.requestSubmit());
  }
  for (const add of document.querySelectorAll('[data-inline-add]')) {
    add.addEventListener('click', () => window.faForm?.addInlineField(add, add.dataset.inlineAdd));
  }
  for (const link of document.querySelectorAll('a[href^="javascript:"]')) {
    link.setAttribute('href', '#');
    link.addEventListener('click', (e) => e.preventDefault());
  }
})();
