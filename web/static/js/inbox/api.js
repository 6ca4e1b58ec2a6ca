// The REST API (/api/v1) as the browser session uses it: the session cookie authenticates, and every
// request that changes something carries the page's CSRF token in X-CSRFToken.

import {leaveOnce} from './leave.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function createApi(base) {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

  async function request(method, path, {json, form, query, signal} = {}) {
    const url = new URL(base + path, location.origin);
    for (const [key, value] of Object.entries(query || {})) {
      if (value != null && value !== '') url.searchParams.set(key, value);
    }
    const headers = {Accept: 'application/json'};
    if (method !== 'GET') headers['X-CSRFToken'] = csrf;
    let body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form) {
      body = form; // multipart: the browser sets the boundary
    }
    let response;
    try {
      response = await fetch(url, {method, headers, body, signal, credentials: 'same-origin'});
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', '');
    }
    if (response.status === 401) {
      // The session ended (logout elsewhere, idle timeout): the login page explains why.
      leaveOnce(() => location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`));
      throw new ApiError(401, 'unauthorized', '');
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = data?.error || {};
      throw new ApiError(response.status, error.code || 'error', error.message || '');
    }
    return data;
  }

  return {
    get: (path, query, signal) => request('GET', path, {query, signal}),
    post: (path, json) => request('POST', path, {json: json ?? {}}),
    put: (path, json) => request('PUT', path, {json}),
    patch: (path, json) => request('PATCH', path, {json}),
    upload: (path, form) => request('POST', path, {form}),
  };
}
