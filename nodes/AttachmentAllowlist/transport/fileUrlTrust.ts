/**
 * Which URLs a Slack file may be downloaded from with the credential's token. The event body is
 * input, not trust: a `url_private_download` pointing anywhere else would hand the token (and
 * an internal network) to whoever wrote the event. So:
 * - Slack (API base https://slack.com/api): https on Slack's file hosts only. files.slack.com
 *   serves url_private_download; Enterprise Grid answers it with a redirect to
 *   files-origin.slack.com, so redirects may move between these hosts and no further.
 *   GovSlack (slack-gov.com) has the same hosts under its own domain.
 * - Any other API base URL (the emulator, a sandbox): exactly its origin (scheme, host, port).
 * No user-info, no other port, never an IP literal for Slack.
 */

export interface FileUrlTrust {
	protocol: 'https:' | 'http:';
	/** Lower-case `host` values (hostname[:port]) a download and each redirect hop may use. */
	hosts: string[];
}

const SLACK_FILE_HOSTS: Record<string, string[]> = {
	'slack.com': ['files.slack.com', 'files-origin.slack.com', 'files-edge.slack.com'],
	'slack-gov.com': ['files.slack-gov.com', 'files-origin.slack-gov.com', 'files-edge.slack-gov.com'],
};

/** The trust for the credential's API base URL; undefined when the base URL is not usable. */
export function fileUrlTrust(apiBaseUrl: string): FileUrlTrust | undefined {
	let base: URL;
	try {
		base = new URL(apiBaseUrl);
	} catch {
		return undefined;
	}
	if (base.protocol !== 'https:' && base.protocol !== 'http:') return undefined;
	const hostname = base.hostname.toLowerCase();
	const slackDomain = Object.keys(SLACK_FILE_HOSTS).find(
		(domain) => hostname === domain || hostname.endsWith(`.${domain}`),
	);
	if (slackDomain) {
		if (base.protocol !== 'https:') return undefined;
		return { protocol: 'https:', hosts: SLACK_FILE_HOSTS[slackDomain] };
	}
	return { protocol: base.protocol, hosts: [base.host.toLowerCase()] };
}

export type UrlVerdict = { trusted: true; url: string } | { trusted: false; detail: string };

/** May this (absolute, or relative to `relativeTo` for redirects) URL be fetched with the token? */
export function checkFileUrl(rawUrl: string | undefined, trust: FileUrlTrust, relativeTo?: string): UrlVerdict {
	if (!rawUrl) return { trusted: false, detail: 'the file has no download URL' };
	let url: URL;
	try {
		url = relativeTo ? new URL(rawUrl, relativeTo) : new URL(rawUrl);
	} catch {
		return { trusted: false, detail: 'the download URL is not a valid URL' };
	}
	if (url.username || url.password) return { trusted: false, detail: 'the download URL carries credentials' };
	if (url.protocol !== trust.protocol)
		return { trusted: false, detail: `the download URL does not use ${trust.protocol.replace(':', '')}` };
	const host = url.host.toLowerCase();
	if (!trust.hosts.includes(host))
		return { trusted: false, detail: `the download host ${url.hostname} is not Slack's file host` };
	return { trusted: true, url: url.toString() };
}
