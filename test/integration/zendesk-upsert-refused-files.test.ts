/**
 * Agents see which files of a message were refused: the Upsert adds an internal note naming each
 * refused file and why (the Attachment Allowlist's rejectedFiles), after the message, once.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RejectedFile } from '../../nodes/shared/types';
import { ZendeskMessagingUpsert } from '../../nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
import { useEmulators, zendeskCredentials } from '../harness/emulatorPair';
import { executeNode } from '../harness/inProcess';
import { linkedDmItems } from '../harness/items';

const { zendesk } = useEmulators({
	zendesk: { rateLimits: false },
	lifetime: 'file',
	resetEachTest: true,
	upsertClock: true,
});
const { newChannel, item } = linkedDmItems(zendesk);

const refused: RejectedFile[] = [
	{ id: 'F1', name: 'setup.exe', reason: 'typeNotAllowed', detail: '.exe' },
	{ id: 'F2', name: 'invoice.pdf', reason: 'contentMismatch', detail: 'the PDF contains JavaScript' },
];

async function upsert(json: IDataObject): Promise<IDataObject> {
	const { outputs } = await executeNode(new ZendeskMessagingUpsert(), {
		credentials: { zendeskDmApi: zendeskCredentials(zendesk) },
		items: [{ json }],
	});
	return outputs[0][0].json.zendesk as IDataObject;
}

const ticket = (id: unknown) => zendesk.tickets().find((t) => t.ticket.id === id)!;

describe('Upsert: refused files become an internal note on the ticket', () => {
	it("names each refused file and why, as an internal note after the public message; the sender's message stays as written", async () => {
		const message = {
			...item(newChannel(), 'Here are my files'),
			acceptedFiles: [],
			rejectedFiles: refused,
		} as unknown as IDataObject;
		const result = await upsert(message);
		expect(result).toMatchObject({ outcome: 'created', refusedFilesNote: { written: true } });
		const { comments } = ticket(result.ticketId);
		expect(comments.map((c) => c.public)).toEqual([true, false]);
		expect(String(comments[0].body)).toContain('Here are my files');
		expect(String(comments[0].body)).not.toContain('setup.exe');
		const note = String(comments[1].html_body ?? comments[1].body);
		expect(note).toContain('setup.exe: this file type is not allowed');
		expect(note).toContain('invoice.pdf: the PDF contains JavaScript');
		expect(comments[1].author_id).toBe(zendesk.fixtures.bridge.id);
	});

	it('a message with no refused file costs no extra request; the same message again adds no second note', async () => {
		const channel = newChannel();
		const clean = await upsert({ ...item(channel, 'No files') } as unknown as IDataObject);
		expect(clean.refusedFilesNote).toBeUndefined();
		expect(ticket(clean.ticketId).comments).toHaveLength(1);

		const withFiles = {
			...item(channel, 'Second, with a refused file'),
			rejectedFiles: [refused[0]],
		} as unknown as IDataObject;
		expect(await upsert(withFiles)).toMatchObject({ outcome: 'appended', refusedFilesNote: { written: true } });
		const again = await upsert(withFiles);
		expect(again.outcome).toBe('duplicate');
		expect(again.refusedFilesNote).toBeUndefined();
		expect(ticket(clean.ticketId).comments.map((c) => c.public)).toEqual([true, true, false]);
	});

	it('a note Zendesk refuses does not fail the item: the message is in the ticket and the output says the note is not', async () => {
		const message = { ...item(newChannel(), 'Files again'), rejectedFiles: refused } as unknown as IDataObject;
		zendesk.server.injectFault('PUT /api/v2/tickets/:id.json', {
			kind: 'status',
			status: 422,
			body: { error: 'RecordInvalid', description: 'Record validation errors' },
		});
		const result = await upsert(message);
		expect(result).toMatchObject({
			outcome: 'created',
			refusedFilesNote: { written: false, error: expect.stringContaining('HTTP 422') },
		});
		expect(ticket(result.ticketId).comments).toHaveLength(1);
	});
});
