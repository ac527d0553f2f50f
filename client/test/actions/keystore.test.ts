import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { decryptKeystore, encryptKeystore, readKeystoreFile, writeKeystoreFile, type KeystoreV3 } from "../../src/chain/keystore.ts";
import { KeystoreError } from "../../src/errors/chain.ts";
import { rejection } from "../helpers/rejection.ts";
import { tempDirectory } from "@mycelium/devkit";

/** The test vectors of the Web3 Secret Storage definition (password "testpassword"). */
const VECTOR_KEY = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
const PBKDF2_VECTOR = {
  version: 3,
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  address: "",
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
    ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    kdf: "pbkdf2",
    kdfparams: { c: 262144, dklen: 32, prf: "hmac-sha256", salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd" },
    mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
  },
} as KeystoreV3;
const SCRYPT_VECTOR = {
  version: 3,
  id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  address: "",
  crypto: {
    cipher: "aes-128-ctr",
    cipherparams: { iv: "83dbcc02d8ccb40e466191a123791e0e" },
    ciphertext: "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    kdf: "scrypt",
    kdfparams: { dklen: 32, n: 262144, r: 1, p: 8, salt: "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19" },
    mac: "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097",
  },
} as KeystoreV3;

describe("keystore (Web3 Secret Storage v3)", function () {
  this.timeout(30_000);

  it("decrypts the specification's PBKDF2 test vector", async () => {
    expect(await decryptKeystore(PBKDF2_VECTOR, "testpassword")).to.equal(VECTOR_KEY);
  });

  it("reports scrypt parameters OpenSSL refuses (the specification's scrypt vector has N = 2^18 with r = 1) as KeystoreError", async () => {
    const error = await rejection(decryptKeystore(SCRYPT_VECTOR, "testpassword"));
    expect(error).to.be.instanceOf(KeystoreError);
    expect(error.message).to.contain("Cannot derive the key");
  });

  it("round-trips a key through a file and refuses a wrong password", async () => {
    const key = generatePrivateKey();
    const file = path.join(tempDirectory("myc-keystore-"), "key.json");
    const account = await writeKeystoreFile(file, key, "correct horse", { scryptN: 2 ** 12 });
    expect(account.address).to.equal(privateKeyToAccount(key).address);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).address).to.equal(account.address.slice(2).toLowerCase());
    expect((await readKeystoreFile(file, "correct horse")).address).to.equal(account.address);
    const wrong = await rejection(readKeystoreFile(file, "battery staple"));
    expect(wrong).to.be.instanceOf(KeystoreError);
    expect(wrong.message).to.contain("Wrong password");
    expect(await rejection(writeKeystoreFile(file, key, "x", { scryptN: 2 ** 12 }))).to.be.instanceOf(KeystoreError);
  });

  it("never leaves the key in the file in clear", async () => {
    const key = generatePrivateKey();
    const text = JSON.stringify(await encryptKeystore(key, "pw", { scryptN: 2 ** 12 }));
    expect(text).not.to.contain(key.slice(2));
  });

  it("reports unreadable and foreign files", async () => {
    expect(await rejection(readKeystoreFile("/does/not/exist.json", "x"))).to.be.instanceOf(KeystoreError);
    expect(await rejection(decryptKeystore('{"version":1}', "x"))).to.be.instanceOf(KeystoreError);
  });
});
