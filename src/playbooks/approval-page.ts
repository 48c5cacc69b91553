/**
 * The page a person sees on opening an approval link from a mail or a chat message. Opening it
 * decides nothing (link previews fetch URLs); its one button POSTs back to the same URL, which does.
 * No script and no inline style, so it renders under the strictest content security policy.
 */
const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function linkPage(p: { title: string; lines: string[]; button?: string }): string {
  const body = p.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');
  // An empty action posts to the URL of the page itself: the token never needs to be echoed.
  const form = p.button
    ? `<form method="post" action=""><button type="submit">${escapeHtml(p.button)}</button></form>`
    : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>Vigil: ${escapeHtml(p.title)}</title></head>`,
    `<body><h1>${escapeHtml(p.title)}</h1>`,
    body,
    form,
    '</body></html>',
  ].join('\n');
}
