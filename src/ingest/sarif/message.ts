import type { SarifMessage, SarifRule } from './schema.ts';

const TITLE_MAX = 200;

/** `{0}` placeholders take arguments; `{{` and `}}` are literal braces (SARIF 3.11.5). */
function substitute(template: string, args: unknown[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}

/**
 * The text of a SARIF message. A result may carry its text inline or only a message id with
 * arguments, resolved against the rule's `messageStrings` and then the tool's
 * `globalMessageStrings` (SARIF 3.11.7); plain text is preferred over markdown.
 */
export function renderMessage(
  message: SarifMessage | undefined,
  rule: SarifRule | undefined,
  globalStrings: Record<string, SarifMessage>,
): string | null {
  if (!message) return null;
  const args = message.arguments ?? [];
  const inline = message.text ?? message.markdown;
  if (inline?.trim()) return substitute(inline, args);
  if (message.id) {
    const template = rule?.messageStrings?.[message.id] ?? globalStrings[message.id];
    const text = template?.text ?? template?.markdown;
    if (text?.trim()) return substitute(text, args);
  }
  return null;
}

/** A rule's multiformat description (short, full or help), which never takes arguments. */
export function descriptionText(message: SarifMessage | undefined): string | null {
  const text = message?.text ?? message?.markdown;
  return text?.trim() ? text.trim() : null;
}

/**
 * A one-line title from a possibly long message: the first paragraph with whitespace collapsed,
 * cut at a word boundary. Tools such as Semgrep put whole remediation guides in the message.
 */
export function shortTitle(text: string): string {
  const paragraph = (text.trim().split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ').trim();
  if (paragraph.length <= TITLE_MAX) return paragraph;
  const cut = paragraph.slice(0, TITLE_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > TITLE_MAX / 2 ? cut.slice(0, space) : cut}…`;
}
