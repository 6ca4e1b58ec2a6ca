"""CSV and Excel exports, streamed: rows come from a server-side cursor in chunks and go straight to a
file on disk (CSV, or .xlsx XML streamed into its zip), so a million rows never sit in memory at once."""
