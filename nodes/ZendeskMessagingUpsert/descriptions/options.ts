/**
 * The Upsert's Options, per mode: those of the Support Ticket mode (update limit, safe updates,
 * CCs, subject, ticket links), those of the Zendesk Messaging mode (control check, edits and
 * deletions) and those both use (conversation cache, thread replies).
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_SUBJECT_MAX_LENGTH } from '../helpers/tickets';
import { DEFAULT_CONTROL_CHECK_SECONDS } from '../messaging/messagingSettings';

/** Shown in the Support Ticket mode only (inside a collection: the root parameter `mode`). */
const SUPPORT_ONLY = { show: { '/mode': ['supportTickets'] } };
const MESSAGING_ONLY = { show: { '/mode': ['zendeskMessaging'] } };

export const upsertOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Agent URL Base',
			displayOptions: SUPPORT_ONLY,
			name: 'agentUrlBase',
			type: 'string',
			default: '',
			placeholder: 'https://acme.zendesk.com',
			description: "Base of the ticket links in the output. Leave empty for the credential's Zendesk address.",
		},
		{
			displayName: 'Collision Protection',
			displayOptions: SUPPORT_ONLY,
			name: 'safeUpdates',
			type: 'boolean',
			default: true,
			description:
				'Whether comments are sent as safe updates, so a copy of the same message sent by another n8n process is noticed',
		},
		{
			displayName: 'Control Check Interval (Seconds)',
			name: 'controlCheckSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_CONTROL_CHECK_SECONDS,
			displayOptions: MESSAGING_ONLY,
			description:
				'How long this process trusts that an agent has the conversation before it reads that again (one request). Sooner after an agent solved the ticket, a message waits for the next one to reach a new ticket. 0 reads it before every message.',
		},
		{
			displayName: 'Conversation Cache (Minutes)',
			name: 'cacheMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description: 'How long this process remembers the ticket of a conversation. 0 looks it up for every message.',
		},
		{
			displayName: 'Edits and Deletions',
			name: 'editsAndDeletions',
			type: 'options',
			displayOptions: MESSAGING_ONLY,
			options: [
				{
					name: 'Post as a Marked Message',
					value: 'post',
					description:
						'Agents see "✏️ Edited in Slack" or "🗑️ Deleted in Slack" with the texts, as a message of the user; nothing reaches Slack',
				},
				{ name: 'Skip', value: 'skip', description: 'Agents see the message as first sent' },
			],
			default: 'post',
			description: 'What agents see when a user edits or deletes a Slack message (messaging has no edit)',
		},
		{
			displayName: 'Group DM Participants',
			displayOptions: SUPPORT_ONLY,
			name: 'participantCopies',
			type: 'options',
			options: [
				{
					name: 'Copy as Email CCs',
					value: 'emailCcs',
					description:
						'Adds the linked participants (Profile Linker) as CCs on creation and when new ones appear (accounts with CCs and followers)',
				},
				{
					name: 'Copy as Collaborators',
					value: 'collaborators',
					description: 'Adds them as collaborators, for accounts still on legacy CCs',
				},
				{ name: 'Do Not Copy', value: 'off' },
			],
			default: 'emailCcs',
			description: 'How the other people of a group DM are copied on the ticket',
		},
		{
			displayName: 'Subject Fallback',
			displayOptions: SUPPORT_ONLY,
			name: 'subjectFallback',
			type: 'string',
			default: 'Slack message',
			description: 'Subject when the first message has no text (only files)',
		},
		{
			displayName: 'Subject Max Length',
			displayOptions: SUPPORT_ONLY,
			name: 'subjectMaxLength',
			type: 'number',
			typeOptions: { minValue: 10 },
			default: DEFAULT_SUBJECT_MAX_LENGTH,
		},
		{
			displayName: 'Thread Replies',
			name: 'threadReplies',
			type: 'options',
			options: [
				{
					name: "Join the Conversation's Ticket",
					value: 'joinConversation',
					description:
						"A reply in a thread of a DM is added to the DM's ticket, marked as a thread reply; agent replies come back into the DM",
				},
				{
					name: 'One Ticket per Thread',
					value: 'ticketPerThread',
					description:
						"Each thread of a DM gets its own ticket, which mentions the DM's ticket; agent replies go into the thread",
				},
			],
			default: 'joinConversation',
			description:
				"Where replies inside a Slack thread go (the trigger's Include Thread Replies option). Channel @-mentions always get one ticket per thread.",
		},
		{
			displayName: 'Ticket Update Limit',
			displayOptions: SUPPORT_ONLY,
			name: 'updateLimit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30,
			description:
				'Updates Zendesk allows per user per ticket in the window below. Near it, waiting messages are combined into one comment.',
		},
		{
			displayName: 'Ticket Update Window (Seconds)',
			displayOptions: SUPPORT_ONLY,
			name: 'updateWindowSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 600,
		},
	],
};
