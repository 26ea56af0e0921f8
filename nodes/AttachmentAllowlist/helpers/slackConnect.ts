/**
 * Slack Connect files arrive in events as stubs (`file_access: check_file_info`: id only); the
 * real name, type, size and download URL come from files.info. This maps that answer onto the
 * trigger's SlackFileRef, keeping the stub's values where Slack leaves a field out. files.info's
 * `file` has the fields of an event's file, so one type (SlackEventFile) serves both.
 */
import type { SlackEventFile } from '../../shared/slack/events';
import type { SlackFileRef } from '../../shared/types';
import { nonBlankString } from '../../shared/values';

const present = nonBlankString;

export function resolvedFileRef(stub: SlackFileRef, info: SlackEventFile): SlackFileRef {
	return {
		id: stub.id,
		name: present(info.name) ?? present(info.title) ?? stub.name,
		mimetype: present(info.mimetype) ?? stub.mimetype,
		filetype: present(info.filetype) ?? stub.filetype,
		size: typeof info.size === 'number' ? info.size : stub.size,
		downloadUrl: present(info.url_private_download) ?? present(info.url_private) ?? '',
		isSlackConnectStub: info.file_access === 'check_file_info',
	};
}
