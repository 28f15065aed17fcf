import type { components } from '../../generated/auth.js';
import { serviceHeaders } from './auth.js';
import { assertMatchesSpec } from './contract.js';
import { openStream } from './streams.js';

export type FeedMessage = components['schemas']['ChangeFeedMessage'];

const complete = (text: string): string => text.slice(0, text.lastIndexOf('\n') + 1);

/** The messages of the complete lines of a growing text, parsed once each. */
function parser(): (text: string) => FeedMessage[] {
  const parsed: FeedMessage[] = [];
  let offset = 0;
  return (text) => {
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(offset, end).split('\n')) if (line) parsed.push(JSON.parse(line) as FeedMessage);
    offset = Math.max(offset, end);
    return parsed;
  };
}

export interface FeedReader {
  messages(): FeedMessage[];
  /** Reads until `done` holds for the messages so far; each line read is checked against the spec first. */
  until(done: (messages: FeedMessage[]) => boolean, timeoutMs?: number): Promise<FeedMessage[]>;
  end(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

/** GET /auth/changes as a service subscribes, every line checked against openapi/auth.yaml. */
export async function subscribe(authUrl: string, query = ''): Promise<FeedReader> {
  const path = `/auth/changes${query}`;
  const stream = await openStream(`${authUrl}${path}`, { ...serviceHeaders, accept: 'application/x-ndjson' });
  if (stream.response.status !== 200) throw new Error(`the feed answered ${stream.response.status}`);
  const messagesOf = parser();
  const checked = async () => {
    const text = complete(stream.text());
    await assertMatchesSpec('auth', 'GET', path, {
      status: 200,
      headers: stream.response.headers,
      contentType: (stream.response.headers.get('content-type') ?? '').split(';')[0] ?? '',
      text,
      json: undefined,
    });
  };
  return {
    messages: () => [...messagesOf(stream.text())],
    until: async (done, timeoutMs = 5000) => {
      await stream.until((text) => done(messagesOf(text)), timeoutMs);
      await checked();
      return [...messagesOf(stream.text())];
    },
    end: (timeoutMs) => stream.end(timeoutMs),
    close: () => stream.close(),
  };
}

export const changesIn = (messages: FeedMessage[]) =>
  messages.filter((message): message is Extract<FeedMessage, { type: 'change' }> => message.type === 'change');
