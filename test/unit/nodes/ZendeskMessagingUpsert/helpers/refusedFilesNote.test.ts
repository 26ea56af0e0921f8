/** The internal note that names each refused file and why. */
import type { RejectedFile } from '../../../../../nodes/shared/types';
import {
	needsRefusedFilesNote,
	refusedFilesNoteHtml,
} from '../../../../../nodes/ZendeskMessagingUpsert/helpers/refusedFilesNote';

const exe: RejectedFile = { id: 'F1', name: 'setup.exe', reason: 'typeNotAllowed', detail: '.exe' };
const fake: RejectedFile = {
	id: 'F2',
	name: '<b>invoice</b>.pdf',
	reason: 'contentMismatch',
	detail: 'the PDF contains JavaScript',
};

describe('refused files note', () => {
	it('names every refused file with its reason, as the sender was told, HTML-escaped', () => {
		const html = refusedFilesNoteHtml([exe, fake]);
		expect(html).toContain('2 files of this Slack message were not attached');
		expect(html).toContain('<li>setup.exe: this file type is not allowed</li>');
		expect(html).toContain('<li>&lt;b&gt;invoice&lt;/b&gt;.pdf: the PDF contains JavaScript</li>');
		expect(refusedFilesNoteHtml([exe])).toContain('One file of this Slack message was not attached');
	});

	it('is written only for a message written now that had refused files', () => {
		expect(needsRefusedFilesNote([exe], 'created', 7)).toBe(true);
		expect(needsRefusedFilesNote([exe], 'appended', 7)).toBe(true);
		expect(needsRefusedFilesNote([exe], 'duplicate', 7)).toBe(false);
		expect(needsRefusedFilesNote([exe], 'skipped', null)).toBe(false);
		expect(needsRefusedFilesNote([], 'created', 7)).toBe(false);
		expect(needsRefusedFilesNote(undefined, 'created', 7)).toBe(false);
	});
});
