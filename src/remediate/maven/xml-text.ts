import { XMLValidator } from 'fast-xml-parser';
import { ManifestEditError } from '../dependency-edit.ts';

/**
 * The elements of an XML document as spans of its text, so a POM edit can replace one element's text
 * or insert one element and leave every other byte (comments, indentation, attribute order) alone.
 * fast-xml-parser checks that the document is well-formed; this reader only locates.
 */
export type XmlElement = {
  name: string;
  /** Offset of `<`, offset after the opening tag's `>`, offset of `</`, offset after the closing `>`. */
  start: number;
  openEnd: number;
  closeStart: number;
  end: number;
  selfClosing: boolean;
  children: XmlElement[];
};

function skipPast(text: string, at: number, token: string): number {
  const found = text.indexOf(token, at);
  if (found < 0) throw new ManifestEditError(`the XML is cut short: no "${token}" after offset ${at}`);
  return found + token.length;
}

/** Reads a well-formed document; throws a ManifestEditError (with the validator's reason) otherwise. */
export function readXml(text: string): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ManifestEditError(`the XML is not well-formed (line ${valid.err.line}: ${valid.err.msg})`);
  }
  const root: XmlElement = {
    name: '',
    start: 0,
    openEnd: 0,
    closeStart: text.length,
    end: text.length,
    selfClosing: false,
    children: [],
  };
  const stack: XmlElement[] = [root];
  let at = 0;
  for (;;) {
    at = text.indexOf('<', at);
    if (at < 0) break;
    if (text.startsWith('<!--', at)) at = skipPast(text, at, '-->');
    else if (text.startsWith('<?', at)) at = skipPast(text, at, '?>');
    else if (text.startsWith('<![CDATA[', at)) at = skipPast(text, at, ']]>');
    else if (text.startsWith('<!', at)) at = skipPast(text, at, '>');
    else if (text[at + 1] === '/') {
      const element = stack.pop()!;
      element.closeStart = at;
      at = skipPast(text, at, '>');
      element.end = at;
    } else {
      const name = /^<([^\s/>]+)/.exec(text.slice(at, at + 200))![1]!;
      let pos = at + 1 + name.length;
      let quote: string | null = null;
      while (pos < text.length && (quote !== null || text[pos] !== '>')) {
        if (quote === null && (text[pos] === '"' || text[pos] === "'")) quote = text[pos]!;
        else if (quote !== null && text[pos] === quote) quote = null;
        pos++;
      }
      const selfClosing = text[pos - 1] === '/';
      const element: XmlElement = {
        name,
        start: at,
        openEnd: pos + 1,
        closeStart: pos + 1,
        end: pos + 1,
        selfClosing,
        children: [],
      };
      stack.at(-1)!.children.push(element);
      if (!selfClosing) stack.push(element);
      at = pos + 1;
    }
  }
  return root.children.find((child) => child.name !== '') ?? root;
}

/** The local name of an element (`pom:dependency` → `dependency`). */
const localName = (element: XmlElement) => element.name.slice(element.name.indexOf(':') + 1);

/** The children of an element with this (local) name. */
export function childrenNamed(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((child) => localName(child) === name) : [];
}

/** The first child with this name. */
export const childNamed = (element: XmlElement | undefined, name: string) => childrenNamed(element, name)[0];

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** An element's text content, trimmed and with entities decoded; the span is that of the trimmed raw text. */
export function textOf(text: string, element: XmlElement): { value: string; start: number; end: number } {
  const raw = element.selfClosing ? '' : text.slice(element.openEnd, element.closeStart);
  const leading = /^\s*/.exec(raw)![0].length;
  const trimmed = raw.trim();
  const value = trimmed
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, code: string) => {
      if (code.startsWith('#x') || code.startsWith('#X'))
        return String.fromCodePoint(Number.parseInt(code.slice(2), 16));
      if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
      return ENTITIES[code] ?? entity;
    });
  const start = element.openEnd + leading;
  return { value, start, end: start + trimmed.length };
}

/** Escapes text for element content. */
export function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
