/**
 * CURVE key files (created by `nadir keys`), one Z85 key per file:
 *   <dir>/<name>.public   the public key (40 Z85 characters and a newline)
 *   <dir>/<name>.secret   the secret key (file mode 0600)
 *   <dir>/authorized_keys the allow-list: one Z85 public key per line; blank lines and lines starting with "# " ignored (# is a Z85 character)
 * The coordinator uses `server.public`/`server.secret`; a worker uses its own pair plus `server.public`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zmq from "zeromq";
import { CoordinatorError } from "./errors.js";

/** Raised for missing or malformed key files. */
export class KeyFileError extends CoordinatorError {
  constructor(message: string) {
    super("key_file_invalid", message);
  }
}

const Z85_RE = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** True for a 40-character Z85 string (a CURVE key). */
export function isZ85Key(s: string): boolean {
  return Z85_RE.test(s);
}

function readKey(file: string): string {
  if (!fs.existsSync(file)) throw new KeyFileError(`${file}: no such key file`);
  const k = fs.readFileSync(file, "utf8").trim();
  if (!isZ85Key(k)) throw new KeyFileError(`${file}: not a 40-character Z85 CURVE key`);
  return k;
}

/** Generates a key pair and writes `<name>.public` and `<name>.secret` (0600). Refuses to overwrite. */
export function generateKeyPair(
  dir: string,
  name: string,
): { publicKey: string; publicFile: string; secretFile: string } {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    throw new KeyFileError(`key name must match [A-Za-z0-9_.-]{1,64}, got ${JSON.stringify(name)}`);
  fs.mkdirSync(dir, { recursive: true });
  const publicFile = path.join(dir, `${name}.public`);
  const secretFile = path.join(dir, `${name}.secret`);
  for (const f of [publicFile, secretFile])
    if (fs.existsSync(f)) throw new KeyFileError(`${f} exists; not overwriting a key`);
  const { publicKey, secretKey } = zmq.curveKeyPair();
  fs.writeFileSync(secretFile, `${secretKey}\n`, { mode: 0o600 });
  fs.writeFileSync(publicFile, `${publicKey}\n`);
  return { publicKey, publicFile, secretFile };
}

/** Reads `<name>.public` and `<name>.secret`. */
export function readKeyPair(dir: string, name: string): { publicKey: string; secretKey: string } {
  return {
    publicKey: readKey(path.join(dir, `${name}.public`)),
    secretKey: readKey(path.join(dir, `${name}.secret`)),
  };
}

/** Reads `<dir>/authorized_keys` (empty list when the file does not exist). */
export function readAuthorizedKeys(dir: string): string[] {
  const file = path.join(dir, "authorized_keys");
  if (!fs.existsSync(file)) return [];
  const keys: string[] = [];
  fs.readFileSync(file, "utf8")
    .split(/\r?\n/)
    .forEach((line, i) => {
      // Only whole-line comments: "#" is a Z85 character, so it cannot start a trailing comment.
      const t = line.trim();
      if (!t || t.startsWith("# ") || t === "#") return;
      if (!isZ85Key(t)) throw new KeyFileError(`${file}:${i + 1}: not a 40-character Z85 public key`);
      keys.push(t);
    });
  return keys;
}

/** Adds a public key (a Z85 string or a `.public` file) to `<dir>/authorized_keys`; returns the key. */
export function authorizeKey(dir: string, keyOrFile: string): string {
  const key = isZ85Key(keyOrFile) ? keyOrFile : readKey(keyOrFile);
  const existing = readAuthorizedKeys(dir);
  if (!existing.includes(key)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(path.join(dir, "authorized_keys"), `${key}\n`);
  }
  return key;
}

/** The coordinator's CURVE settings from a key directory (server pair + allow-list). */
export function serverCurveFromDir(dir: string): {
  publicKey: string;
  secretKey: string;
  allowedClientKeys: string[];
} {
  const pair = readKeyPair(dir, "server");
  const allowed = readAuthorizedKeys(dir);
  if (allowed.length === 0)
    throw new KeyFileError(
      `${path.join(dir, "authorized_keys")}: no allowed client keys; every client would be refused`,
    );
  return { ...pair, allowedClientKeys: allowed };
}
