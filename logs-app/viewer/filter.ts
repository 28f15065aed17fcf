/** What the filter box asks for: plain text (any case) or a regular expression. */
export interface Matcher {
  test(text: string): boolean;
  /** Where it matches, as [start, end) pairs, for highlighting. */
  ranges(text: string): Array<[number, number]>;
}

function textMatcher(query: string): Matcher {
  const needle = query.toLowerCase();
  return {
    test: (text) => text.toLowerCase().includes(needle),
    ranges(text) {
      const found: Array<[number, number]> = [];
      const haystack = text.toLowerCase();
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
        found.push([at, at + needle.length]);
      }
      return found;
    },
  };
}

function patternMatcher(pattern: RegExp): Matcher {
  const global = new RegExp(pattern.source, `${pattern.flags}g`);
  return {
    test: (text) => pattern.test(text),
    ranges(text) {
      const found: Array<[number, number]> = [];
      global.lastIndex = 0;
      for (let match = global.exec(text); match; match = global.exec(text)) {
        if (match[0].length === 0) {
          global.lastIndex += 1;
          continue;
        }
        found.push([match.index, match.index + match[0].length]);
      }
      return found;
    },
  };
}

export type FilterResult = { matcher: Matcher | undefined } | { error: string };

export function matcherFor(query: string, regularExpression: boolean): FilterResult {
  if (query === '') return { matcher: undefined };
  if (!regularExpression) return { matcher: textMatcher(query) };
  try {
    return { matcher: patternMatcher(new RegExp(query, 'i')) };
  } catch (error) {
    return { error: `Not a valid regular expression: ${(error as Error).message}` };
  }
}
