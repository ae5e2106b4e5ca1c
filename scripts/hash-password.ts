// Prints the scrypt hash of a password for a user's `passwordHash` in the configuration file.
//
//   npx tsx scripts/hash-password.ts                          (asks twice, without echo)
//   printf '%s\n' "$PASSWORD" | npx tsx scripts/hash-password.ts
//
// The password is read from standard input, never from the command line, where other users of the machine could
// read it in the process list and it would stay in the shell history.

import { hashPassword, MAX_PASSWORD_LENGTH } from '../workers/passwords';

/** Shorter passwords are refused here, where they are chosen; the configuration only sees hashes. */
const MIN_PASSWORD_LENGTH = 8;

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  // One line: the newline that echo or printf adds is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads one line from the terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    let typed = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') typed = Array.from(typed).slice(0, -1).join('');
        else typed += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  let password: string;
  if (process.stdin.isTTY) {
    password = await readHidden('密码 / Password: ');
    if ((await readHidden('再次输入 / Again: ')) !== password) throw new Error('两次输入的密码不一致 / the passwords differ');
  } else {
    password = await readPiped();
  }
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new Error(`密码至少${MIN_PASSWORD_LENGTH}个字符 / at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new Error(`密码不能超过${MAX_PASSWORD_LENGTH}个字符 / at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`hash-password: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
