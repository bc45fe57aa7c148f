import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { POSTER_WIDTH, posterSvg, renderPoster, wrap, type PosterFacts } from '../../../src/skills/live/poster.js';

const words: PosterFacts['words'] = {
  badge: '直播预告',
  theme: '本场主题',
  offers: '直播福利',
  products: '直播产品清单',
  more: (n) => `共 ${n} 款`,
  footer: '记得准时来直播间',
  host: (h) => `主播：${h}`,
};
const facts = (over: Partial<PosterFacts> = {}): PosterFacts => ({
  title: '双12宠粉专场',
  when: '12月12日（周六）20:00 开播',
  theme: '年终大促',
  offers: ['满199减30', '前100名送福袋'],
  products: ['羽绒服', '雪地靴'],
  words,
  ...over,
});

/** The decoded poster, and how many pixels in a box are not the background colour there. */
async function decode(f: PosterFacts) {
  const png = PNG.sync.read(await renderPoster(f));
  const px = (x: number, y: number) => {
    const i = (y * png.width + x) * 4;
    return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
  };
  /** Pixels in the box close to white (text in the red header; background in the white body). */
  const whiteIn = (x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (px(x, y).every((c) => c > 235)) n++;
    return n;
  };
  return { png, px, whiteIn };
}

describe('the live poster', () => {
  it('is a PNG 1080 px wide, with a red header and the title drawn in it as glyphs', async () => {
    const { png, px, whiteIn } = await decode(facts());
    expect(png.width).toBe(POSTER_WIDTH);
    expect(png.height).toBeGreaterThan(800);
    const [r, g, b] = px(20, 20);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(150);
    expect(b).toBeLessThan(150);
    // The title's glyphs: white ink in the header where the title goes, none where nothing is drawn.
    expect(whiteIn(64, 150, 1016, 260)).toBeGreaterThan(2_000);
    expect(whiteIn(700, 150, 1016, 260)).toBeLessThan(whiteIn(64, 150, 400, 260));
  });

  it('draws different titles differently (real glyphs, not boxes)', async () => {
    const a = await decode(facts({ title: '双12宠粉专场' }));
    const b = await decode(facts({ title: '年货节抢先看' }));
    // Pixel by pixel over the title: where one has ink the other has not.
    let differ = 0;
    const white = (d: typeof a, x: number, y: number) => d.px(x, y).every((c) => c > 235);
    for (let y = 150; y < 260; y++) for (let x = 64; x < 600; x++) if (white(a, x, y) !== white(b, x, y)) differ++;
    expect(differ).toBeGreaterThan(1_000);
  });

  it('fits a long title and ten products: the title wraps, the products take two columns, nothing runs off the edge', async () => {
    const products = ['2025新款加厚羽绒服', '儿童雪地靴', '羊毛围巾', '保暖内衣套装', '加绒卫衣', '羊绒手套', '毛线帽', '电热毯', '暖宝宝20片装', '保温杯500ml'];
    const title = '双12年终宠粉专场：羽绒服雪地靴全场5折起，前100名下单再送福袋';
    const long = await decode(facts({ title, products, offers: ['满199减30', '前100名送福袋', '直播间专属优惠券每人限领一张，可与店铺满减叠加使用'] }));
    const short = await decode(facts());
    expect(long.png.height).toBeGreaterThan(short.png.height);
    // The right margin stays clear all the way down.
    let ink = 0;
    for (let y = 0; y < long.png.height; y++) for (let x = POSTER_WIDTH - 40; x < POSTER_WIDTH; x++) if (long.px(x, y).every((c) => c < 120)) ink++;
    expect(ink).toBe(0);
    expect(posterSvg(facts({ title, products })).svg).toContain('6. 羊绒手套');
    expect(wrap(title, 76, 952).length).toBeGreaterThanOrEqual(2);
    expect(wrap('一二三四五', 100, 250)).toEqual(['一二', '三四', '五']);
    expect(wrap('一二三四五', 100, 250, 2)).toEqual(['一二', '三…']);
  });

  it('counts what does not fit: more than 16 products are summed up', () => {
    const many = Array.from({ length: 20 }, (_, i) => `商品${i + 1}`);
    const { svg } = posterSvg(facts({ products: many }));
    expect(svg).toContain('16. 商品16');
    expect(svg).not.toContain('17. 商品17');
    expect(svg).toContain('共 20 款');
  });

  it('escapes text that looks like markup', () => {
    expect(posterSvg(facts({ title: '<script>&"' })).svg).toContain('&lt;script&gt;&amp;&quot;');
  });
});
