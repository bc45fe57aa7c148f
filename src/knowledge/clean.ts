import { normalizeForMatch, splitSentences } from './normalize.js';

/** A paragraph (one line of the article) as written, with its 1-based line number. */
export interface Paragraph {
  readonly text: string;
  readonly line: number;
}

export type RemovalReason = 'title' | 'footer' | 'boilerplate' | 'duplicate';

export interface CleanResult {
  readonly paragraphs: Paragraph[];
  readonly removed: { readonly line: number; readonly reason: RemovalReason; readonly text: string }[];
}

/**
 * Footers that end a web copy: everything from such a line on is page furniture. Matched on the
 * normalized line alone, and only in the second half of an article, so a heading mid-text is safe.
 */
const FOOTER_LINE = /^(相关新闻|相关文章|相关阅读|推荐阅读|评论区|发表评论|网友评论|联系我们|\d+条评论|版权声明)[:：]?$/;

/** Whole paragraphs that are ads, subscription blurbs, attributions, breadcrumbs or captions. */
const BOILERPLATE: readonly RegExp[] = [
  /白皮书|点击链接|下载阅读|赶快领取|送完下架|演示申请|欢迎点击|营销自动化平台/,
  /免费为您提供|订阅服务|邮箱订阅|请放心填写|将被严格保密|获取专业全方面分析/,
  /主题是一个优秀的主题|集成会员系统|无插件|提供最优质的资源|立即查看/,
  /^本文由.*发布|转载.*(注明出处|联系作者)|不代表.*立场/,
  /^\d+\.\s*主页\s*>|»/, // breadcrumbs
  /\(图\d+\)$|第\d+张$/, // image captions left behind by the copy
  /^(手机号|手机|电话|微信号|微信|qq|邮箱|工作日|地址)[:：]/,
];

/** Ad sentences inside otherwise useful paragraphs (agency plugs), dropped one sentence at a time. */
const AD_SENTENCE = /心之力|代运营|望采纳/;

const URL = /\b(?:https?:\/\/|www\.)[^\s，。,、)）]+/gi;
const PHONE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g;

/** A paragraph this long is content, and a verbatim repeat of it is a paste accident. */
const MIN_DUPLICATE_LENGTH = 40;

/**
 * Markdown syntax a person should not read in an answer: links and images, emphasis, inline code,
 * quotes, list markers, table pipes; code fences and table rules go entirely. `#` headings stay, the
 * splitter reads structure from them.
 */
export function stripMarkdown(line: string): string {
  if (/^(```|~~~)/.test(line) || /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/.test(line)) return '';
  let out = line
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/^>\s?/, '')
    .replace(/^(\s*)([-*+]|\d+\.)\s+(?=\S)/, (m, _sp, marker: string) => (/\d/.test(marker) ? m.trimStart() : ''));
  if (/^\|.*\|$/.test(out)) out = out.slice(1, -1).split('|').map((c) => c.trim()).filter(Boolean).join('，');
  return out.trim();
}

function stripInline(text: string): string {
  return text.replace(URL, '').replace(PHONE, '').trim();
}

function withoutAdSentences(text: string): string {
  if (!AD_SENTENCE.test(normalizeForMatch(text))) return text;
  return splitSentences(text)
    .filter((s) => !AD_SENTENCE.test(normalizeForMatch(s)))
    .join('');
}

/**
 * Cleans one article for the index, keeping the original wording of what stays: drops the title line,
 * footers, boilerplate paragraphs, ad sentences, URLs and phone numbers, and paragraphs pasted twice.
 */
export function cleanDocument(text: string, title = '', markdown = false): CleanResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const removed: { line: number; reason: RemovalReason; text: string }[] = [];
  const candidates: Paragraph[] = [];
  lines.forEach((raw, i) => {
    const t = markdown ? stripMarkdown(raw.trim()) : raw.trim();
    if (t) candidates.push({ text: t, line: i + 1 });
  });

  const normTitle = normalizeForMatch(title).trim();
  const kept: Paragraph[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const p = candidates[i]!;
    const norm = normalizeForMatch(p.text);
    if (i === 0 && normTitle && normalizeForMatch(p.text.replace(/^#+\s*/, '')) === normTitle) {
      removed.push({ line: p.line, reason: 'title', text: p.text });
      continue;
    }
    if (i === 0 && normTitle && norm.startsWith(normTitle) && norm.length <= normTitle.length + 16) {
      removed.push({ line: p.line, reason: 'title', text: p.text });
      continue;
    }
    if (FOOTER_LINE.test(norm) && i >= candidates.length / 2) {
      for (const rest of candidates.slice(i)) removed.push({ line: rest.line, reason: 'footer', text: rest.text });
      break;
    }
    if (BOILERPLATE.some((re) => re.test(norm))) {
      removed.push({ line: p.line, reason: 'boilerplate', text: p.text });
      continue;
    }
    const cleaned = stripInline(withoutAdSentences(p.text));
    if (!cleaned) {
      removed.push({ line: p.line, reason: 'boilerplate', text: p.text });
      continue;
    }
    kept.push({ text: cleaned, line: p.line });
  }
  return { paragraphs: dropDuplicates(kept, removed), removed };
}

/**
 * Drops paragraphs that repeat verbatim. Short lines (headings) repeat legitimately, as in a table of
 * contents, so a short repeat goes only when the paragraph after it is a dropped repeat too.
 */
function dropDuplicates(paragraphs: Paragraph[], removed: CleanResult['removed'][number][]): Paragraph[] {
  const seen = new Set<string>();
  const norms = paragraphs.map((p) => normalizeForMatch(p.text).replace(/\s+/g, ''));
  const dup = norms.map((n) => {
    const repeated = seen.has(n);
    seen.add(n);
    return repeated;
  });
  const drop = norms.map((n, i) => dup[i]! && n.length >= MIN_DUPLICATE_LENGTH);
  for (let i = paragraphs.length - 2; i >= 0; i--) {
    if (dup[i] && !drop[i] && drop[i + 1]) drop[i] = true;
  }
  const out: Paragraph[] = [];
  paragraphs.forEach((p, i) => {
    if (drop[i]) removed.push({ line: p.line, reason: 'duplicate', text: p.text });
    else out.push(p);
  });
  return out;
}
