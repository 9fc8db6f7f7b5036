// SPDX-License-Identifier: GPL-3.0-or-later
// A local Teams Workflows webhook (issue #22 §5): the HTTP trigger of a Power Automate flow
// "When a Teams webhook request is received" -> "Post card in a chat or channel", enforcing the
// contract the Teams channel (src/channels/teams/) relies on. It follows:
// - the request: POST, JSON, `{"type": "message", "attachments": [{"contentType":
//   "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <AdaptiveCard>}]}`
//   https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
//   ("Send Adaptive Cards using an Incoming Webhook"), and the Workflows template "Send webhook
//   alerts to a channel" (https://support.microsoft.com/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498);
// - the card: Adaptive Card schema (https://adaptivecards.io/explorer/), version ≤ 1.5 ("Teams
//   platform supports v1.5 or earlier", https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference),
//   every element and action of a version no newer than the card's; Action.Submit is not
//   supported through webhooks (same page: "all native Adaptive Card schema elements, except
//   Action.Submit");
// - the size: "The message size limit is 28 KB" (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook)
//   and "Request Entity too large" past ~28 KB (https://learn.microsoft.com/connectors/teams/,
//   known limitations). The real trigger accepts first and the flow fails later; the simulator
//   answers 413 at once, so a test sees what the channel would lose silently;
// - the answers of a Logic Apps / Power Automate request trigger: 202 Accepted; errors as the
//   Azure error document `{"error": {"code", "message"}}`: 400 InvalidRequestContent, 401 when
//   the `sig` query parameter is missing or wrong (the URL is a shared-access signature), 404 for
//   an unknown workflow, 429 with Retry-After when throttled (https://learn.microsoft.com/azure/logic-apps/logic-apps-limits-and-config),
//   5xx when the service is down.
// Faults are scripted (`answers`): a status (optionally with Retry-After, or echoing the whole
// request address, as a careless server might), or a hang until the client gives up.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;
const CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Adaptive Card element and action types, with the schema version that introduced each. */
const ELEMENTS: Record<string, number> = {
  TextBlock: 1.0,
  Image: 1.0,
  Container: 1.0,
  ColumnSet: 1.0,
  FactSet: 1.0,
  ImageSet: 1.0,
  'Input.Text': 1.0,
  'Input.Number': 1.0,
  'Input.Date': 1.0,
  'Input.Time': 1.0,
  'Input.Toggle': 1.0,
  'Input.ChoiceSet': 1.0,
  Media: 1.1,
  ActionSet: 1.2,
  RichTextBlock: 1.2,
  Table: 1.5,
};
const ACTIONS: Record<string, number> = {
  'Action.OpenUrl': 1.0,
  'Action.ShowCard': 1.0,
  'Action.ToggleVisibility': 1.2,
  'Action.Execute': 1.4,
};

export type TeamsAnswer = { status: number; retryAfter?: string; echoAddress?: boolean } | 'hang';

export interface TeamsSim {
  /** The workflow's address, key included (`…&sig=…`). */
  webhookUrl: string;
  /** The same workflow with a wrong key, and an unknown workflow. */
  wrongKeyUrl: string;
  unknownWorkflowUrl: string;
  /** The next answers, in order; when empty, the request is checked and accepted (202). */
  answers: TeamsAnswer[];
  /** Cards accepted (the `content` of the attachment), in order. */
  accepted: Record<string, unknown>[];
  /** Every request: its status, or 'hang'; and the problem found in the body, if any. */
  requests: { status: number | 'hang'; problem?: string }[];
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first thing wrong with an element list, or null. */
function elementsProblem(items: unknown, version: number, where: string): string | null {
  if (!Array.isArray(items)) return `${where} is not an array`;
  for (const [i, item] of items.entries()) {
    const at = `${where}[${i}]`;
    if (!isObject(item) || typeof item.type !== 'string') return `${at} has no type`;
    const since = ELEMENTS[item.type];
    if (since === undefined) return `${at}: unknown element type ${item.type}`;
    if (since > version) return `${at}: ${item.type} needs version ${since}`;
    const inner = elementProblem(item, version, at);
    if (inner) return inner;
  }
  return null;
}

function elementProblem(item: Record<string, unknown>, version: number, at: string): string | null {
  switch (item.type) {
    case 'TextBlock':
      return typeof item.text === 'string' ? null : `${at}: TextBlock without text`;
    case 'RichTextBlock':
      if (!Array.isArray(item.inlines)) return `${at}: RichTextBlock without inlines`;
      return item.inlines.every(
        (r) => typeof r === 'string' || (isObject(r) && r.type === 'TextRun' && typeof r.text === 'string'),
      )
        ? null
        : `${at}: an inline that is not a TextRun with text`;
    case 'Container':
      return elementsProblem(item.items, version, `${at}.items`);
    case 'ColumnSet':
      if (item.columns === undefined) return null;
      if (!Array.isArray(item.columns)) return `${at}.columns is not an array`;
      for (const [j, c] of item.columns.entries()) {
        if (!isObject(c)) return `${at}.columns[${j}] is not a column`;
        const p = elementsProblem(c.items ?? [], version, `${at}.columns[${j}].items`);
        if (p) return p;
      }
      return null;
    case 'FactSet':
      return Array.isArray(item.facts) &&
        item.facts.every((f) => isObject(f) && typeof f.title === 'string' && typeof f.value === 'string')
        ? null
        : `${at}: FactSet facts need a title and a value`;
    case 'ActionSet':
      return actionsProblem(item.actions, version, `${at}.actions`);
    default:
      return null;
  }
}

function actionsProblem(actions: unknown, version: number, where: string): string | null {
  if (actions === undefined) return null;
  if (!Array.isArray(actions)) return `${where} is not an array`;
  for (const [i, a] of actions.entries()) {
    const at = `${where}[${i}]`;
    if (!isObject(a) || typeof a.type !== 'string') return `${at} has no type`;
    const since = ACTIONS[a.type];
    if (since === undefined) return `${at}: ${a.type} is not supported in a webhook card`;
    if (since > version) return `${at}: ${a.type} needs version ${since}`;
    if (a.type === 'Action.OpenUrl') {
      if (typeof a.url !== 'string' || !/^https?:\/\//.test(a.url)) return `${at}: Action.OpenUrl needs an http(s) url`;
      if (typeof a.title !== 'string' || !a.title) return `${at}: Action.OpenUrl needs a title`;
    }
  }
  return null;
}

/** What is wrong with a request body, or null when the flow can post it. */
export function bodyProblem(body: unknown): string | null {
  if (!isObject(body)) return 'the body is not a JSON object';
  if (body.type !== 'message') return `type must be "message", not ${JSON.stringify(body.type)}`;
  if (!Array.isArray(body.attachments) || body.attachments.length === 0) return 'attachments must be a non-empty array';
  for (const [i, att] of body.attachments.entries()) {
    if (!isObject(att)) return `attachments[${i}] is not an object`;
    if (att.contentType !== CONTENT_TYPE) return `attachments[${i}].contentType must be ${CONTENT_TYPE}`;
    if ('contentUrl' in att && att.contentUrl !== null) return `attachments[${i}].contentUrl must be null`;
    const card = att.content;
    if (!isObject(card) || card.type !== 'AdaptiveCard') return `attachments[${i}].content must be an AdaptiveCard`;
    if (typeof card.version !== 'string' || !/^1\.[0-5]$/.test(card.version))
      return `attachments[${i}].content.version must be 1.0 to 1.5, not ${JSON.stringify(card.version)}`;
    const version = Number(card.version);
    const problem =
      elementsProblem(card.body, version, `attachments[${i}].content.body`) ??
      actionsProblem(card.actions, version, `attachments[${i}].content.actions`);
    if (problem) return problem;
  }
  return null;
}

const azureError = (
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) =>
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    .end(JSON.stringify({ error: { code, message } }));

const STATUS_CODES: Record<number, string> = {
  400: 'InvalidRequestContent',
  401: 'DirectApiAuthorizationRequired',
  403: 'AuthorizationFailed',
  404: 'WorkflowNotFound',
  413: 'RequestEntityTooLarge',
  429: 'WorkflowRequestsThrottled',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

export async function startTeamsSim(): Promise<TeamsSim> {
  const workflowId = 'a1b2c3d4e5f6478899aabbccddeeff00';
  const sig = 'S1gn4tur3-0f-th3-w0rkfl0w_DoNotLeak';
  const sockets = new Set<Socket>();
  const sim = { answers: [], accepted: [], requests: [] } as unknown as TeamsSim;

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const scripted = sim.answers.shift();
    if (scripted === 'hang') {
      sim.requests.push({ status: 'hang' });
      return; // never answers; the client's abort closes the socket
    }
    const answer = (status: number, code: string, message: string, headers?: Record<string, string>) => {
      sim.requests.push({ status, ...(status === 400 && { problem: message }) });
      azureError(res, status, code, message, headers);
    };
    if (scripted) {
      const words = scripted.echoAddress
        ? `The request to 'http://${req.headers.host}${req.url}' was refused.`
        : `scripted ${scripted.status}`;
      return answer(scripted.status, STATUS_CODES[scripted.status] ?? 'Error', words, {
        ...(scripted.retryAfter !== undefined && { 'retry-after': scripted.retryAfter }),
      });
    }
    const path = url.pathname.match(/^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/);
    if (req.method !== 'POST') return answer(405, 'MethodNotAllowed', `The method '${req.method}' is not allowed.`);
    if (!path || path[1] !== workflowId)
      return answer(404, 'WorkflowNotFound', `The workflow '${path?.[1] ?? url.pathname}' could not be found.`);
    for (const p of ['api-version', 'sp', 'sv'])
      if (!url.searchParams.get(p))
        return answer(400, 'InvalidRequestContent', `The query parameter '${p}' is missing.`);
    const key = url.searchParams.get('sig');
    if (!key)
      return answer(
        401,
        'DirectApiAuthorizationRequired',
        'The request must be authenticated only by Shared Access scheme.',
      );
    if (key !== sig)
      return answer(
        401,
        'DirectApiInvalidAuthorizationSignature',
        'The provided authorization signature is not valid.',
      );
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      return answer(400, 'InvalidRequestContent', 'The request content type must be application/json.');
    if (raw.length > TEAMS_MESSAGE_MAX_BYTES)
      return answer(
        413,
        'RequestEntityTooLarge',
        `The message is ${raw.length} bytes; the limit is ${TEAMS_MESSAGE_MAX_BYTES}.`,
      );
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return answer(400, 'InvalidRequestContent', 'The request content is not valid and could not be deserialized.');
    }
    const problem = bodyProblem(body);
    if (problem) return answer(400, 'InvalidRequestContent', problem);
    sim.accepted.push(
      ...(body as { attachments: { content: Record<string, unknown> }[] }).attachments.map((a) => a.content),
    );
    sim.requests.push({ status: 202 });
    res.writeHead(202, { 'x-ms-workflow-run-id': `0858${sim.requests.length}` }).end();
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const address = (id: string, key: string) =>
    `${base}/workflows/${id}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${key}`;
  sim.webhookUrl = address(workflowId, sig);
  sim.wrongKeyUrl = address(workflowId, 'not-the-key');
  sim.unknownWorkflowUrl = address('0000', sig);
  sim.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return sim;
}
