import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';

// The Temporal CLI's dev server (v1.5.1) cannot serve TLS: its server config is built in code with no TLS section
// (cli@v1.5.1 temporalcli/devserver/server.go). So tests put this mTLS front before it, as a TLS-terminating load
// balancer sits before a cluster: it checks each client certificate against the CA and pipes the bytes of every
// authorised connection to the dev server's plain gRPC port. HTTP/2 passes through untouched.

/** The name on the front's certificate (with 127.0.0.1), for TEMPORAL_TLS_SERVER_NAME. */
export const TLS_SERVER_NAME = 'temporal.gongkai.test';

type KeyPair = { cert: string; key: string };

/** The PEM files `createTestPki` writes. */
export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Client certificates signed by the CA, one per process under test (CN = the name given). */
  clients: Record<string, KeyPair>;
  /** A client certificate signed by another CA, which the front must refuse. */
  rogue: KeyPair;
}

const openssl = (...args: string[]): void =>
  void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A P-256 key in PKCS#8, which both OpenSSL (grpc-js) and rustls (the worker's native connection) read. */
function newKey(path: string): string {
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path);
  return path;
}

function newCa(dir: string, name: string): KeyPair {
  const key = newKey(join(dir, `${name}.key`));
  const cert = join(dir, `${name}.crt`);
  const extensions = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl('req', '-x509', '-new', '-key', key, '-subj', `/CN=${name}`, '-days', '2', '-out', cert,
    ...extensions.flatMap((extension) => ['-addext', extension]));
  return { cert, key };
}

/** A leaf certificate signed by `ca`, with the extensions rustls (webpki) insists on: v3, SAN, EKU, not a CA. */
function newLeaf(dir: string, name: string, ca: KeyPair, extensions: string[]): KeyPair {
  const key = newKey(join(dir, `${name}.key`));
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const cert = join(dir, `${name}.crt`);
  const leaf = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];
  const keyIds = ['subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  writeFileSync(ext, [...leaf, ...keyIds, ...extensions].join('\n'));
  openssl('req', '-new', '-key', key, '-subj', `/CN=${name}`, '-out', csr);
  const serial = `0x${randomBytes(8).toString('hex')}`;
  openssl('x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-days', '2',
    '-extfile', ext, '-out', cert);
  return { cert, key };
}

/**
 * A CA, a server certificate for `TLS_SERVER_NAME` and 127.0.0.1, one client certificate per name in `clientNames`,
 * and a rogue client certificate from a second CA, written into `dir` with the `openssl` CLI.
 */
export function createTestPki(dir: string, clientNames: readonly string[]): TestPki {
  const ca = newCa(dir, 'gongkai-test-ca');
  const serverExtensions = [`subjectAltName=DNS:${TLS_SERVER_NAME},IP:127.0.0.1`, 'extendedKeyUsage=serverAuth'];
  const server = newLeaf(dir, TLS_SERVER_NAME, ca, serverExtensions);
  const clientExtensions = (name: string) => [`subjectAltName=DNS:${name}`, 'extendedKeyUsage=clientAuth'];
  const clients = Object.fromEntries(clientNames.map((name) => [name, newLeaf(dir, name, ca, clientExtensions(name))]));
  const rogueCa = newCa(dir, 'rogue-ca');
  const rogue = newLeaf(dir, 'rogue-client', rogueCa, clientExtensions('rogue-client'));
  return { dir, caCert: ca.cert, serverCert: server.cert, serverKey: server.key, clients, rogue };
}

export interface TlsFrontOptions {
  /** The dev server's plain gRPC address, `host:port`. */
  target: string;
  cert: Buffer;
  key: Buffer;
  /** The CA client certificates must chain to. */
  clientCa: Buffer;
}

/**
 * A handshake the front refused: the client certificate's verification error (UNABLE_TO_VERIFY_LEAF_SIGNATURE), else
 * the TLS error (ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE, or an alert from a client that refused the front's).
 */
export interface RefusedHandshake {
  code: string;
  message: string;
}

/** The mTLS front: `address` is where clients connect; it counts what it let through and what it refused. */
export class TlsFront {
  /** Authorised connections by the client certificate's CN. */
  readonly authorised = new Map<string, number>();
  readonly refused: RefusedHandshake[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start({ target, cert, key, clientCa }: TlsFrontOptions): Promise<TlsFront> {
    const [host, port] = splitAddress(target);
    const server = createServer({
      cert,
      key,
      ca: clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const front = new TlsFront(server, `127.0.0.1:${(server.address() as { port: number }).port}`);
    server.on('secureConnection', (socket) => front.pipe(socket, host, port));
    // Node checks the client certificate after OpenSSL's handshake and then only hangs up: the socket keeps the reason.
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      const verifyError = socket.authorizationError as unknown as string | null | undefined;
      front.refused.push({ code: verifyError || err.code || 'unknown', message: err.message });
    });
    return front;
  }

  /** Authorised connections from the client certificate named `name`. */
  authorisedFrom(name: string): number {
    return this.authorised.get(name) ?? 0;
  }

  private pipe(client: TLSSocket, host: string, port: number): void {
    const name = String(client.getPeerCertificate().subject?.CN ?? '');
    this.authorised.set(name, this.authorisedFrom(name) + 1);
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    // Either side ending or failing ends both: gRPC reconnects as it would through a real balancer.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

function splitAddress(address: string): [host: string, port: number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}
