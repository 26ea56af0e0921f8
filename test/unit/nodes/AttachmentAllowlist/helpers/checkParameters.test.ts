import { DEFAULT_ALLOWED_TYPES } from '../../../../../nodes/AttachmentAllowlist/helpers/allowlist';
import {
	attachmentPolicyFrom,
	filesToCheck,
	isRejection,
} from '../../../../../nodes/AttachmentAllowlist/helpers/checkParameters';
import { dmChannelOf, noticeThreadTs } from '../../../../../nodes/AttachmentAllowlist/helpers/noticeRouting';
import type { SlackDmItem, SlackFileRef } from '../../../../../nodes/shared/types';

const file: SlackFileRef = { id: 'F1', name: 'a.pdf', mimetype: 'application/pdf', size: 10 } as SlackFileRef;

function item(overrides: Partial<SlackDmItem> = {}): SlackDmItem {
	return {
		kind: 'message',
		teamId: 'T1',
		user: { id: 'U1', teamId: 'T1' },
		channel: { id: 'D1', type: 'im' },
		message: { ts: '1.0', text: 'hi', files: [file] },
		...overrides,
	} as unknown as SlackDmItem;
}

describe('attachmentPolicyFrom', () => {
	it('builds the policy from the parameters, sizes in decimal megabytes', () => {
		const read = attachmentPolicyFrom({
			fileSending: true,
			additionalTypes: [],
			maxFileSizeMb: 1.5,
			maxMessageSizeMb: 10,
		});
		expect(read).toEqual({
			ok: true,
			policy: {
				fileSendingEnabled: true,
				types: DEFAULT_ALLOWED_TYPES,
				maxFileBytes: 1_500_000,
				maxMessageBytes: 10_000_000,
			},
		});
	});

	it('adds the additional types to the defaults', () => {
		const read = attachmentPolicyFrom({
			fileSending: false,
			additionalTypes: [{ extension: 'csv', mimeType: 'text/csv' }],
			maxFileSizeMb: 1,
			maxMessageSizeMb: 1,
		});
		if (!read.ok) throw new Error(read.problem);
		expect(read.policy.fileSendingEnabled).toBe(false);
		expect(read.policy.types.length).toBe(DEFAULT_ALLOWED_TYPES.length + 1);
	});

	it('names the parameter when an additional type is wrong', () => {
		const read = attachmentPolicyFrom({
			fileSending: true,
			additionalTypes: [{ extension: 'csv', mimeType: '' }],
			maxFileSizeMb: 1,
			maxMessageSizeMb: 1,
		});
		expect(read.ok).toBe(false);
		expect(read.ok ? '' : read.problem).toMatch(/^Additional Allowed Types: /);
	});
});

describe('filesToCheck', () => {
	it('checks the files of a new message', () => {
		expect(filesToCheck(item())).toEqual([file]);
	});

	it('checks nothing for edits and deletions, or a message without files', () => {
		expect(filesToCheck(item({ kind: 'edit' } as Partial<SlackDmItem>))).toEqual([]);
		expect(filesToCheck(item({ kind: 'delete' } as Partial<SlackDmItem>))).toEqual([]);
		expect(filesToCheck(item({ message: { ts: '1.0', text: 'hi' } } as Partial<SlackDmItem>))).toEqual([]);
	});
});

describe('isRejection', () => {
	it('tells a refused file from a file reference', () => {
		expect(isRejection({ id: 'F1', name: 'a.exe', reason: 'typeNotAllowed' } as never)).toBe(true);
		expect(isRejection(file)).toBe(false);
	});
});

describe('notice routing', () => {
	it('uses the DM the message came from, and its thread', () => {
		const dm = item({ message: { ts: '2.0', threadTs: '1.0' } } as Partial<SlackDmItem>);
		expect(dmChannelOf(dm)).toBe('D1');
		expect(noticeThreadTs(dm, 'D1')).toBe('1.0');
	});

	it('has no DM for a group DM or channel, and keeps the thread out of another conversation', () => {
		const group = item({
			channel: { id: 'G1', type: 'mpim' },
			message: { ts: '2.0', threadTs: '1.0' },
		} as Partial<SlackDmItem>);
		expect(dmChannelOf(group)).toBeUndefined();
		expect(noticeThreadTs(group, 'D9')).toBeUndefined();
	});

	it('has no thread for a message outside a thread', () => {
		expect(noticeThreadTs(item(), 'D1')).toBeUndefined();
	});
});
