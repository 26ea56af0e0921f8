/**
 * In-process runner: executes this package's nodes through real n8n-core execution contexts
 * (ExecuteContext, WebhookContext, HookContext, WorkflowExecute), so parameters resolve as in
 * n8n, credentials authenticate requests the way n8n's CredentialsHelper does, and
 * `httpRequestWithAuthentication` really sends HTTP to the emulators. Fast integration tests
 * use this; the real-n8n harness (realN8n.ts) proves the same in a running n8n.
 */
import { EventEmitter } from 'node:events';

import { Container } from '@n8n/di';
import {
	BinaryDataService,
	ExecuteContext,
	ExecutionLifecycleHooks,
	HookContext,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunExecutionData,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
	IConnections,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import * as pkg from '../../index';

// ---------------------------------------------------------------- registries

const credentialTypes = new Map<string, ICredentialType>();
const nodeTypeClasses = new Map<string, INodeType>();

for (const exported of Object.values(pkg) as Array<new () => unknown>) {
	const instance = new exported() as Partial<ICredentialType & INodeType>;
	if ((instance as INodeType).description) {
		const nodeType = instance as INodeType;
		nodeTypeClasses.set(nodeType.description.name, nodeType);
	} else if ((instance as ICredentialType).properties) {
		const credentialType = instance as ICredentialType;
		credentialTypes.set(credentialType.name, credentialType);
	}
}

/** The package's node type name for a node class, e.g. `slackDmTrigger`. */
export function typeNameOf(nodeType: INodeType): string {
	return nodeType.description.name;
}

class PackageNodeTypes implements INodeTypes {
	constructor(private readonly extra: Map<string, INodeType>) {}

	getByName(name: string): INodeType {
		return this.getByNameAndVersion(name);
	}

	getByNameAndVersion(name: string): INodeType {
		const short = name.replace(/^.*\./, '');
		const found = this.extra.get(name) ?? this.extra.get(short) ?? nodeTypeClasses.get(short);
		if (!found) throw new Error(`in-process runner: unknown node type ${name}`);
		return found;
	}

	getKnownTypes() {
		return {};
	}
}

// ---------------------------------------------------------------- credentials

type CredentialStore = Record<string, ICredentialDataDecryptedObject>;

/** Mirrors n8n's CredentialsHelper for generic `authenticate` blocks and OAuth2 parents. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly store: CredentialStore,
		private readonly requestTimeoutMs?: number,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		const type = credentialTypes.get(name);
		if (!type?.extends) return [];
		return type.extends.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	/** Credential reads n8n would load, decrypt and resolve (one isolate each in a real webhook). */
	decryptedReads = 0;

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes.get(typeName);
		const options = requestOptions as IHttpRequestOptions & Record<string, IDataObject>;
		if (
			this.requestTimeoutMs !== undefined &&
			(options.timeout === undefined || options.timeout > this.requestTimeoutMs)
		)
			options.timeout = this.requestTimeoutMs;
		if (!type?.authenticate) return options;
		if (typeof type.authenticate === 'function') return await type.authenticate(credentials, options);
		if (type.authenticate.type !== 'generic') return options;
		const resolve = (value: string) =>
			workflow && node
				? String(
						workflow.expression.getSimpleParameterValue(
							node,
							value,
							'internal',
							{ $credentials: credentials },
							undefined,
							'',
						),
					)
				: value;
		for (const [outerKey, outerValue] of Object.entries(type.authenticate.properties)) {
			const target = (options[outerKey] ??= {}) as IDataObject;
			for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
				target[resolve(key)] = resolve(value);
			}
		}
		return options;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used in-process');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		this.decryptedReads++;
		const data = this.store[type];
		if (!data) throw new Error(`in-process runner: no credentials of type ${type} were given`);
		return { ...defaultsOf(type), ...data };
	}

	async updateCredentials(
		_details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = data;
	}

	async updateCredentialsOauthTokenData(
		_details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = data;
	}

	getCredentialsProperties(type: string) {
		return credentialTypes.get(type)?.properties ?? [];
	}
}

function defaultsOf(type: string): ICredentialDataDecryptedObject {
	const defaults: ICredentialDataDecryptedObject = {};
	for (const property of credentialTypes.get(type)?.properties ?? []) {
		const value = property.default;
		if (typeof value === 'string' && value.startsWith('=')) continue;
		if (value !== undefined && value !== '') defaults[property.name] = value as string;
	}
	return defaults;
}

// ---------------------------------------------------------------- shared plumbing

let binaryDataReady: Promise<void> | undefined;
function ensureBinaryData(): Promise<void> {
	binaryDataReady ??= Container.get(BinaryDataService).init();
	return binaryDataReady;
}

export interface CommonOptions {
	parameters?: INodeParameters;
	/** Decrypted credential data by credential type name. */
	credentials?: CredentialStore;
	/** Workflow static data; pass the same object to later calls to simulate one active workflow. */
	staticData?: IDataObject;
	workflowId?: string;
	nodeName?: string;
	webhookBaseUrl?: string;
	/**
	 * Lowers every authenticated request's per-attempt timeout to this (the transport's default is
	 * 30 s), so a test of the no-answer path need not wait for the real deadline.
	 */
	requestTimeoutMs?: number;
}

function buildAdditionalData(
	credentials: CredentialStore,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
	requestTimeoutMs?: number,
): IWorkflowExecuteAdditionalData {
	const webhookBaseUrl = extra.webhookBaseUrl ?? 'http://127.0.0.1:5678/';
	return {
		credentialsHelper: new TestCredentialsHelper(credentials, requestTimeoutMs),
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not supported in-process');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl,
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => undefined,
		executionId: `inproc-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
		...extra,
	} as IWorkflowExecuteAdditionalData;
}

function buildNode(nodeType: INodeType, options: CommonOptions): INode {
	const description = nodeType.description;
	const typeVersion = Array.isArray(description.version) ? Math.max(...description.version) : description.version;
	// The node (its typeVersion) decides parameters shown by `@version`, as in n8n.
	const parameters = NodeHelpers.getNodeParameters(
		description.properties,
		options.parameters ?? {},
		true,
		false,
		{ typeVersion } as INode,
		description,
	) as INodeParameters;
	const credentials: INode['credentials'] = {};
	for (const credential of description.credentials ?? []) {
		if (options.credentials?.[credential.name])
			credentials[credential.name] = { id: credential.name, name: credential.name };
	}
	return {
		id: `${description.name}-node`,
		name: options.nodeName ?? description.defaults.name ?? description.displayName,
		type: description.name,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials,
		webhookId: `${options.workflowId ?? 'wf-inproc'}-${description.name}`,
	};
}

function buildWorkflow(
	nodes: INode[],
	nodeTypes: INodeTypes,
	options: { staticData?: IDataObject; workflowId?: string; connections?: IConnections },
) {
	return new Workflow({
		id: options.workflowId ?? 'wf-inproc',
		name: 'in-process',
		nodes,
		connections: options.connections ?? {},
		active: true,
		nodeTypes,
		staticData: options.staticData ?? {},
		settings: {},
	});
}

// ---------------------------------------------------------------- executeNode

export interface ExecuteNodeOptions extends CommonOptions {
	items: INodeExecutionData[];
	continueOnFail?: boolean;
	mode?: WorkflowExecuteMode;
}

export async function executeNode(
	nodeType: INodeType,
	options: ExecuteNodeOptions,
): Promise<{ outputs: INodeExecutionData[][] }> {
	await ensureBinaryData();
	const node = buildNode(nodeType, options);
	if (options.continueOnFail) node.onError = 'continueRegularOutput';
	const workflow = buildWorkflow(
		[node],
		new PackageNodeTypes(new Map([[nodeType.description.name, nodeType]])),
		options,
	);
	const additionalData = buildAdditionalData(options.credentials ?? {}, {}, options.requestTimeoutMs);
	const runExecutionData = createRunExecutionData({}) as IRunExecutionData;
	const inputData = { main: [options.items] };
	const executeData: IExecuteData = { node, data: inputData, source: { main: [{ previousNode: 'Input' }] } };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		options.mode ?? 'manual',
		runExecutionData,
		0,
		options.items,
		inputData,
		executeData,
		[],
	);
	if (!nodeType.execute) throw new Error(`${nodeType.description.name} has no execute()`);
	const outputs = (await nodeType.execute.call(context)) as INodeExecutionData[][];
	return { outputs };
}

// ---------------------------------------------------------------- invokeWebhook

export interface InvokeWebhookOptions extends CommonOptions {
	method?: 'POST' | 'GET';
	headers?: Record<string, string>;
	rawBody: string | Buffer;
	query?: Record<string, string>;
	webhookName?: 'default' | 'setup';
	/** Answer as n8n does when it cannot create the execution the webhook asked for (500). */
	executionStartFails?: boolean;
	/** Time n8n takes to create the execution before it answers (respond-at-once mode). */
	executionStartMs?: number;
	/** The client (Slack) closes the connection this long after sending, answered or not. */
	clientHangsUpAfterMs?: number;
	/**
	 * How n8n 2.41.1's body handling goes (dist/middlewares/body-parser.js, webhook-helpers.js):
	 * 'read' (default) has the raw body ready; 'consumed' is a multipart request whose body n8n
	 * already parsed as a form, so reading the raw body throws n8n's BadRequestError; 'tooLarge'
	 * is a body over N8N_PAYLOAD_SIZE_MAX left to the node, where raw-body throws its 413 error.
	 */
	rawBodyState?: 'read' | 'consumed' | 'tooLarge';
}

export interface WebhookResult {
	status: number;
	body: unknown;
	headers: Record<string, string>;
	/** Items that would start an execution; undefined when none starts. */
	workflowData?: INodeExecutionData[][];
	/** True when the node answered the HTTP request itself. */
	nodeResponded: boolean;
	/** Credential reads during the request (the node's own and those behind authenticated calls). */
	credentialReads: number;
}

class CapturedResponse extends EventEmitter {
	statusCode = 200;
	headers: Record<string, string> = {};
	body: unknown;
	finished = false;
	headersSent = false;
	/** The client hung up (as Node's ServerResponse reports it). */
	closed = false;
	destroyed = false;

	hangUp() {
		if (this.closed) return;
		this.closed = true;
		this.destroyed = true;
		this.emit('close');
	}

	get writableFinished(): boolean {
		return this.finished;
	}

	status(code: number) {
		this.statusCode = code;
		return this;
	}
	set(name: string | Record<string, string>, value?: string) {
		if (typeof name === 'string') this.headers[name.toLowerCase()] = String(value);
		else for (const [k, v] of Object.entries(name)) this.headers[k.toLowerCase()] = String(v);
		return this;
	}
	header(name: string, value: string) {
		return this.set(name, value);
	}
	setHeader(name: string, value: string) {
		this.set(name, value);
	}
	getHeader(name: string) {
		return this.headers[name.toLowerCase()];
	}
	writeHead(code: number, headers?: Record<string, string>) {
		this.statusCode = code;
		if (headers) this.set(headers);
		this.headersSent = true;
		return this;
	}
	type(value: string) {
		return this.set('content-type', value);
	}
	json(body: unknown) {
		this.set('content-type', 'application/json');
		return this.end(body);
	}
	send(body?: unknown) {
		return this.end(body);
	}
	sendStatus(code: number) {
		this.statusCode = code;
		return this.end();
	}
	write(chunk: unknown) {
		this.body = `${this.body ?? ''}${String(chunk)}`;
		return true;
	}
	end(body?: unknown) {
		if (body !== undefined) this.body = Buffer.isBuffer(body) ? body.toString('utf8') : body;
		this.finished = true;
		this.headersSent = true;
		this.emit('finish');
		if (!this.closed) {
			this.closed = true;
			this.emit('close');
		}
		return this;
	}
}

export async function invokeWebhook(nodeType: INodeType, options: InvokeWebhookOptions): Promise<WebhookResult> {
	await ensureBinaryData();
	const node = buildNode(nodeType, options);
	const workflow = buildWorkflow(
		[node],
		new PackageNodeTypes(new Map([[nodeType.description.name, nodeType]])),
		options,
	);
	const rawBody = Buffer.isBuffer(options.rawBody) ? options.rawBody : Buffer.from(options.rawBody, 'utf8');
	const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
	let body: unknown = {};
	const contentType = headers['content-type'] ?? 'application/json';
	if (contentType.includes('json')) {
		try {
			body = JSON.parse(rawBody.toString('utf8'));
		} catch {
			body = {};
		}
	} else if (contentType.includes('x-www-form-urlencoded')) {
		body = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
	}
	const state = options.rawBodyState ?? 'read';
	const request = Object.assign(new EventEmitter(), {
		method: options.method ?? 'POST',
		headers,
		body,
		rawBody: state === 'read' ? rawBody : undefined,
		query: options.query ?? {},
		params: {},
		url: '/webhook',
		readRawBody: async () => {
			if (state === 'consumed')
				throw Object.assign(new Error('Request body stream was aborted or is not readable'), { httpStatusCode: 400 });
			if (state === 'tooLarge')
				throw Object.assign(new Error('request entity too large'), {
					type: 'entity.too.large',
					status: 413,
					statusCode: 413,
				});
		},
	});
	const response = new CapturedResponse();
	const additionalData = buildAdditionalData(
		options.credentials ?? {},
		{
			httpRequest: request as unknown as IWorkflowExecuteAdditionalData['httpRequest'],
			httpResponse: response as unknown as IWorkflowExecuteAdditionalData['httpResponse'],
			webhookBaseUrl: options.webhookBaseUrl,
		},
		options.requestTimeoutMs,
	);
	const webhookName = options.webhookName ?? 'default';
	const description = nodeType.description.webhooks?.find((w) => w.name === webhookName);
	if (!description) throw new Error(`${nodeType.description.name} has no ${webhookName} webhook`);
	const webhookData = {
		httpMethod: options.method ?? 'POST',
		node: node.name,
		path: 'webhook',
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as IWebhookData;
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
	if (!nodeType.webhook) throw new Error(`${nodeType.description.name} has no webhook()`);
	if (options.clientHangsUpAfterMs !== undefined) setTimeout(() => response.hangUp(), options.clientHangsUpAfterMs);
	const result = await nodeType.webhook.call(context);
	if (options.staticData) Object.assign(options.staticData, workflow.staticData);
	if (result.noWebhookResponse) {
		return {
			status: response.statusCode,
			body: response.body,
			headers: response.headers,
			workflowData: result.workflowData,
			nodeResponded: true,
			credentialReads: (additionalData.credentialsHelper as TestCredentialsHelper).decryptedReads,
		};
	}
	// n8n answers after creating the execution (respond-at-once mode), or with 500 when it cannot.
	const failed = options.executionStartFails === true && result.workflowData !== undefined;
	if (result.workflowData !== undefined && options.executionStartMs)
		await new Promise((resolve) => setTimeout(resolve, options.executionStartMs));
	const status = failed ? 500 : 200;
	const answer = failed
		? { code: 0, message: 'Error in workflow' }
		: (result.webhookResponse ?? { message: 'Workflow was started' });
	response.status(status).json(answer);
	return {
		status,
		body: answer,
		headers: {},
		workflowData: failed ? undefined : result.workflowData,
		nodeResponded: false,
		credentialReads: (additionalData.credentialsHelper as TestCredentialsHelper).decryptedReads,
	};
}

// ---------------------------------------------------------------- webhook lifecycle

export interface LifecycleOptions extends CommonOptions {
	webhookUrl?: string;
	/** 'manual': as n8n's test webhook ("Listen for test event"): mode and activation 'manual', isTest, webhookUrl is the test URL. */
	mode?: 'trigger' | 'manual';
}

export async function runWebhookLifecycle(
	nodeType: INodeType,
	options: LifecycleOptions,
	method: 'checkExists' | 'create' | 'delete',
	webhookName: 'default' | 'setup' = 'default',
): Promise<boolean> {
	const node = buildNode(nodeType, options);
	const staticData = options.staticData ?? {};
	const workflow = buildWorkflow([node], new PackageNodeTypes(new Map([[nodeType.description.name, nodeType]])), {
		...options,
		staticData,
	});
	const webhookBaseUrl = options.webhookUrl ? new URL('/', options.webhookUrl).toString() : options.webhookBaseUrl;
	const isTest = options.mode === 'manual';
	const additionalData = buildAdditionalData(
		options.credentials ?? {},
		isTest && webhookBaseUrl ? { webhookTestBaseUrl: webhookBaseUrl } : { webhookBaseUrl },
		options.requestTimeoutMs,
	);
	const description = nodeType.description.webhooks?.find((w) => w.name === webhookName);
	if (!description) throw new Error(`${nodeType.description.name} has no ${webhookName} webhook`);
	const path = options.webhookUrl ? new URL(options.webhookUrl).pathname.replace(/^\/(webhook\/)?/, '') : 'webhook';
	const webhookData = {
		httpMethod: description.httpMethod,
		node: node.name,
		path,
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest,
	} as IWebhookData;
	const context = new HookContext(
		workflow,
		node,
		additionalData,
		isTest ? 'manual' : 'trigger',
		isTest ? 'manual' : 'activate',
		webhookData,
	);
	const fn = nodeType.webhookMethods?.[webhookName]?.[method];
	if (!fn) throw new Error(`${nodeType.description.name} has no webhookMethods.${webhookName}.${method}`);
	const result = await fn.call(context);
	// The hook mutates workflow.staticData; hand it back to the caller's object.
	Object.assign(staticData, workflow.staticData);
	for (const key of Object.keys(staticData)) if (!(key in workflow.staticData)) delete staticData[key];
	return result;
}

// ---------------------------------------------------------------- whole workflows

export interface WorkflowJson {
	nodes: Array<
		Omit<INode, 'id' | 'typeVersion' | 'position'> & Partial<Pick<INode, 'id' | 'typeVersion' | 'position'>>
	>;
	connections: IConnections;
	staticData?: IDataObject;
}

export interface RunWorkflowOptions {
	credentials?: CredentialStore;
	/** As CommonOptions.requestTimeoutMs. */
	requestTimeoutMs?: number;
	/** Node that starts the run (a trigger) and the items it emits. */
	startNode: string;
	startItems: INodeExecutionData[];
	/** Extra node types (e.g. n8n built-ins replaced by small fakes) by type name. */
	extraNodeTypes?: Record<string, INodeType>;
}

/** Runs a workflow JSON (package nodes; other types via extraNodeTypes) through WorkflowExecute. */
export async function runWorkflow(json: WorkflowJson, options: RunWorkflowOptions): Promise<IRun> {
	await ensureBinaryData();
	const nodeTypes = new PackageNodeTypes(new Map(Object.entries(options.extraNodeTypes ?? {})));
	const nodes: INode[] = json.nodes.map((raw, index) => {
		const type = nodeTypes.getByNameAndVersion(raw.type);
		const parameters = NodeHelpers.getNodeParameters(
			type.description.properties,
			raw.parameters ?? {},
			true,
			false,
			{ typeVersion: raw.typeVersion ?? 1 } as INode,
			type.description,
		) as INodeParameters;
		const credentials: INode['credentials'] = {};
		for (const credential of type.description.credentials ?? []) {
			if (options.credentials?.[credential.name])
				credentials[credential.name] = { id: credential.name, name: credential.name };
		}
		return {
			id: raw.id ?? `node-${index}`,
			typeVersion: raw.typeVersion ?? 1,
			position: raw.position ?? [index * 200, 0],
			...raw,
			parameters,
			credentials,
		} as INode;
	});
	const workflow = buildWorkflow(nodes, nodeTypes, { staticData: json.staticData, connections: json.connections });
	const additionalData = buildAdditionalData(options.credentials ?? {}, {}, options.requestTimeoutMs);
	additionalData.hooks = new ExecutionLifecycleHooks('manual', additionalData.executionId!, {
		id: 'wf-inproc',
		name: 'in-process',
		nodes,
		connections: json.connections,
		active: true,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const startNode = workflow.getNode(options.startNode);
	if (!startNode) throw new Error(`no node named ${options.startNode}`);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [options.startItems] }, source: null }],
		},
	}) as IRunExecutionData;
	const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	return await workflowExecute.processRunExecutionData(workflow);
}
