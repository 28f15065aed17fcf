import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './config.js';

/** The certificate and key a service serves HTTPS with, as files (a mounted secret rotates them in place). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** The variables that name a service's certificate and key files. */
export const tlsVariables = (prefix: string): [cert: string, key: string] => [
  `${prefix}_TLS_CERT_FILE`,
  `${prefix}_TLS_KEY_FILE`,
];

/** `<prefix>_TLS_CERT_FILE` and `<prefix>_TLS_KEY_FILE`, both or neither: neither serves plain HTTP. */
export function tlsFilesFrom(prefix: string, env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const [cert, key] = tlsVariables(prefix);
  const certFile = env[cert] || undefined;
  const keyFile = env[key] || undefined;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    throw new ConfigError(`Invalid configuration:\n  ${certFile ? key : cert}: set ${cert} and ${key} together`);
  }
  return { certFile, keyFile };
}

/** How often the files are looked at: a Kubernetes secret is swapped in behind a link, which a watch can miss. */
const checkEveryMs = 5000;

function read({ certFile, keyFile }: TlsFiles): { cert: Buffer; key: Buffer } {
  const credentials = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  /** Throws unless the two belong together and parse, before a server is handed them. */
  createSecureContext(credentials);
  return credentials;
}

/** The files as they are now; unreadable or unusable at start is a configuration error naming the variables. */
export function tlsCredentials(files: TlsFiles, variables: string): { cert: Buffer; key: Buffer } {
  try {
    return read(files);
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${variables}: ${(error as Error).message}`);
  }
}

/**
 * Serves what the files hold from the next connection on whenever they change. A pair caught half-rotated (a new
 * certificate, the old key) is refused and the old one kept until both are new.
 */
export function followTlsFiles(server: HttpsServer, files: TlsFiles, onRefused: (reason: string) => void): () => void {
  const reload = () => {
    try {
      server.setSecureContext(read(files));
    } catch (error) {
      onRefused((error as Error).message);
    }
  };
  for (const file of [files.certFile, files.keyFile]) watchFile(file, { interval: checkEveryMs }, reload);
  return () => {
    for (const file of [files.certFile, files.keyFile]) unwatchFile(file, reload);
  };
}
