/** The Zendesk Messaging mode's options read into settings. Pure: the node hands the raw values here. */
import type { IDataObject } from 'n8n-workflow';

import type { EditMode, MessagingSettings } from './messagingCommands';

/** Default of "Control Check Interval (Seconds)". */
export const DEFAULT_CONTROL_CHECK_SECONDS = 60;

export function messagingSettingsOf(options: IDataObject): MessagingSettings {
	const seconds = Number(options.controlCheckSeconds ?? DEFAULT_CONTROL_CHECK_SECONDS);
	const edits: EditMode = options.editsAndDeletions === 'skip' ? 'skip' : 'post';
	return {
		controlCheckMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_CONTROL_CHECK_SECONDS * 1000,
		editsAndDeletions: edits,
	};
}
