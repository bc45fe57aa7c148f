import { describe, expect, it } from 'vitest';
import { splitAudience } from '../../src/knowledge/audience.js';

// The staff-only markers as a shop types them: table-driven, with line numbers kept for citations.
describe('splitAudience', () => {
  const cases: { name: string; text: string; staffFile: boolean; pub: string[]; staff?: string[] }[] = [
    { name: 'no markers', text: '# 标题\n正文一\n正文二\n', staffFile: false, pub: ['正文一', '正文二'] },
    { name: 'front matter audience: staff', text: '---\naudience: staff\n---\n# 员工\n折扣码\n', staffFile: true, pub: [], staff: ['折扣码'] },
    { name: 'front matter, CRLF and quotes', text: '---\r\ntitle: x\r\naudience: "staff"\r\n---\r\n折扣码\r\n', staffFile: true, pub: [], staff: ['折扣码'] },
    { name: 'front matter for everyone', text: '---\naudience: all\n---\n正文\n', staffFile: false, pub: ['正文'] },
    { name: 'a staff block', text: '# T\n## 公开\n甲\n<!-- staff -->\n## 内部\n乙\n<!-- /staff -->\n丙\n', staffFile: false, pub: ['甲', '丙'], staff: ['乙', '## 内部', '## 公开'] },
    { name: 'markers with odd spacing and case', text: '甲\n  <!--STAFF-->\n乙\n<!-- / staff -->\n', staffFile: false, pub: ['甲'], staff: ['乙'] },
    { name: 'an unclosed block runs to the end', text: '甲\n<!-- staff -->\n乙\n丙\n', staffFile: false, pub: ['甲'], staff: ['乙', '丙'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = splitAudience(c.text);
      expect(r.staffFile).toBe(c.staffFile);
      const pubLines = r.publicText.split(/\r?\n/).filter(Boolean);
      for (const p of c.pub) expect(pubLines).toContain(p);
      expect(r.publicText).not.toMatch(/audience|<!--/);
      if (c.staff) {
        for (const s of c.staff) expect(r.staffText).toContain(s);
        for (const s of c.staff.filter((x) => !x.startsWith('#'))) expect(r.publicText).not.toContain(s);
      } else {
        expect(r.staffText).toBeUndefined();
      }
      // Line numbers stay: both texts have as many lines as the file.
      const n = c.text.split(/\r\n|\r|\n/).length;
      expect(r.publicText.split(/\r\n|\r|\n/).length).toBe(r.staffFile ? 1 : n);
      if (r.staffText !== undefined) expect(r.staffText.split(/\r\n|\r|\n/).length).toBe(n);
    });
  }

  it('a staff block keeps public body lines out of the staff text (only headings carry over)', () => {
    const r = splitAudience('## 公开\n甲甲甲\n<!-- staff -->\n乙\n<!-- /staff -->\n');
    expect(r.staffText).not.toContain('甲甲甲');
  });
});
