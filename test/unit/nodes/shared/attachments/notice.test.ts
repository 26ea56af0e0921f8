import {
	DEFAULT_NOTICE_TEMPLATE,
	NOTICE_LEDGER_TTL_MS,
	noticeEligibility,
	processNoticeLedger,
	renderNotice,
} from '../../../../../nodes/shared/attachments/notice';
import type { SlackDmItem } from '../../../../../nodes/shared/types';

function item(overrides: Partial<SlackDmItem> = {}): SlackDmItem {
	return {
		eventId: 'Ev1',
		idempotencyKey: 'T1:D1:1700000000.000100',
		teamId: 'T1',
		handle: { name: 'IT', userId: 'UHANDLE', teamId: 'T1' },
		user: { id: 'U1', teamId: 'T1', isExternal: false },
		channel: { id: 'D1', type: 'im', isExtShared: false },
		message: { ts: '1700000000.000100', text: 'see files', files: [] },
		kind: 'message',
		receivedAt: '2024-01-01T00:00:00Z',
		...overrides,
	};
}

describe('refusal notice', () => {
	const rejected = [
		{ id: 'F1', name: 'setup.exe', reason: 'typeNotAllowed' as const, detail: '.exe files are not allowed' },
		{
			id: 'F2',
			name: '<!channel> & co.pdf',
			reason: 'contentMismatch' as const,
			detail: 'the PDF contains JavaScript',
		},
	];

	it('renders the default text with file names, reasons, allowed types and size', () => {
		const text = renderNotice(DEFAULT_NOTICE_TEMPLATE, { rejected, allowedTypes: '.pdf, .png', maxFileSize: '50 MB' });
		expect(text).toBe(
			'Some of your files could not be passed on to the support team:\n' +
				'• setup.exe: this file type is not allowed\n' +
				'• &lt;!channel&gt; &amp; co.pdf: the PDF contains JavaScript\n' +
				'Allowed file types: .pdf, .png, up to 50 MB per file.',
		);
	});

	it('fills a custom template and leaves unknown placeholders alone', () => {
		const text = renderNotice('{count} refused ({unknown}):\n{files}', {
			rejected: rejected.slice(0, 1),
			allowedTypes: '',
			maxFileSize: '',
		});
		expect(text).toBe('1 refused ({unknown}):\n• setup.exe: this file type is not allowed');
		expect(renderNotice('  ', { rejected, allowedTypes: 'a', maxFileSize: 'b' })).toContain('Some of your files');
	});

	it('is only for refused files of a real user message, never for echoes', () => {
		expect(noticeEligibility(item(), rejected, 'dm')).toEqual({ send: true, key: 'T1:D1:1700000000.000100' });
		expect(noticeEligibility(item(), rejected, 'off')).toMatchObject({ send: false });
		expect(noticeEligibility(item(), [], 'dm')).toMatchObject({ send: false });
		expect(
			noticeEligibility(item({ user: { id: 'UHANDLE', teamId: 'T1', isExternal: false } }), rejected, 'dm'),
		).toMatchObject({
			send: false,
			why: 'the message is from the handle itself',
		});
		expect(noticeEligibility(item({ kind: 'edit' }), rejected, 'ephemeral')).toMatchObject({ send: false });
		expect(noticeEligibility(item({ idempotencyKey: '' }), rejected, 'dm')).toMatchObject({ send: false });
	});

	it('the process ledger lets one notice out per message for longer than Slack retries', () => {
		const key = `notice-test-${Math.random()}`;
		expect(NOTICE_LEDGER_TTL_MS).toBeGreaterThanOrEqual(10 * 60 * 1000);
		expect(processNoticeLedger.claim(key, 0)).toBe(true);
		expect(processNoticeLedger.claim(key, 6 * 60 * 1000)).toBe(false);
		processNoticeLedger.release(key);
		expect(processNoticeLedger.claim(key, 6 * 60 * 1000)).toBe(true);
		processNoticeLedger.release(key);
	});
});
