import { checkFileUrl, fileUrlTrust } from '../../../../../nodes/AttachmentAllowlist/transport/fileUrlTrust';

describe('download URL trust', () => {
	const slack = fileUrlTrust('https://slack.com/api');
	const emulator = fileUrlTrust('http://127.0.0.1:4100/api');

	it('trusts only Slack file hosts over https for the real Slack API', () => {
		if (!slack) throw new Error('no trust');
		expect(checkFileUrl('https://files.slack.com/files-pri/T1-F1/download/a.pdf', slack)).toMatchObject({
			trusted: true,
		});
		expect(checkFileUrl('https://files-origin.slack.com/files-pri/T1-F1/a.pdf', slack)).toMatchObject({
			trusted: true,
		});
		for (const url of [
			'http://files.slack.com/files-pri/T1-F1/a.pdf',
			'https://files.slack.com.evil.example/a.pdf',
			'https://evil.example/files.slack.com/a.pdf',
			'https://slack.com/files-pri/a.pdf',
			'https://files.slack.com:8443/a.pdf',
			'https://user:pw@files.slack.com/a.pdf',
			'https://127.0.0.1/a.pdf',
			'http://169.254.169.254/latest/meta-data/',
			'file:///etc/passwd',
			'not a url',
			'',
		]) {
			expect(checkFileUrl(url, slack)).toMatchObject({ trusted: false });
		}
	});

	it('trusts exactly the origin of an overridden base URL (emulator)', () => {
		if (!emulator) throw new Error('no trust');
		expect(checkFileUrl('http://127.0.0.1:4100/files-pri/T1-F1/a.pdf', emulator)).toMatchObject({ trusted: true });
		expect(checkFileUrl('http://127.0.0.1:4101/a.pdf', emulator)).toMatchObject({ trusted: false });
		expect(checkFileUrl('https://127.0.0.1:4100/a.pdf', emulator)).toMatchObject({ trusted: false });
		expect(checkFileUrl('http://localhost:4100/a.pdf', emulator)).toMatchObject({ trusted: false });
		expect(checkFileUrl('https://files.slack.com/a.pdf', emulator)).toMatchObject({ trusted: false });
	});

	it('resolves relative redirects against the current URL and checks them the same way', () => {
		if (!emulator || !slack) throw new Error('no trust');
		expect(checkFileUrl('/other/a.pdf', emulator, 'http://127.0.0.1:4100/files-pri/x')).toMatchObject({
			trusted: true,
			url: 'http://127.0.0.1:4100/other/a.pdf',
		});
		expect(checkFileUrl('//169.254.169.254/x', slack, 'https://files.slack.com/a')).toMatchObject({ trusted: false });
	});

	it('has the GovSlack hosts for slack-gov.com and nothing for plain http Slack or bad URLs', () => {
		expect(fileUrlTrust('https://slack-gov.com/api')?.hosts).toContain('files.slack-gov.com');
		expect(fileUrlTrust('http://slack.com/api')).toBeUndefined();
		expect(fileUrlTrust('ftp://x/api')).toBeUndefined();
		expect(fileUrlTrust('::')).toBeUndefined();
	});
});
