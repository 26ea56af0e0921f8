import { buildAllowlist } from '../../../../../nodes/AttachmentAllowlist/helpers/allowlist';
import type { AttachmentPolicy } from '../../../../../nodes/AttachmentAllowlist/helpers/plan';
import {
	binaryKeyFor,
	formatBytes,
	oversizeRejection,
	planDownload,
	verifyDownloaded,
} from '../../../../../nodes/AttachmentAllowlist/helpers/plan';
import { fileUrlTrust } from '../../../../../nodes/AttachmentAllowlist/transport/fileUrlTrust';
import type { SlackFileRef } from '../../../../../nodes/shared/types';
import * as files from '../../../../fixtures/files/generate';

const defaults = buildAllowlist().types;

function typeFor(extension: string) {
	const type = defaults.find((candidate) => candidate.extensions.includes(extension));
	if (!type) throw new Error(`no default type for ${extension}`);
	return type;
}

function fileRef(overrides: Partial<SlackFileRef> = {}): SlackFileRef {
	return {
		id: 'F1',
		name: 'report.pdf',
		mimetype: 'application/pdf',
		filetype: 'pdf',
		size: 1000,
		downloadUrl: 'https://files.slack.com/files-pri/T1-F1/download/report.pdf',
		isSlackConnectStub: false,
		...overrides,
	};
}

describe('download plan', () => {
	const policy: AttachmentPolicy = {
		fileSendingEnabled: true,
		types: defaults,
		maxFileBytes: 5000,
		maxMessageBytes: 8000,
	};
	const trust = fileUrlTrust('https://slack.com/api');

	it('downloads an allowed file with a limit of the smaller of file limit and message budget', () => {
		expect(planDownload(fileRef(), policy, trust, 0)).toMatchObject({
			action: 'download',
			name: 'report.pdf',
			maxBytes: 5000,
		});
		expect(planDownload(fileRef(), policy, trust, 4000)).toMatchObject({ action: 'download', maxBytes: 4000 });
	});

	it.each([
		['file sending off', fileRef(), { fileSendingEnabled: false }, 0, 'fileSendingDisabled'],
		['a type not allowed', fileRef({ name: 'run.exe', mimetype: 'application/x-msdownload' }), {}, 0, 'typeNotAllowed'],
		['an empty file', fileRef({ size: 0 }), {}, 0, 'empty'],
		['a file over the per-file limit', fileRef({ size: 5001 }), {}, 0, 'tooLarge'],
		['a file over the message budget', fileRef({ size: 3000 }), {}, 6000, 'messageTooLarge'],
		['a URL on another host', fileRef({ downloadUrl: 'https://evil.example/a.pdf' }), {}, 0, 'downloadFailed'],
		[
			'a URL pointing at the metadata service',
			fileRef({ downloadUrl: 'http://169.254.169.254/latest' }),
			{},
			0,
			'downloadFailed',
		],
	])('rejects %s', (_label, file, overrides, acceptedBytes, reason) => {
		const plan = planDownload(file, { ...policy, ...overrides }, trust, acceptedBytes);
		expect(plan).toMatchObject({ action: 'reject', rejected: { id: 'F1', reason } });
	});

	it.each([
		["the trigger's unknown size (-1)", -1],
		['a missing size', undefined],
		['a null size (JSON round trip)', null],
	])('downloads a file of %s with the limit as the cap, never refusing it as empty', (_label, size) => {
		const plan = planDownload(fileRef({ size: size as number }), policy, trust, 1000);
		expect(plan).toMatchObject({ action: 'download', maxBytes: 5000 });
	});

	it('sanitises the name before the type check and in the rejection', () => {
		const plan = planDownload(
			fileRef({ name: '../../secret.exe', mimetype: 'application/octet-stream' }),
			policy,
			trust,
			0,
		);
		expect(plan).toMatchObject({ action: 'reject', rejected: { name: 'secret.exe', reason: 'typeNotAllowed' } });
	});

	it('explains an oversize download by the limit that stopped it', () => {
		expect(oversizeRejection(fileRef(), 'a.pdf', policy, 5000).reason).toBe('tooLarge');
		expect(oversizeRejection(fileRef(), 'a.pdf', policy, 3000).reason).toBe('messageTooLarge');
	});

	it('verifies downloaded bytes against the type', () => {
		expect(verifyDownloaded(fileRef(), 'a.pdf', typeFor('pdf'), files.makePdf())).toBeUndefined();
		expect(verifyDownloaded(fileRef(), 'a.pdf', typeFor('pdf'), files.makeElf())).toMatchObject({
			reason: 'contentMismatch',
			id: 'F1',
		});
		expect(verifyDownloaded(fileRef(), 'a.pdf', typeFor('pdf'), Buffer.alloc(0))).toMatchObject({ reason: 'empty' });
	});

	it('names binary properties attachment_0, attachment_1, … and formats sizes', () => {
		expect([0, 1, 2].map(binaryKeyFor)).toEqual(['attachment_0', 'attachment_1', 'attachment_2']);
		expect(formatBytes(50_000_000)).toBe('50 MB');
		expect(formatBytes(1_500_000)).toBe('1.5 MB');
		expect(formatBytes(999)).toBe('999 bytes');
	});
});
