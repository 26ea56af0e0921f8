import { isCredentialUrlTrusted } from '../../../../../nodes/shared/transport/credentialUrlTrust';
import { isTrustedUploadUrl } from '../../../../../nodes/SlackDmReply/transport/slackUpload';

describe('credential URL trust (upload URLs, attachment URLs)', () => {
	it('trusts the configured API origin exactly', () => {
		expect(isCredentialUrlTrusted('http://127.0.0.1:4100/upload/x', 'http://127.0.0.1:4100/api', 'slack.com')).toBe(
			true,
		);
		expect(isCredentialUrlTrusted('http://127.0.0.1:4101/upload/x', 'http://127.0.0.1:4100/api', 'slack.com')).toBe(
			false,
		);
		expect(isCredentialUrlTrusted('https://127.0.0.1:4100/upload/x', 'http://127.0.0.1:4100/api', 'slack.com')).toBe(
			false,
		);
	});

	it('trusts https on the vendor domain only while the credential is configured for the vendor', () => {
		expect(isTrustedUploadUrl('https://files.slack.com/upload/v1/abc', 'https://slack.com/api')).toBe(true);
		expect(isTrustedUploadUrl('http://files.slack.com/upload/v1/abc', 'https://slack.com/api')).toBe(false);
		expect(isTrustedUploadUrl('https://files.slack.com/upload/v1/abc', 'http://127.0.0.1:4100/api')).toBe(false);
		expect(isTrustedUploadUrl('https://evilslack.com/upload', 'https://slack.com/api')).toBe(false);
		expect(isTrustedUploadUrl('https://slack.com.evil.example/upload', 'https://slack.com/api')).toBe(false);
	});

	it('never trusts URLs with user info or that do not parse', () => {
		expect(isCredentialUrlTrusted('https://user:pw@files.slack.com/x', 'https://slack.com/api', 'slack.com')).toBe(
			false,
		);
		expect(isCredentialUrlTrusted('not a url', 'https://slack.com/api', 'slack.com')).toBe(false);
		expect(isCredentialUrlTrusted('https://files.slack.com/x', '::', 'slack.com')).toBe(false);
	});
});
