/** Comment texts Zendesk can store: cleaned (cleanSlackText) and within one comment (fittedTextHtml, fitOneComment). */
import { cleanSlackText } from '../../../../../nodes/shared/slack/slackTextToZendesk';

describe('cleanSlackText', () => {
	it('replaces lone surrogates, keeps pairs, drops control characters but tab, newline and CR', () => {
		expect(cleanSlackText('a\ud800b\udc00c 😀')).toBe('a\ufffdb\ufffdc 😀');
		expect(cleanSlackText('x\u0000y\u0007z\u007f\t\r\n')).toBe('xyz\t\r\n');
		expect(cleanSlackText('')).toBe('');
	});
});
