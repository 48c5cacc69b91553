/**
 * A deliberately small Markdown renderer for case descriptions and comments in reports. Markdown
 * is stored as written and only ever turned into HTML here: every character of the input is
 * escaped first, and the only tags in the output are the ones this file writes (p, h1-h6, ul, ol,
 * li, blockquote, pre, code, strong, em, a, hr, br). Links keep only http, https and mailto targets.
 * No raw HTML passes through, whatever the input.
 */

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const SAFE_URL = /^(https?:\/\/|mailto:)[^\s]+$/i;

/** Inline markup of one escaped-as-we-go line: `code`, **strong**, *em* / _em_, [text](url). */
export function renderInline(text: string): string {
  const out: string[] = [];
  // Code spans first: what is inside them is shown literally, never formatted.
  const parts = text.split(/(`[^`\n]+`)/);
  for (const part of parts) {
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) {
      out.push(`<code>${escapeHtml(part.slice(1, -1))}</code>`);
      continue;
    }
    let s = escapeHtml(part);
    s = s.replace(/\[([^\]\n]{1,500})\]\(([^()\s]{1,2000})\)/g, (whole, label: string, url: string) => {
      // The URL was escaped with the rest; undo that only to check its scheme.
      const raw = url
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>');
      if (!SAFE_URL.test(raw) || /["'<>]/.test(raw)) return whole;
      return `<a href="${escapeHtml(raw)}" rel="noopener noreferrer nofollow">${label}</a>`;
    });
    s = s.replace(/\*\*([^*\n]+?)\*\*/g, '<strong>$1</strong>');
    s = s.replace(/(^|[^\w*])\*([^*\n]+?)\*(?![\w*])/g, '$1<em>$2</em>');
    s = s.replace(/(^|[^\w])_([^_\n]+?)_(?!\w)/g, '$1<em>$2</em>');
    out.push(s);
  }
  return out.join('');
}

type Block =
  | { kind: 'p'; lines: string[] }
  | { kind: 'h'; level: number; text: string }
  | { kind: 'code'; lines: string[] }
  | { kind: 'quote'; lines: string[] }
  | { kind: 'ul' | 'ol'; items: string[] }
  | { kind: 'hr' };

function blocks(md: string): Block[] {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i]!)) code.push(lines[i++]!);
      i++;
      out.push({ kind: 'code', lines: code });
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      out.push({ kind: 'h', level: h[1]!.length, text: h[2]!.replace(/\s+#+\s*$/, '') });
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push({ kind: 'hr' });
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const q: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) q.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      out.push({ kind: 'quote', lines: q });
      continue;
    }
    const listKind = /^\s*[-*+]\s+/.test(line) ? 'ul' : /^\s*\d{1,9}[.)]\s+/.test(line) ? 'ol' : undefined;
    if (listKind) {
      const marker = listKind === 'ul' ? /^\s*[-*+]\s+/ : /^\s*\d{1,9}[.)]\s+/;
      const items: string[] = [];
      while (i < lines.length && marker.test(lines[i]!)) items.push(lines[i++]!.replace(marker, ''));
      out.push({ kind: listKind, items });
      continue;
    }
    const p: string[] = [];
    while (
      i < lines.length &&
      lines[i]!.trim() !== '' &&
      !/^(#{1,6}\s|\s*```|\s*>|\s*[-*+]\s|\s*\d{1,9}[.)]\s)/.test(lines[i]!)
    ) {
      p.push(lines[i++]!);
    }
    if (p.length === 0) p.push(lines[i++]!);
    out.push({ kind: 'p', lines: p });
  }
  return out;
}

/** Markdown → HTML that is safe to place inside an HTML document. */
export function renderMarkdown(md: string): string {
  return blocks(md)
    .map((b) => {
      switch (b.kind) {
        case 'h':
          return `<h${b.level}>${renderInline(b.text)}</h${b.level}>`;
        case 'code':
          return `<pre><code>${escapeHtml(b.lines.join('\n'))}</code></pre>`;
        case 'quote':
          return `<blockquote>${renderMarkdown(b.lines.join('\n'))}</blockquote>`;
        case 'ul':
        case 'ol':
          return `<${b.kind}>${b.items.map((it) => `<li>${renderInline(it)}</li>`).join('')}</${b.kind}>`;
        case 'hr':
          return '<hr>';
        case 'p':
          return `<p>${b.lines.map(renderInline).join('<br>\n')}</p>`;
      }
    })
    .join('\n');
}
