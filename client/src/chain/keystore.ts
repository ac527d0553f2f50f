/**
 * Encrypted key files in the Web3 Secret Storage format (version 3), the format geth, Foundry's `cast wallet` and
 * most wallets read and write: AES-128-CTR under a key derived with scrypt (or PBKDF2-HMAC-SHA256 when reading), and
 * a keccak-256 MAC that tells a wrong password from a corrupt file.
 */
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes, randomUUID, scrypt, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { KeystoreError } from "../errors/chain.ts";

export type KeystoreV3 = {
  version: 3;
  id: string;
  /** Lowercase hex address without 0x. */
  address: string;
  crypto: {
    cipher: "aes-128-ctr";
    cipherparams: { iv: string };
    ciphertext: string;
    kdf: "scrypt" | "pbkdf2";
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
};

type ScryptParams = { dklen: number; n: number; r: number; p: number; salt: string };
type Pbkdf2Params = { dklen: number; c: number; prf: "hmac-sha256"; salt: string };

export type EncryptKeystoreOptions = {
  /** scrypt cost N (a power of two). Default 2^18, geth's "standard"; 2^12 is fast enough for tests. */
  scryptN?: number | undefined;
};

/** Encrypts a private key with a password. Keep the password somewhere else than the file. */
export async function encryptKeystore(privateKey: Hex, password: string, options: EncryptKeystoreOptions = {}): Promise<KeystoreV3> {
  const account = toAccount(privateKey);
  const kdfparams: ScryptParams = { dklen: 32, n: options.scryptN ?? 2 ** 18, r: 8, p: 1, salt: randomBytes(32).toString("hex") };
  const derived = await deriveKey(password, "scrypt", kdfparams);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(hexToBytes(privateKey)), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    address: account.address.slice(2).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams,
      mac: mac(derived, ciphertext).slice(2),
    },
  };
}

/** Decrypts a keystore (object or JSON text) and returns the private key; KeystoreError for a wrong password. */
export async function decryptKeystore(keystore: KeystoreV3 | string, password: string, source = "the keystore"): Promise<Hex> {
  const parsed = typeof keystore === "string" ? parseKeystore(keystore, source) : keystore;
  const { crypto } = parsed;
  if (crypto?.cipher !== "aes-128-ctr") {
    throw new KeystoreError(`${source} uses an unsupported cipher (${String(crypto?.cipher)}).`, {
      path: source,
      hint: "Use a version 3 keystore with aes-128-ctr.",
    });
  }
  const derived = await deriveKey(password, crypto.kdf, crypto.kdfparams, source);
  const ciphertext = Buffer.from(crypto.ciphertext, "hex");
  const expected = Buffer.from(crypto.mac, "hex");
  const actual = Buffer.from(mac(derived, ciphertext).slice(2), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new KeystoreError(`Wrong password for ${source}.`, {
      path: source,
      hint: "Check MYC_KEYSTORE_PASSWORD (or what you typed at the prompt).",
    });
  }
  const decipher = createDecipheriv("aes-128-ctr", derived.subarray(0, 16), Buffer.from(crypto.cipherparams.iv, "hex"));
  const privateKey = bytesToHex(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  if (parsed.address && toAccount(privateKey).address.slice(2).toLowerCase() !== parsed.address.toLowerCase()) {
    throw new KeystoreError(`${source} decrypts to another address than it names.`, {
      path: source,
      hint: "The file is corrupt; restore it from a backup.",
    });
  }
  return privateKey;
}

/** Reads a keystore file and returns the account it holds. */
export async function readKeystoreFile(path: string, password: string): Promise<PrivateKeyAccount> {
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (cause) {
    throw new KeystoreError(`Cannot read the keystore ${path}.`, {
      path,
      hint: "Check the keystore file's path (MYC_KEYSTORE, or the path given).",
      cause,
    });
  }
  return privateKeyToAccount(await decryptKeystore(text, password, path));
}

/** Writes a new keystore file (mode 0600), refusing to overwrite an existing one. */
export async function writeKeystoreFile(
  path: string,
  privateKey: Hex,
  password: string,
  options: EncryptKeystoreOptions = {},
): Promise<PrivateKeyAccount> {
  const keystore = await encryptKeystore(privateKey, password, options);
  try {
    await fs.writeFile(path, `${JSON.stringify(keystore, null, 2)}\n`, { flag: "wx", mode: 0o600 });
  } catch (cause) {
    const exists = (cause as NodeJS.ErrnoException).code === "EEXIST";
    throw new KeystoreError(exists ? `${path} already exists.` : `Cannot write the keystore ${path}.`, {
      path,
      hint: exists ? "Choose another path; an existing keystore is never overwritten." : "Check that the folder exists and is writable.",
      cause,
    });
  }
  return privateKeyToAccount(privateKey);
}

function toAccount(privateKey: Hex): PrivateKeyAccount {
  try {
    return privateKeyToAccount(privateKey);
  } catch (cause) {
    throw new KeystoreError("The private key is not 32 bytes of hex.", { hint: "A private key is 0x followed by 64 hex digits.", cause });
  }
}

function parseKeystore(text: string, source: string): KeystoreV3 {
  try {
    const parsed = JSON.parse(text) as KeystoreV3;
    if (parsed.version !== 3 || typeof parsed.crypto !== "object") throw new Error("not a version 3 keystore");
    return parsed;
  } catch (cause) {
    throw new KeystoreError(`${source} is not a version 3 keystore.`, {
      path: source,
      hint: "Pass a keystore written by myc, geth or cast wallet.",
      cause,
    });
  }
}

function mac(derived: Buffer, ciphertext: Buffer): Hex {
  return keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]));
}

function deriveKey(password: string, kdf: string, params: ScryptParams | Pbkdf2Params, source = "the keystore"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, key: Buffer) =>
      error
        ? reject(
            new KeystoreError(`Cannot derive the key of ${source}.`, {
              path: source,
              hint: "The key derivation parameters are not supported.",
              cause: error,
            }),
          )
        : resolve(key);
    const salt = Buffer.from(params.salt, "hex");
    if (kdf === "scrypt") {
      const { n, r, p, dklen } = params as ScryptParams;
      try {
        scrypt(password, salt, dklen, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, done);
      } catch (error) {
        // OpenSSL refuses parameters outside RFC 7914 (N must be below 2^(16 r)), which no mainstream wallet writes.
        done(error as Error, Buffer.alloc(0));
      }
    } else if (kdf === "pbkdf2" && (params as Pbkdf2Params).prf === "hmac-sha256") {
      const { c, dklen } = params as Pbkdf2Params;
      pbkdf2(password, salt, c, dklen, "sha256", done);
    } else {
      reject(
        new KeystoreError(`${source} uses an unsupported key derivation (${kdf}).`, {
          path: source,
          hint: "Use a keystore with scrypt or pbkdf2 (hmac-sha256).",
        }),
      );
    }
  });
}
