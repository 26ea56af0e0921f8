// n8n loads nodes and credentials from the `n8n` section of package.json; this entry point
// exports the same classes for programmatic use (the in-process test runner imports them).
export { SlackDmApi } from './credentials/SlackDmApi.credentials';
export { ZendeskDmApi } from './credentials/ZendeskDmApi.credentials';
export { ZendeskDmOAuth2Api } from './credentials/ZendeskDmOAuth2Api.credentials';
export { ZendeskMessagingApi } from './credentials/ZendeskMessagingApi.credentials';
export { SlackDmTrigger } from './nodes/SlackDmTrigger/SlackDmTrigger.node';
export { ProfileLinker } from './nodes/ProfileLinker/ProfileLinker.node';
export { AttachmentAllowlist } from './nodes/AttachmentAllowlist/AttachmentAllowlist.node';
export { ZendeskMessagingUpsert } from './nodes/ZendeskMessagingUpsert/ZendeskMessagingUpsert.node';
export { ZendeskReplyTrigger } from './nodes/ZendeskReplyTrigger/ZendeskReplyTrigger.node';
export { SlackDmReply } from './nodes/SlackDmReply/SlackDmReply.node';
export { SlackDmCatchUp } from './nodes/SlackDmCatchUp/SlackDmCatchUp.node';
