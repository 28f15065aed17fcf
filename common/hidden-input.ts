import { StringDecoder } from 'node:string_decoder';

const interrupt = '\u0003';
const endOfInput = '\u0004';
const eraseLine = '\u0015';
const eraseCharacter = new Set(['\u007f', '\b']);

/**
 * Reads one line typed on a terminal without showing it: in raw mode the terminal echoes nothing and hands over
 * every key. Backspace and Ctrl-U edit; Enter ends the line; Ctrl-C, or Ctrl-D on an empty line, gives up
 * (undefined). The prompt and the line break go to `output`, so standard output keeps only the command's result.
 */
export function readHidden(
  prompt: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
): Promise<string | undefined> {
  input.setRawMode(true);
  input.resume();
  output.write(prompt);
  const decoder = new StringDecoder('utf8');
  let typed: string[] = [];
  return new Promise((resolve) => {
    const finish = (line: string | undefined) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      resolve(line);
    };
    const onData = (chunk: Buffer) => {
      for (const character of decoder.write(chunk)) {
        if (character === '\r' || character === '\n') return finish(typed.join(''));
        if (character === interrupt || (character === endOfInput && typed.length === 0)) return finish(undefined);
        if (eraseCharacter.has(character)) typed.pop();
        else if (character === eraseLine) typed = [];
        else if (character >= ' ') typed.push(character);
      }
    };
    input.on('data', onData);
  });
}
