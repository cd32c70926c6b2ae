/**
 * Reads a secret from the terminal without echoing it. Used for keyring passwords when
 * `POQ_KEYRING_PASSWORD` is not set.
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";

export async function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new Error(`${question.trim()} needed: set POQ_KEYRING_PASSWORD or run in a terminal`);
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write(question);
  muted = true;
  const answer = await new Promise<string>((resolve) => rl.question("", resolve));
  rl.close();
  process.stderr.write("\n");
  return answer;
}
