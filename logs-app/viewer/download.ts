import type { LogStore } from './log-store.js';

/** What is shown (the filter's lines, with their times when shown) as a text file, made in the browser. */
export function downloadShown(store: LogStore, timestamps: boolean, fileName: string): void {
  const parts: string[] = [];
  for (const line of store.shown())
    parts.push(timestamps && line.time ? `${line.time} ${line.text}\n` : `${line.text}\n`);
  const url = URL.createObjectURL(new Blob(parts, { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
