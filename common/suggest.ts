/** Edit distance (insertions, deletions, substitutions), case and dashes aside: `limit-bytes` is `limitBytes`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const plain = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');

/**
 * The known names a mistyped one most likely meant: the same but for case and dashes, the start of one (kubectl's
 * `--tail` for `tailLines`), or within two edits of one.
 */
export function closestNames(unknown: string, known: readonly string[]): string[] {
  const wanted = plain(unknown);
  if (wanted === '') return [];
  const same = known.filter((name) => plain(name) === wanted);
  if (same.length > 0) return same;
  const started = known.filter((name) => plain(name).startsWith(wanted));
  if (started.length > 0) return started;
  return known.filter((name) => distance(plain(name), wanted) <= 2);
}
