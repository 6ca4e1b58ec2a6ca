"""CSV and Excel exports, streamed: rows come from a server-side cursor in chunks and go straight to a
file on disk (xlsxwriter in constant-memory mode), so a million rows never sit in memory at once."""
