// Reading from stdin: whole-stream reads for `-` arguments, and prompts for
// secrets. A prompt hides what is typed when stdin is a terminal and reads one
// plain line otherwise (so `echo KEY | coffer operator unseal` works).
export interface Input {
  readAll(): Promise<string>;
  /** Writes `prompt` with `write`, reads one line, without echo on a TTY. */
  readSecret(prompt: string, write: (text: string) => void): Promise<string>;
}

export class PromptCanceled extends Error {
  constructor() {
    super('user canceled');
    this.name = 'PromptCanceled';
  }
}

let consumed = false;

async function readAllStdin(): Promise<string> {
  if (consumed) return '';
  consumed = true;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function readLinePlain(): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const stdin = process.stdin;
    const done = (value: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
      resolve(value.replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const onEnd = () => done(buf);
    const onError = (err: Error) => reject(err);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

function readLineHidden(): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new PromptCanceled());
        if (ch === '\u0004') {
          if (value === '') return finish(new PromptCanceled());
          continue;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

export const processInput: Input = {
  readAll: readAllStdin,
  async readSecret(prompt, write) {
    write(prompt);
    const value = process.stdin.isTTY ? await readLineHidden() : await readLinePlain();
    write('\n');
    return value;
  },
};

/** Canned stdin for tests. */
export function stringInput(text: string): Input {
  let used = false;
  const lines = text.split('\n');
  return {
    async readAll() {
      if (used) return '';
      used = true;
      return text;
    },
    async readSecret(prompt, write) {
      write(prompt);
      write('\n');
      return lines.shift() ?? '';
    },
  };
}
