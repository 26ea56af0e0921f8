import { resolvedFileRef } from '../../../../../nodes/AttachmentAllowlist/helpers/slackConnect';
import type { SlackFileRef } from '../../../../../nodes/shared/types';

describe('Slack Connect stubs', () => {
	const stub: SlackFileRef = {
		id: 'F9',
		name: 'F9',
		mimetype: '',
		filetype: '',
		size: 0,
		downloadUrl: '',
		isSlackConnectStub: true,
	};

	it('takes name, type, size and download URL from files.info', () => {
		expect(
			resolvedFileRef(stub, {
				id: 'F9',
				name: 'contract.pdf',
				mimetype: 'application/pdf',
				filetype: 'pdf',
				size: 1234,
				url_private: 'https://files.slack.com/files-pri/T-F9/contract.pdf',
				url_private_download: 'https://files.slack.com/files-pri/T-F9/download/contract.pdf',
			}),
		).toEqual({
			id: 'F9',
			name: 'contract.pdf',
			mimetype: 'application/pdf',
			filetype: 'pdf',
			size: 1234,
			downloadUrl: 'https://files.slack.com/files-pri/T-F9/download/contract.pdf',
			isSlackConnectStub: false,
		});
	});

	it('keeps the stub values Slack leaves out and stays unresolved for another stub', () => {
		expect(resolvedFileRef(stub, { title: 'Scan', url_private: 'https://files.slack.com/x' })).toMatchObject({
			name: 'Scan',
			size: 0,
			downloadUrl: 'https://files.slack.com/x',
		});
		expect(resolvedFileRef(stub, { file_access: 'check_file_info' })).toMatchObject({
			isSlackConnectStub: true,
			downloadUrl: '',
		});
	});
});
