/** Minimal multipart/form-data reader: enough for Slack's upload URL (one file part, some fields). */
export interface MultipartPart {
	name?: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
	return match ? (match[1] ?? match[2]).trim() : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
	const delimiter = Buffer.from(`--${boundary}`);
	const parts: MultipartPart[] = [];
	let start = body.indexOf(delimiter);
	while (start >= 0) {
		const next = body.indexOf(delimiter, start + delimiter.length);
		if (next < 0) break;
		// Each part: CRLF headers CRLF CRLF data CRLF
		const chunk = body.subarray(start + delimiter.length + 2, next - 2);
		const headerEnd = chunk.indexOf('\r\n\r\n');
		if (headerEnd >= 0) {
			const headers = chunk.subarray(0, headerEnd).toString('utf8');
			const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
			parts.push({
				name: /\bname="([^"]*)"/i.exec(disposition)?.[1],
				filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
				contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim(),
				data: chunk.subarray(headerEnd + 4),
			});
		}
		start = next;
	}
	return parts;
}
