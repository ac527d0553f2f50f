/**
 * Hidden input from the terminal (passwords). Reads from /dev/tty-like stdin in raw mode so nothing is echoed; refuses
 * when stdin is not a terminal, so scripts never hang waiting for a password nobody can type.
 */
import { KeystoreError } from "@mycelium/client";

export async function promptHidden(
  question: string,
  options: { stdin?: NodeJS.ReadStream; stderr?: NodeJS.WritableStream } = {},
): Promise<string> {
  const stdin = options.stdin ?? process.stdin;
  const stderr = options.stderr ?? process.stderr;
  if (!stdin.isTTY) {
    throw new KeystoreError("A keystore password is needed and there is no terminal to ask for it.", {
      hint: "Set MYC_KEYSTORE_PASSWORD, or run the command in a terminal.",
    });
  }
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  return new Promise<string>((resolve, reject) => {
    let answer = "";
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new KeystoreError("Password entry was cancelled.", { hint: "Run the command again." }));
        if (char === "\u007f" || char === "\b") answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    stdin.on("data", onData);
  });
}
