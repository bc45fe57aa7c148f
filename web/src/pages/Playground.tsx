import { useEffect, useRef, useState } from 'preact/hooks';
import { api, post } from '../api';
import { t } from '../texts';

type Role = 'fan' | 'agent' | 'admin';
type ChatKind = 'group' | 'private';
interface Reply { kind: 'text' | 'mention' | 'image'; text?: string; url?: string; mentions?: string[]; buttons?: { text: string; data: string }[][] }
interface Line { from: 'me' | 'bot' | 'push' | 'note'; as?: Role; reply?: Reply; text?: string }

/** What to try, per role and chat (prompts/web/ui.json, separated by |). */
const examples = (as: Role, chat: ChatKind) => t(`pg.examples.${as}.${chat}` as 'pg.examples.fan.group').split('|');

function Bubble({ line, onPress }: { line: Line; onPress: (data: string) => void }) {
  if (line.from === 'note') return <div class="note">{line.text}</div>;
  const r = line.reply;
  const mine = line.from === 'me';
  return (
    <div class={`msg ${mine ? 'mine' : 'bot'}`} data-testid={mine ? 'msg-mine' : 'msg-bot'}>
      <div class="who">{mine ? `${t('pg.you')} · ${t(`pg.as.${line.as!}` as 'pg.as.fan')}` : line.from === 'push' ? t('pg.push') : t('pg.bot')}</div>
      <div class="body">
        {mine && line.text}
        {r?.kind === 'mention' && <b>@{r.mentions?.join(' @')} </b>}
        {r && r.kind !== 'image' && r.text}
        {r?.kind === 'image' && (
          <>
            <img src={r.url} alt={r.text ?? ''} loading="lazy" />
            {r.text && <div class="caption">{r.text}</div>}
          </>
        )}
        {r?.buttons?.map((row) => (
          <div class="buttons">
            {row.map((b) => (
              <button class="small" onClick={() => onPress(b.data)}>
                {b.text}
              </button>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

/** 群聊模拟: the demo shop's fan group and a private chat, through the real router and plugins. */
export function Playground() {
  const [as, setAs] = useState<Role>('fan');
  const [chat, setChat] = useState<ChatKind>('group');
  const [lines, setLines] = useState<Record<ChatKind, Line[]>>({ group: [], private: [] });
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  const add = (c: ChatKind, ...l: Line[]) => setLines((s) => ({ ...s, [c]: [...s[c], ...l] }));
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [lines, chat]);
  // What the demo shop pushes on its own (announcements, an agent's reply) shows as it comes.
  useEffect(() => {
    let after = 0;
    let stop = false;
    const poll = async () => {
      while (!stop) {
        const { items } = await api<{ items: { seq: number; chat: string; reply: Reply }[] }>('/feed?after=' + after, { demo: true }).catch(() => ({ items: [] }));
        for (const p of items) {
          after = Math.max(after, p.seq);
          add(p.chat.startsWith('private:') ? 'private' : 'group', { from: 'push', reply: p.reply });
        }
        await new Promise((r) => setTimeout(r, 2500));
      }
    };
    void api<{ items: { seq: number }[] }>('/feed?after=0', { demo: true }).then(({ items }) => {
      after = items.at(-1)?.seq ?? 0;
      void poll();
    });
    return () => void (stop = true);
  }, []);

  const say = async (value: string) => {
    const v = value.trim();
    if (!v || busy) return;
    setText('');
    setBusy(true);
    add(chat, { from: 'me', as, text: v });
    try {
      const { replies } = await post<{ replies: Reply[] }>('/say', { as, chat, text: v }, true);
      add(chat, ...(replies.length ? replies.map((reply): Line => ({ from: 'bot', reply })) : [{ from: 'note', text: t('pg.silent') } as Line]));
    } catch (e) {
      add(chat, { from: 'note', text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const press = async (data: string) => {
    const { replies } = await post<{ replies: Reply[] }>('/press', { as, chat, data }, true);
    add(chat, ...replies.map((reply): Line => ({ from: 'bot', reply })));
  };

  return (
    <section class="playground">
      <p class="intro">{t('pg.intro')}</p>
      <div class="toolbar">
        <div class="tabs" role="tablist">
          {(['group', 'private'] as const).map((c) => (
            <button role="tab" aria-selected={chat === c} class={chat === c ? 'on' : ''} onClick={() => setChat(c)}>
              {t(`pg.chat.${c}`)}
            </button>
          ))}
        </div>
        <label>
          {t('pg.as')}{' '}
          <select value={as} onChange={(e) => setAs((e.target as HTMLSelectElement).value as Role)} data-testid="as">
            {(['fan', 'agent', 'admin'] as const).map((r) => (
              <option value={r}>{t(`pg.as.${r}`)}</option>
            ))}
          </select>
        </label>
      </div>
      <div class="chatlog" data-testid="chatlog">
        {lines[chat].map((l) => (
          <Bubble line={l} onPress={press} />
        ))}
        <div ref={end} />
      </div>
      <div class="examples">
        {t('pg.try')}
        {examples(as, chat).map((x) => (
          <button class="chip" onClick={() => say(x)}>
            {x}
          </button>
        ))}
      </div>
      <form class="composer" onSubmit={(e) => (e.preventDefault(), say(text))}>
        <input value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} placeholder={t('pg.placeholder')} maxLength={2000} data-testid="say" />
        <button disabled={busy}>{t('common.send')}</button>
      </form>
    </section>
  );
}
