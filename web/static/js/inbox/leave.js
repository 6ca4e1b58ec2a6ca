// Leaving the page when the session ended: the socket (disconnected by the server) and any API call
// (answered 401) find out at about the same time, and two navigations would abort one another. The
// first one wins; the rest do nothing.

let leaving = false;

export function leaveOnce(go) {
  if (leaving) return false;
  leaving = true;
  go();
  return true;
}
