/**
 * Attachment Allowlist against the Slack emulator (and small hostile servers), through the
 * in-process n8n-core runner: real downloads with the credential's token, binary data as n8n
 * stores it, notices as Slack receives them.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { INodeExecutionData } from 'n8n-workflow';

import { startSlackEmulator } from '../../emulators/slack';
import { AttachmentAllowlist } from '../../nodes/AttachmentAllowlist/AttachmentAllowlist.node';
import { fileRefs } from '../../nodes/SlackDmTrigger/helpers/eventFields';
import type { SlackEventFile } from '../../nodes/shared/slack/events';
import type { AttachmentCheckFields, SlackDmItem, SlackFileRef } from '../../nodes/shared/types';
import * as files from '../fixtures/files/generate';
import { executeNode } from '../harness/inProcess';

type Emulator = Awaited<ReturnType<typeof startSlackEmulator>>;

const node = new AttachmentAllowlist();
let slack: Emulator;
let F: Emulator['fixtures'];

beforeAll(async () => {
	slack = await startSlackEmulator({ rateLimits: false });
	F = slack.fixtures;
});

afterAll(async () => {
	await slack.close();
});

function credentials(baseUrl: string = slack.apiUrl, accessToken: string = F.handleToken) {
	return { slackDmApi: { accessToken, baseUrl } };
}

let messageCounter = 0;

function dmItem(fileList: SlackFileRef[], overrides: Partial<SlackDmItem> = {}): SlackDmItem {
	messageCounter += 1;
	const ts = `1700000000.${String(messageCounter).padStart(6, '0')}`;
	return {
		eventId: `Ev${messageCounter}`,
		idempotencyKey: `${F.teamId}:D-test:${ts}:${Date.now()}`,
		teamId: F.teamId,
		handle: { name: 'IT', userId: F.handleUserId, teamId: F.teamId },
		user: { id: F.employeeId, teamId: F.teamId, isExternal: false },
		channel: { id: 'D-unused', type: 'im', isExtShared: false },
		message: { ts, text: 'files attached', files: fileList },
		kind: 'message',
		receivedAt: new Date().toISOString(),
		...overrides,
	};
}

/** The employee (or another sender) DMs the handle with files; the item the trigger would emit. */
async function sendFiles(
	inputs: Array<{ name: string; mimetype: string; content: Buffer }>,
	sender: string = F.employeeId,
	senderTeam: string = F.teamId,
): Promise<SlackDmItem> {
	const sent = await slack.userSends({
		userId: sender,
		toUserId: F.handleUserId,
		text: 'see attached',
		files: inputs,
		wait: false,
	});
	const event = sent.envelopes[0].event as { files?: SlackEventFile[] };
	const item = dmItem(fileRefs(event.files), {
		user: { id: sender, teamId: senderTeam, isExternal: senderTeam !== F.teamId },
		channel: { id: sent.channel, type: 'im', isExtShared: false },
		message: { ts: sent.ts, text: 'see attached', files: fileRefs(event.files) },
		idempotencyKey: `${F.teamId}:${sent.channel}:${sent.ts}`,
	});
	postedBefore.set(item.idempotencyKey, slack.ws.postedMessages.length);
	return item;
}

async function run(item: SlackDmItem, parameters: Record<string, unknown> = {}, creds = credentials()) {
	const { outputs } = await executeNode(node, {
		parameters: parameters as never,
		credentials: creds,
		items: [{ json: item as never }],
	});
	return outputs[0][0];
}

function fieldsOf(output: INodeExecutionData): AttachmentCheckFields {
	return output.json as unknown as AttachmentCheckFields;
}

/** The stored bytes, whatever n8n's binary data mode (the runner uses the filesystem). */
async function bytesOf(output: INodeExecutionData, key: string): Promise<Buffer> {
	const binary = output.binary?.[key];
	if (!binary) throw new Error(`no binary ${key}`);
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** Messages posted into `channel` since the item was built (all employee DMs share one channel). */
function postedIn(channel: string, item?: SlackDmItem) {
	const since = item ? (postedBefore.get(item.idempotencyKey) ?? 0) : 0;
	return slack.ws.postedMessages.slice(since).filter((m) => m.channel === channel);
}

const postedBefore = new Map<string, number>();

describe('Attachment Allowlist with the Slack emulator', () => {
	it('passes real files of each allowed type on as binary data, byte for byte', async () => {
		const inputs = [
			{ name: 'report.pdf', mimetype: 'application/pdf', content: files.makePdf() },
			{ name: 'screen.png', mimetype: 'image/png', content: files.makePng(8, 8) },
			{ name: 'photo.jpg', mimetype: 'image/jpeg', content: files.makeJpeg() },
			{ name: 'anim.gif', mimetype: 'image/gif', content: files.makeGif() },
			// Readable Unicode names survive the download and the sanitiser.
			{ name: 'Grüße 東京.txt', mimetype: 'text/plain', content: files.makeText() },
		];
		const item = await sendFiles(inputs);
		const output = await run(item);
		const fields = fieldsOf(output);
		expect(fields.rejectedFiles).toEqual([]);
		expect(fields.acceptedFiles.map((f) => [f.name, f.mimetype, f.binaryKey, f.size])).toEqual(
			inputs.map((input, index) => [input.name, input.mimetype, `attachment_${index}`, input.content.length]),
		);
		for (const [index, input] of inputs.entries())
			expect((await bytesOf(output, `attachment_${index}`)).equals(input.content)).toBe(true);
		expect(output.binary?.attachment_0).toMatchObject({ fileName: 'report.pdf', mimeType: 'application/pdf' });
		// The item's own fields are kept; no notice for a message without refusals.
		expect(output.json.idempotencyKey).toBe(item.idempotencyKey);
		expect(fields.attachmentNotice).toBeUndefined();
		expect(postedIn(item.channel.id, item)).toHaveLength(0);
	});

	it('refuses spoofed, polyglot, empty and disallowed files with a reason each, and tells the sender once', async () => {
		const item = await sendFiles([
			{ name: 'invoice.pdf', mimetype: 'application/pdf', content: files.makeElf() },
			{ name: 'notes.txt', mimetype: 'text/plain', content: files.makeHtml() },
			{ name: 'picture.gif', mimetype: 'image/gif', content: files.makePng() },
			{ name: 'funny.gif', mimetype: 'image/gif', content: files.makeGifWithZip() },
			{ name: 'logo.png', mimetype: 'image/png', content: files.makePngWithPe() },
			{ name: 'setup.exe', mimetype: 'application/x-msdownload', content: files.makePe() },
			{ name: 'empty.txt', mimetype: 'text/plain', content: Buffer.alloc(0) },
			{ name: 'fine.png', mimetype: 'image/png', content: files.makePng() },
		]);
		const output = await run(item, { noticeMode: 'dm' });
		const fields = fieldsOf(output);
		expect(fields.rejectedFiles.map((f) => [f.name, f.reason])).toEqual([
			['invoice.pdf', 'contentMismatch'],
			['notes.txt', 'contentMismatch'],
			['picture.gif', 'contentMismatch'],
			['funny.gif', 'contentMismatch'],
			['logo.png', 'contentMismatch'],
			['setup.exe', 'typeNotAllowed'],
			['empty.txt', 'empty'],
		]);
		expect(fields.acceptedFiles.map((f) => [f.name, f.binaryKey])).toEqual([['fine.png', 'attachment_0']]);
		expect(Object.keys(output.binary ?? {})).toEqual(['attachment_0']);

		const notices = postedIn(item.channel.id, item);
		expect(notices).toHaveLength(1);
		expect(notices[0].method).toBe('chat.postMessage');
		expect(notices[0].text).toContain('• invoice.pdf: the content is a Linux executable, not a PDF document');
		expect(notices[0].text).toContain('• funny.gif: the GIF file also contains a ZIP archive');
		expect(notices[0].text).toContain('• setup.exe: this file type is not allowed');
		expect(notices[0].text).toContain('• empty.txt: the file is empty');
		expect(notices[0].text).not.toContain('fine.png');
		expect(fields.attachmentNotice).toEqual({ sent: true, mode: 'dm' });

		// Slack retries the event / the workflow runs again: no second notice.
		const again = fieldsOf(await run(item, { noticeMode: 'dm' }));
		expect(again.attachmentNotice).toEqual({
			sent: false,
			mode: 'dm',
			detail: 'a notice was already sent for this message',
		});
		expect(postedIn(item.channel.id, item)).toHaveLength(1);
	});

	it('passes a ZUGFeRD/Factur-X e-invoice and names what it found in refused files', async () => {
		const invoice = Buffer.concat([
			files.makePdf('Rechnung', '/Names << /EmbeddedFiles << /Names [(factur-x.xml) 6 0 R] >> >> /AF [6 0 R] '),
			Buffer.from(
				'6 0 obj\n<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 7 0 R >> /AFRelationship /Alternative >>\nendobj\n' +
					'7 0 obj\n<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length 3 >>\nstream\nabc\nendstream\nendobj\n',
				'latin1',
			),
		]);
		const item = await sendFiles([
			{ name: 'Rechnung-2024-001.pdf', mimetype: 'application/pdf', content: invoice },
			{
				name: 'macro.pdf',
				mimetype: 'application/pdf',
				content: files.makePdf('x', '/OpenAction << /S /J#61vaScript /JS (x) >> '),
			},
			{
				name: 'export.txt',
				mimetype: 'text/plain',
				content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name;Wert', 'utf16le')]),
			},
		]);
		const fields = fieldsOf(await run(item, { noticeMode: 'dm' }));
		expect(fields.acceptedFiles.map((f) => f.name)).toEqual(['Rechnung-2024-001.pdf']);
		const notice = postedIn(item.channel.id, item)[0].text;
		expect(notice).toContain('• macro.pdf: the PDF contains JavaScript');
		expect(notice).toContain('• export.txt: the text file is UTF-16 encoded; only UTF-8 text is accepted');
	});

	it('sends an ephemeral notice with the admin text to the sender only', async () => {
		const item = await sendFiles([
			{ name: 'tool.sh', mimetype: 'application/x-sh', content: Buffer.from('#!/bin/sh\n') },
		]);
		await run(item, { noticeMode: 'ephemeral', noticeText: 'Refused {count}: {files}' });
		const notices = postedIn(item.channel.id, item);
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatchObject({
			method: 'chat.postEphemeral',
			ephemeralTo: F.employeeId,
			text: 'Refused 1: • tool.sh: this file type is not allowed',
		});
	});

	it("sends no notice for the handle's own messages, when notices are off, or for edits", async () => {
		const own = await sendFiles([{ name: 'x.exe', mimetype: 'application/x-msdownload', content: files.makePe() }]);
		const echo = {
			...own,
			user: { id: F.handleUserId, teamId: F.teamId, isExternal: false },
			idempotencyKey: `${own.idempotencyKey}:echo`,
		};
		expect(fieldsOf(await run(echo)).attachmentNotice).toBeUndefined();
		const off = { ...own, idempotencyKey: `${own.idempotencyKey}:off` };
		expect(fieldsOf(await run(off, { noticeMode: 'off' })).rejectedFiles).toHaveLength(1);
		const edit = { ...own, kind: 'edit' as const, idempotencyKey: `${own.idempotencyKey}:edit` };
		expect(fieldsOf(await run(edit))).toMatchObject({ acceptedFiles: [], rejectedFiles: [] });
		expect(postedIn(own.channel.id, own)).toHaveLength(0);
	});

	it('resolves Slack Connect file stubs with files.info before downloading', async () => {
		const before = slack.server.countCalls('files.info');
		const item = await sendFiles(
			[{ name: 'partner-contract.pdf', mimetype: 'application/pdf', content: files.makePdf('Contract') }],
			F.partnerUserId,
			F.partnerTeamId,
		);
		expect(item.message.files[0]).toMatchObject({ isSlackConnectStub: true, downloadUrl: '' });
		const output = await run(item);
		expect(slack.server.countCalls('files.info')).toBe(before + 1);
		expect(fieldsOf(output).acceptedFiles).toEqual([
			{
				id: item.message.files[0].id,
				name: 'partner-contract.pdf',
				mimetype: 'application/pdf',
				size: files.makePdf('Contract').length,
				binaryKey: 'attachment_0',
			},
		]);
	});

	it('refuses a stub files.info cannot resolve, as a download failure', async () => {
		const stub: SlackFileRef = {
			id: 'F0MISSING',
			name: 'F0MISSING',
			mimetype: '',
			filetype: '',
			size: 0,
			downloadUrl: '',
			isSlackConnectStub: true,
		};
		const fields = fieldsOf(await run(dmItem([stub]), { noticeMode: 'off' }));
		expect(fields.rejectedFiles).toEqual([
			{
				id: 'F0MISSING',
				name: 'F0MISSING',
				reason: 'downloadFailed',
				detail: 'Slack files.info answered file_not_found',
			},
		]);
	});

	it('with file sending off refuses every file without downloading, and says so', async () => {
		const downloads = slack.server.countCalls('files.download');
		const item = await sendFiles([{ name: 'a.pdf', mimetype: 'application/pdf', content: files.makePdf() }]);
		const fields = fieldsOf(await run(item, { fileSending: false }));
		expect(fields.rejectedFiles).toMatchObject([{ name: 'a.pdf', reason: 'fileSendingDisabled' }]);
		expect(slack.server.countCalls('files.download')).toBe(downloads);
		expect(postedIn(item.channel.id, item)[0].text).toContain('a.pdf: file sending is turned off');
	});

	it('enforces the size limits per file and per message', async () => {
		const item = await sendFiles([
			{ name: 'big.txt', mimetype: 'text/plain', content: Buffer.alloc(1500, 0x7a) },
			{ name: 'a.txt', mimetype: 'text/plain', content: Buffer.alloc(600, 0x61) },
			{ name: 'b.txt', mimetype: 'text/plain', content: Buffer.alloc(600, 0x62) },
		]);
		expect(item.message.files[0].size).toBeGreaterThan(1000);
		const fields = fieldsOf(await run(item, { maxFileSizeMb: 0.001, maxMessageSizeMb: 0.001, noticeMode: 'off' }));
		expect(fields.rejectedFiles.map((f) => [f.name, f.reason])).toEqual([
			['big.txt', 'tooLarge'],
			['b.txt', 'messageTooLarge'],
		]);
		expect(fields.acceptedFiles.map((f) => f.name)).toEqual(['a.txt']);
	});

	it('downloads a file whose event gave no size (unknown, not empty) and accepts it', async () => {
		const content = files.makePdf();
		const item = await sendFiles([{ name: 'nosize.pdf', mimetype: 'application/pdf', content }]);
		// The trigger's view of an event file without `size`.
		const eventFiles = item.message.files.map((f) => ({
			id: f.id,
			name: f.name,
			mimetype: f.mimetype,
			filetype: f.filetype,
			url_private_download: f.downloadUrl,
		}));
		const refs = fileRefs(eventFiles);
		expect(refs[0].size).toBeLessThan(0);
		const fields = fieldsOf(await run({ ...item, message: { ...item.message, files: refs } }, { noticeMode: 'off' }));
		expect(fields.rejectedFiles).toEqual([]);
		expect(fields.acceptedFiles).toMatchObject([{ name: 'nosize.pdf', size: content.length }]);
	});

	it('adds admin types (extension + MIME type) with their content rule', async () => {
		const item = await sendFiles([
			{ name: 'data.csv', mimetype: 'text/csv', content: Buffer.from('a,b\n1,2\n') },
			{ name: 'fake.csv', mimetype: 'text/csv', content: files.makeElf() },
		]);
		const fields = fieldsOf(
			await run(item, { additionalTypes: { types: [{ extension: 'csv', mimeType: 'text/csv' }] }, noticeMode: 'off' }),
		);
		expect(fields.acceptedFiles.map((f) => f.name)).toEqual(['data.csv']);
		expect(fields.rejectedFiles).toMatchObject([{ name: 'fake.csv', reason: 'contentMismatch' }]);
	});

	it('sanitises traversal names before they reach the binary data', async () => {
		const item = await sendFiles([
			{ name: '../../etc/passwd.txt', mimetype: 'text/plain', content: Buffer.from('root:x:0:0\n') },
		]);
		const output = await run(item);
		expect(fieldsOf(output).acceptedFiles[0].name).toBe('passwd.txt');
		expect(output.binary?.attachment_0.fileName).toBe('passwd.txt');
	});

	it('retries a download Slack answers with 503, and reports one it answers with 404', async () => {
		const item = await sendFiles([
			{ name: 'once.pdf', mimetype: 'application/pdf', content: files.makePdf('retry') },
			{ name: 'never.pdf', mimetype: 'application/pdf', content: files.makePdf('gone') },
		]);
		const before = slack.server.countCalls('files.download');
		slack.server.injectFault('files.download', { kind: 'status', status: 503 }, 1);
		const first = fieldsOf(
			await run(
				{ ...item, message: { ...item.message, files: item.message.files.slice(0, 1) } },
				{ noticeMode: 'off' },
			),
		);
		expect(first.acceptedFiles.map((f) => f.name)).toEqual(['once.pdf']);
		expect(slack.server.countCalls('files.download')).toBe(before + 2);
		slack.server.injectFault('files.download', { kind: 'status', status: 404 }, 1);
		const second = fieldsOf(
			await run(
				{
					...item,
					idempotencyKey: `${item.idempotencyKey}:2`,
					message: { ...item.message, files: item.message.files.slice(1) },
				},
				{ noticeMode: 'off' },
			),
		);
		expect(second.rejectedFiles).toEqual([
			{ id: item.message.files[1].id, name: 'never.pdf', reason: 'downloadFailed', detail: 'Slack answered HTTP 404' },
		]);
	});

	it("treats Slack's sign-in page (token without access) as a failed download", async () => {
		const item = await sendFiles([{ name: 'r.pdf', mimetype: 'application/pdf', content: files.makePdf() }]);
		const fields = fieldsOf(await run(item, { noticeMode: 'off' }, credentials(slack.apiUrl, 'xoxp-unknown-token')));
		expect(fields.rejectedFiles).toMatchObject([
			{ name: 'r.pdf', reason: 'downloadFailed', detail: expect.stringContaining('web page') },
		]);
	});

	it('returns an error item with the data intact on Continue On Fail', async () => {
		const item = dmItem([]);
		const { outputs } = await executeNode(node, {
			parameters: { additionalTypes: { types: [{ extension: 'c s v', mimeType: 'text/csv' }] } } as never,
			credentials: credentials(),
			items: [{ json: item as never }],
			continueOnFail: true,
		});
		expect(outputs[0][0].json).toMatchObject({
			idempotencyKey: item.idempotencyKey,
			error: expect.stringContaining('Additional Allowed Types'),
		});
	});
});

// ------------------------------------------------------------------ hostile servers

interface TestServer {
	url: string;
	hits: Array<{ path: string; authorization?: string }>;
	close(): Promise<void>;
}

async function startServer(
	handler: (req: http.IncomingMessage, res: http.ServerResponse, url: string) => void,
): Promise<TestServer> {
	const hits: TestServer['hits'] = [];
	let base = '';
	const server = http.createServer((req, res) => {
		hits.push({ path: req.url ?? '', authorization: req.headers.authorization });
		handler(req, res, base);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url: base,
		hits,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

describe('Attachment Allowlist never fetches from or follows redirects to other hosts', () => {
	let trap: TestServer;
	let fakeSlack: TestServer;
	let cutOff = false;
	const pdf = files.makePdf();

	beforeAll(async () => {
		trap = await startServer((_req, res) => res.end('secret'));
		fakeSlack = await startServer((req, res, base) => {
			const path = req.url ?? '';
			if (path.startsWith('/files/to-trap')) res.writeHead(302, { Location: `${trap.url}/internal` }).end();
			else if (path.startsWith('/files/to-metadata'))
				res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/iam/' }).end();
			else if (path.startsWith('/files/to-localhost')) res.writeHead(301, { Location: 'http://localhost/admin' }).end();
			else if (path.startsWith('/files/same-host')) res.writeHead(302, { Location: `${base}/files/real.pdf` }).end();
			else if (path.startsWith('/files/loop')) res.writeHead(302, { Location: '/files/loop' }).end();
			else if (path.startsWith('/files/real.pdf')) res.writeHead(200, { 'Content-Type': 'application/pdf' }).end(pdf);
			else if (path.startsWith('/files/endless')) {
				// Declares nothing and streams far more than the limit.
				res.writeHead(200, { 'Content-Type': 'image/png' });
				res.write(files.makePng());
				const chunk = Buffer.alloc(64 * 1024, 0x41);
				let sent = 0;
				const pump = () => {
					while (sent < 10_000_000) {
						sent += chunk.length;
						if (!res.write(chunk)) return void res.once('drain', pump);
					}
					res.end();
				};
				res.on('close', () => {
					cutOff = sent < 10_000_000;
				});
				pump();
			} else if (path.startsWith('/files/huge-declared')) {
				res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': '900000000' });
				res.write(pdf);
			} else res.writeHead(404).end();
		});
	});

	afterAll(async () => {
		await trap.close();
		await fakeSlack.close();
	});

	function fileAt(url: string, name = 'doc.pdf', mimetype = 'application/pdf', size = pdf.length): SlackFileRef {
		return {
			id: `F${Math.random().toString(36).slice(2, 8)}`,
			name,
			mimetype,
			filetype: 'pdf',
			size,
			downloadUrl: url,
			isSlackConnectStub: false,
		};
	}

	async function runAgainstFake(fileList: SlackFileRef[], parameters: Record<string, unknown> = {}) {
		return fieldsOf(
			await run(
				dmItem(fileList),
				{ noticeMode: 'off', ...parameters },
				credentials(`${fakeSlack.url}/api`, 'xoxp-fake-token'),
			),
		);
	}

	it("refuses URLs on hosts other than the credential's file host, without a request", async () => {
		const fields = await runAgainstFake([
			fileAt(`${trap.url}/file.pdf`),
			fileAt('http://169.254.169.254/latest/meta-data/'),
			fileAt('https://files.slack.com/files-pri/T-F/a.pdf'),
		]);
		expect(fields.rejectedFiles.map((f) => f.reason)).toEqual(['downloadFailed', 'downloadFailed', 'downloadFailed']);
		expect(fields.rejectedFiles[0].detail).toContain("is not Slack's file host");
		expect(trap.hits).toHaveLength(0);
	});

	it('refuses redirects to another host (127.0.0.1 on another port, 169.254.169.254, localhost) and never sends the token there', async () => {
		const fields = await runAgainstFake([
			fileAt(`${fakeSlack.url}/files/to-trap`),
			fileAt(`${fakeSlack.url}/files/to-metadata`),
			fileAt(`${fakeSlack.url}/files/to-localhost`),
		]);
		expect(fields.acceptedFiles).toEqual([]);
		for (const rejected of fields.rejectedFiles) {
			expect(rejected).toMatchObject({
				reason: 'downloadFailed',
				detail: expect.stringContaining('refused a redirect'),
			});
		}
		expect(trap.hits).toHaveLength(0);
	});

	it('follows a redirect on the same host with the token, and stops redirect loops', async () => {
		const fields = await runAgainstFake([
			fileAt(`${fakeSlack.url}/files/same-host`),
			fileAt(`${fakeSlack.url}/files/loop`),
		]);
		expect(fields.acceptedFiles.map((f) => f.size)).toEqual([pdf.length]);
		expect(fields.rejectedFiles).toMatchObject([{ reason: 'downloadFailed', detail: 'more than 3 redirects' }]);
		expect(fakeSlack.hits.find((h) => h.path === '/files/real.pdf')?.authorization).toBe('Bearer xoxp-fake-token');
	});

	it('cuts off a body longer than the limit, and refuses a too large Content-Length before reading', async () => {
		const fields = await runAgainstFake(
			[
				fileAt(`${fakeSlack.url}/files/endless`, 'pic.png', 'image/png', 500),
				fileAt(`${fakeSlack.url}/files/huge-declared`),
			],
			{ maxFileSizeMb: 1 },
		);
		expect(fields.rejectedFiles.map((f) => [f.name, f.reason])).toEqual([
			['pic.png', 'tooLarge'],
			['doc.pdf', 'tooLarge'],
		]);
		// Give the server a moment to see the closed connection.
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(cutOff).toBe(true);
	});
});
