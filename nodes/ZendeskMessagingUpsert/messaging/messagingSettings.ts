/** The Zendesk Messaging mode's options read into settings. Pure: the node hands the raw values here. */
import type { IDataObject } from 'n8n-workflow';

/** `post`: a marked text message by the user; `skip`: nothing (outcome `skipped`). */
export type EditMode = 'post' | 'skip';

/** The Zendesk Messaging mode's options. */
export interface MessagingSettings {
	controlCheckMs: number;
	editsAndDeletions: EditMode;
}

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
