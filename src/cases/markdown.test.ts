import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderMarkdown } from './markdown.js';

const ALLOWED =
  /^<\/?(p|h[1-6]|ul|ol|li|blockquote|pre|code|strong|em|hr|br)>$|^<a href="(https?:\/\/|mailto:)[^"<>]*" rel="noopener noreferrer nofollow">$|^<\/a>$/i;

function tagsOf(html: string): string[] {
  return html.match(/<[^>]*>?/g) ?? [];
}

describe('renderMarkdown', () => {
  it('renders the whitelisted constructs', () => {
    const html = renderMarkdown(
      '# Title\n\nSome **bold** and *em* and `x<y`\n\n- one\n- [two](https://example.org/?a=1&b=2)\n\n```\n<script>\n```\n> quoted',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<code>x&lt;y</code>');
    expect(html).toContain(
      '<li><a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer nofollow">two</a></li>',
    );
    expect(html).toContain('<pre><code>&lt;script&gt;</code></pre>');
    expect(html).toContain('<blockquote><p>quoted</p></blockquote>');
  });

  it('never passes raw HTML or dangerous links', () => {
    const html = renderMarkdown(
      '<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](https://a.b/"onmouseover="x) <script>alert(1)</script>',
    );
    expect(html).not.toMatch(/<img|<script|href="javascript/i);
    for (const t of tagsOf(html)) expect(t).toMatch(ALLOWED);
  });

  it('only ever emits whitelisted tags, whatever the input (property)', () => {
    const chars = fc.constantFrom(
      ...'<>"\'&*_`[]()#->\n :/abcjavascript'.split(''),
      'https://',
      'mailto:',
      '```',
      '**',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(chars, { maxLength: 80 }).map((a) => a.join('')),
        ),
        (md) => {
          const html = renderMarkdown(md);
          for (const t of tagsOf(html)) {
            if (!ALLOWED.test(t)) throw new Error(`unexpected tag ${t} from ${JSON.stringify(md)}`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
