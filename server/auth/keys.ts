/**
 * The JWT signing key. From JWT_PRIVATE_KEY (PEM or JWK) in production; outside
 * production, generated once and kept in ROSTER_DATA_DIR so restarts keep tokens valid.
 */
import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import { ConfigError, type Config } from "../config";

export interface SigningKey {
  algorithm: Config["auth"]["algorithm"];
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as published at /.well-known/jwks.json. */
  publicJwk: JWK;
}

const KEY_TYPES: Record<SigningKey["algorithm"], string> = { EdDSA: "ed25519", RS256: "rsa", ES256: "ec" };

export async function loadSigningKey(config: Config): Promise<SigningKey> {
  const { algorithm } = config.auth;
  const privateKey = config.auth.privateKey
    ? parsePrivateKey(config.auth.privateKey)
    : await generatedKey(config.dataDir, config.database.embedded === "memory" || config.nodeEnv === "test", algorithm);
  if (privateKey.asymmetricKeyType !== KEY_TYPES[algorithm]) {
    throw new ConfigError(
      `JWT_PRIVATE_KEY: is a ${privateKey.asymmetricKeyType} key, but JWT_ALGORITHM=${algorithm} needs ${KEY_TYPES[algorithm]}`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { algorithm, kid, privateKey, publicKey, publicJwk: { ...jwk, kid, alg: algorithm, use: "sig" } };
}

function parsePrivateKey(raw: string): KeyObject {
  try {
    const text = raw.includes("\\n") ? raw.replace(/\\n/g, "\n") : raw;
    if (text.trim().startsWith("{")) return createPrivateKey({ key: JSON.parse(text), format: "jwk" });
    return createPrivateKey(text);
  } catch (error) {
    throw new ConfigError(`JWT_PRIVATE_KEY: not a PEM or JWK private key (${(error as Error).message})`);
  }
}

async function generatedKey(dataDir: string, ephemeral: boolean, algorithm: SigningKey["algorithm"]) {
  const file = path.join(dataDir, `jwt-${algorithm.toLowerCase()}.jwk.json`);
  if (!ephemeral && fs.existsSync(file)) {
    return createPrivateKey({ key: JSON.parse(fs.readFileSync(file, "utf8")), format: "jwk" });
  }
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true, crv: algorithm === "EdDSA" ? "Ed25519" : undefined });
  const jwk = await exportJWK(privateKey);
  if (!ephemeral) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  }
  return createPrivateKey({ key: jwk as never, format: "jwk" });
}

/**
 * A 32-byte secret for one purpose (e.g. "check-in-qr"), derived with HKDF-SHA256 from the
 * signing key: no new configuration, different for every purpose, and rotated with the key
 * (rotating JWT_PRIVATE_KEY invalidates printed check-in codes too).
 */
export function derivedSecret(key: Pick<SigningKey, "privateKey">, purpose: string): Uint8Array {
  const material = key.privateKey.export({ format: "der", type: "pkcs8" });
  return new Uint8Array(hkdfSync("sha256", material, "roster", purpose, 32));
}
