/**
 * A 50 MB attachment goes through with bounded memory: the download is read into one buffer
 * sized from Content-Length, checked in place and handed to n8n's binary data store once.
 * Measured as the peak growth of the process's resident memory while the node runs (the
 * emulator's copy of the file exists before the baseline is taken).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

import { startSlackEmulator } from '../../emulators/slack';
import { AttachmentAllowlist } from '../../nodes/AttachmentAllowlist/AttachmentAllowlist.node';
import type { AttachmentCheckFields, SlackDmItem } from '../../nodes/shared/types';
import { makeLargePdf } from '../fixtures/files/generate';
import { executeNode } from '../harness/inProcess';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FILE_SIZE = 50_000_000; // Zendesk's 50 MB, the node's default limit per file

jest.setTimeout(120_000);

it('downloads, checks and stores a 50 MB file with memory growth under 3x its size', async () => {
	const slack = await startSlackEmulator({ rateLimits: false });
	try {
		const F = slack.fixtures;
		const content = makeLargePdf(FILE_SIZE);
		const file = slack.addFile({ ownerId: F.employeeId, name: 'scan.pdf', mimetype: 'application/pdf', content });
		const item: SlackDmItem = {
			eventId: 'EvBig',
			idempotencyKey: `${F.teamId}:DBIG:1700000000.000001`,
			teamId: F.teamId,
			handle: { name: 'IT', userId: F.handleUserId, teamId: F.teamId },
			user: { id: F.employeeId, teamId: F.teamId, isExternal: false },
			channel: { id: 'DBIG', type: 'im', isExtShared: false },
			message: {
				ts: '1700000000.000001',
				text: 'big scan',
				files: [
					{
						id: file.id,
						name: 'scan.pdf',
						mimetype: 'application/pdf',
						filetype: 'pdf',
						size: FILE_SIZE,
						downloadUrl: file.url_private_download,
						isSlackConnectStub: false,
					},
				],
			},
			kind: 'message',
			receivedAt: new Date().toISOString(),
		};

		gc();
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 2);
		let fields: AttachmentCheckFields;
		let stored: Buffer;
		try {
			const { outputs } = await executeNode(new AttachmentAllowlist(), {
				parameters: { noticeMode: 'off' } as never,
				credentials: { slackDmApi: { accessToken: F.handleToken, baseUrl: slack.apiUrl } },
				items: [{ json: item as never }],
			});
			peak = Math.max(peak, process.memoryUsage().rss);
			fields = outputs[0][0].json as unknown as AttachmentCheckFields;
			clearInterval(sampler);
			const growth = peak - baseline;
			// Report the measurement so regressions are visible in the test log.
			process.stdout.write(`50 MB attachment: peak RSS growth ${(growth / 1e6).toFixed(1)} MB\n`);
			expect(fields.rejectedFiles).toEqual([]);
			expect(fields.acceptedFiles).toMatchObject([{ name: 'scan.pdf', size: FILE_SIZE, binaryKey: 'attachment_0' }]);
			expect(growth).toBeLessThan(3 * FILE_SIZE);
			stored = await Container.get(BinaryDataService).getAsBuffer(outputs[0][0].binary!.attachment_0);
		} finally {
			clearInterval(sampler);
		}
		expect(stored.length).toBe(FILE_SIZE);
		expect(stored.equals(content)).toBe(true);
	} finally {
		await slack.close();
	}
});
