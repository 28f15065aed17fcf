import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TlsFiles } from '../../common/tls.js';

/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost, made with openssl: its own authority, as
 * kubectl's `--certificate-authority` takes it.
 */
export function makeCertificate(dir: string, name = 'server'): TlsFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}
