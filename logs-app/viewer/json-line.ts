/** A JSON log line as the viewer shows it: its level, its message, then the other fields. */
export interface JsonView {
  level?: string;
  message?: string;
  fields: Array<[string, string]>;
}

const levelKeys = ['level', 'lvl', 'severity', 'log.level'];
const messageKeys = ['msg', 'message'];
/** pino's and bunyan's numbers. */
const numberedLevels: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function levelOf(value: unknown): string | undefined {
  if (typeof value === 'number') return numberedLevels[value] ?? String(value);
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** The view of a line that is a JSON object; undefined for any other line. */
export function jsonView(text: string): JsonView | undefined {
  if (text.charCodeAt(0) !== 123 || text.length > 65_536) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const levelKey = levelKeys.find((key) => key in record);
  const messageKey = messageKeys.find((key) => typeof record[key] === 'string');
  const fields = Object.entries(record)
    .filter(([key]) => key !== levelKey && key !== messageKey)
    .map(([key, value]): [string, string] => [key, shown(value)]);
  return {
    level: levelKey === undefined ? undefined : levelOf(record[levelKey]),
    message: messageKey === undefined ? undefined : (record[messageKey] as string),
    fields,
  };
}
