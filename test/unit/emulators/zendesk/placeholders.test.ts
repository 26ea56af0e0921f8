import { renderTemplate } from '../../../../emulators/zendesk/placeholders';

describe('placeholders', () => {
	const scope = {
		ticket: {
			id: 42,
			external_id: 'slack:T1:D1',
			latest_comment: {
				__text: 'plain "text"',
				id: 7,
				attachments: [
					{ filename: 'a.png', url: 'http://x/a' },
					{ filename: 'b.txt', url: 'http://x/b' },
				],
			},
			tags: 'a b',
		},
	};

	it('renders values, objects as their text, and JSON-escapes for JSON webhooks', () => {
		expect(renderTemplate('{{ticket.id}}/{{ ticket.external_id }}/{{ticket.missing}}', scope, { json: false })).toBe(
			'42/slack:T1:D1/',
		);
		expect(renderTemplate('{"c":"{{ticket.latest_comment}}"}', scope, { json: true })).toBe('{"c":"plain \\"text\\""}');
		expect(JSON.parse(renderTemplate('{"c":"{{ticket.latest_comment}}"}', scope, { json: true })).c).toBe(
			'plain "text"',
		);
	});

	it('loops over attachments with forloop helpers and handles if/unless', () => {
		const template =
			'[{% for a in ticket.latest_comment.attachments %}"{{a.filename}}"{% unless forloop.last %},{% endunless %}{% endfor %}]{% if ticket.tags %} tagged{% endif %}{% if ticket.none %} never{% endif %}';
		expect(renderTemplate(template, scope, { json: false })).toBe('["a.png","b.txt"] tagged');
	});
});
