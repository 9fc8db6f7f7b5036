// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: a run report's channel message (report/channel-message.ts) as a Teams Workflows webhook
// request: a `message` whose one attachment is an Adaptive Card.
//
// - Envelope and content type: "Send Adaptive Cards using an Incoming Webhook",
//   https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
//   (the Workflows template "Send webhook alerts to a channel" posts `attachments[0].content`).
// - Version 1.4: Teams renders Adaptive Cards up to 1.5 ("Teams platform supports v1.5 or earlier",
//   https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference);
//   1.4 is what the Workflows examples use and what older mobile clients render. We need nothing newer.
// - No Markdown for values: a TextBlock parses a CommonMark subset (**bold**, _italic_, lists,
//   [links](url), https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features) and
//   its backslash escapes are honoured unevenly by the renderers (the shared C++ model used on
//   mobile prints the backslash). A TextRun inside a RichTextBlock is plain text ("RichTextBlock
//   does not support Markdown", same page; the JS renderer sets it as innerText), so every value
//   (plan and application names, causes, fixes) goes in a TextRun: `*_[]()~\`` and `<b>` show as
//   typed, and no name can make a link. Only the DATE()/TIME() functions apply to TextRuns too:
//   "{{" is broken with a word joiner.
// - Size: a Teams message is limited to about 28 KB ("Create an Incoming Webhook", and the Teams
//   connector's known limitations, https://learn.microsoft.com/connectors/teams/); a Workflows
//   trigger answers 202 before the flow posts, so an oversized card fails silently in the flow. We
//   keep the whole request under TEAMS_CARD_MAX_BYTES by shortening, then cutting, the steps; never
//   the title.
import type { ChannelMessage } from '../../report/channel-message.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_VERSION = '1.4';
/** Well under Teams' ~28 KB, with room for what the flow adds around the card. */
export const TEAMS_CARD_MAX_BYTES = 20_000;
/** One step longer than this is shortened: a card is a notice, the mail has the whole text. */
export const TEAMS_STEP_MAX_CHARS = 1_000;
const CUT = '…';

interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  size?: 'Medium';
  color?: 'Good' | 'Warning' | 'Attention';
  isSubtle?: boolean;
}
type Element =
  | { type: 'RichTextBlock'; inlines: TextRun[]; spacing?: 'None' | 'Small' | 'Medium' }
  | { type: 'Container'; style: 'good' | 'warning' | 'attention'; items: Element[] };

export interface TeamsRequest {
  type: 'message';
  attachments: [{ contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard }];
}
export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: typeof ADAPTIVE_CARD_VERSION;
  body: Element[];
  actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
}

const TONE = {
  success: { style: 'good', color: 'Good' },
  warning: { style: 'warning', color: 'Warning' },
  failure: { style: 'attention', color: 'Attention' },
} as const;

/**
 * Outside text as one plain line for a TextRun: no control characters, no bidi embeddings or
 * overrides (the title's own isolates, FSI…PDI, stay), no DATE()/TIME() function.
 */
export function plainText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066\u2067]/g, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replaceAll('{{', '{\u2060{');
}

const shorten = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}${CUT}` : s);
const run = (text: string, style: Omit<TextRun, 'type' | 'text'> = {}): TextRun => ({
  type: 'TextRun',
  text: plainText(text),
  ...style,
});
const line = (inline: TextRun, spacing?: 'None' | 'Small'): Element => ({
  type: 'RichTextBlock',
  inlines: [inline],
  ...(spacing && { spacing }),
});

function cardOf(m: ChannelMessage, steps: string[], cut: boolean): AdaptiveCard {
  const tone = TONE[m.tone];
  const body: Element[] = [
    { type: 'Container', style: tone.style, items: [line(run(m.title, { weight: 'Bolder', size: 'Medium' }))] },
    line(run(m.when, { isSubtle: true }), 'Small'),
    line(run(m.counts), 'Small'),
  ];
  if (steps.length > 0 || cut) {
    body.push(line(run(m.stepsTitle, { weight: 'Bolder', color: tone.color })));
    for (const step of steps) body.push(line(run(`• ${step}`), 'Small'));
    if (cut) body.push(line(run(CUT), 'None'));
  }
  // Without the cluster's address there is no link: say how to open the plan instead.
  if (!m.link) body.push(line(run(`${m.openLabel}: ${m.open}`, { isSubtle: true })));
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    body,
    actions: m.link ? [{ type: 'Action.OpenUrl', title: plainText(m.openLabel), url: m.link }] : [],
  };
}

const requestOf = (card: AdaptiveCard): TeamsRequest => ({
  type: 'message',
  attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
});

/** The request body, in bytes as sent. */
export const requestBytes = (r: TeamsRequest): Buffer => Buffer.from(JSON.stringify(r), 'utf8');

/** The webhook request for a message, within `maxBytes`: long steps shortened, then the last ones cut. */
export function teamsRequest(m: ChannelMessage, maxBytes = TEAMS_CARD_MAX_BYTES): TeamsRequest {
  const steps = m.steps.map((s) => shorten(s, TEAMS_STEP_MAX_CHARS));
  let request = requestOf(cardOf(m, steps, false));
  for (let kept = steps.length - 1; kept >= 0 && requestBytes(request).length > maxBytes; kept--)
    request = requestOf(cardOf(m, steps.slice(0, kept), true));
  return request;
}
