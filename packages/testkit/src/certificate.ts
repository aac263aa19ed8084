import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM certificate, also the CA to trust (e.g. written to a file named by NODE_EXTRA_CA_CERTS). */
  cert: string;
  key: string;
}

let made: Promise<TestCertificate> | undefined;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid for a day, made once per process:
 * lets a test serve HTTPS on loopback to code that (rightly) refuses plain http.
 */
export function testCertificate(): Promise<TestCertificate> {
  made ??= generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  }).then((r) => ({ cert: r.cert, key: r.private }));
  return made;
}
