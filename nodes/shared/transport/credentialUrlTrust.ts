/**
 * Where a URL named in an API answer (an upload URL, an attachment's content URL) may be
 * requested with the credential: the configured API origin itself (the emulator, a sandbox),
 * or, when the credential is configured for the vendor, https on the vendor's own domain.
 * Anything else would hand the credential to whoever wrote the answer.
 */
export function isCredentialUrlTrusted(targetUrl: string, apiBaseUrl: string, vendorDomain: string): boolean {
	let target: URL;
	let base: URL;
	try {
		target = new URL(targetUrl);
		base = new URL(apiBaseUrl);
	} catch {
		return false;
	}
	if (target.username || target.password) return false;
	if (target.origin === base.origin) return true;
	const onVendor = (hostname: string): boolean => hostname === vendorDomain || hostname.endsWith(`.${vendorDomain}`);
	return (
		target.protocol === 'https:' && onVendor(target.hostname.toLowerCase()) && onVendor(base.hostname.toLowerCase())
	);
}
