const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Markup that is already safe: what `html` makes, passed into another `html` as it is. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (character) => entities[character] ?? character);

function piece(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  return escape(String(value));
}

/** A template of markup in which every interpolated value is escaped, unless it is `Html` itself. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => (markup += piece(value) + (strings[index + 1] ?? '')));
  return new Html(markup);
}

/** A whole page in light or dark, as the system is: `head` after its title (style sheets, scripts), then `body`. */
export const htmlDocument = (title: string, head: Html, body: Html): string =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>${title}</title>
        ${head}
      </head>
      ${body}
    </html> `.markup;
