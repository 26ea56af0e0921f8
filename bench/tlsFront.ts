/**
 * HTTPS on 127.0.0.1:443 in front of the emulators, with a certificate authority made for this
 * run only (openssl, key files in a temp folder removed on close). n8n trusts it through
 * NODE_EXTRA_CA_CERTS. Requests are forwarded by Host header to an emulator's plain-HTTP port.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TlsFront {
	/** PEM file of the run's CA: give it to n8n as NODE_EXTRA_CA_CERTS. */
	caFile: string;
	port: number;
	/** Requests forwarded per host. */
	forwarded: Record<string, number>;
	close(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
	const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}${result.error ?? ''}`);
}

/** A CA and a server certificate for `hostnames` (wildcards allowed), valid for two days. */
export function makeCertificates(dir: string, hostnames: string[]): { ca: string; key: string; cert: string } {
	openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
	openssl(
		[
			'req',
			'-x509',
			'-new',
			'-key',
			'ca.key',
			'-out',
			'ca.pem',
			'-days',
			'2',
			'-subj',
			'/CN=n8n-dm-zendesk bench CA (this run only)',
			'-addext',
			'basicConstraints=critical,CA:TRUE',
			'-addext',
			'keyUsage=critical,keyCertSign,cRLSign',
		],
		dir,
	);
	openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key'], dir);
	openssl(['req', '-new', '-key', 'server.key', '-out', 'server.csr', '-subj', '/CN=n8n-dm-zendesk bench front'], dir);
	fs.writeFileSync(
		path.join(dir, 'server.ext'),
		[
			`subjectAltName=${hostnames.map((h) => `DNS:${h}`).join(',')}`,
			'basicConstraints=CA:FALSE',
			'keyUsage=critical,digitalSignature,keyEncipherment',
			'extendedKeyUsage=serverAuth',
			'',
		].join('\n'),
	);
	openssl(
		[
			'x509',
			'-req',
			'-in',
			'server.csr',
			'-CA',
			'ca.pem',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-out',
			'server.pem',
			'-days',
			'2',
			'-extfile',
			'server.ext',
		],
		dir,
	);
	return { ca: path.join(dir, 'ca.pem'), key: path.join(dir, 'server.key'), cert: path.join(dir, 'server.pem') };
}

/**
 * Starts the front. `routes` maps a Host name (no port) to the emulator's HTTP port; `port` is
 * 443 in the namespace, any port (0) elsewhere.
 */
export async function startTlsFront(routes: Record<string, number>, port = 443): Promise<TlsFront> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-dm-bench-tls-'));
	const wildcardHosts = Object.keys(routes);
	const files = makeCertificates(dir, wildcardHosts);
	const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
	const forwarded: Record<string, number> = {};
	const server = https.createServer(
		{ key: fs.readFileSync(files.key), cert: fs.readFileSync(files.cert) },
		(req, res) => {
			const host = String(req.headers.host ?? '')
				.replace(/:\d+$/, '')
				.toLowerCase();
			const target = routes[host];
			if (!target) {
				res.writeHead(502, { 'content-type': 'text/plain' }).end(`bench TLS front: no emulator for host ${host}`);
				return;
			}
			forwarded[host] = (forwarded[host] ?? 0) + 1;
			const upstream = http.request(
				{ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers, agent },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', (error) => {
				if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
				res.end(`bench TLS front: ${error.message}`);
			});
			req.pipe(upstream);
		},
	);
	const sockets = new Set<import('node:stream').Duplex>();
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	return {
		caFile: files.ca,
		port: (server.address() as AddressInfo).port,
		forwarded,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			agent.destroy();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
