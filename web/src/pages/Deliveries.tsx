import { useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../texts';
import { fmtTime, useLoad } from '../util';

interface Delivery { id: string; at: string; platform: string; chat: string; chatName?: string; source: string; status: string; reason?: string; reasonText?: string }
const STATUSES = ['sent', 'failed', 'dropped', 'expired', 'uncertain'] as const;

/** 送达: the delivery log, newest first, by group, source and status; skipped and uncertain sends stand out. */
export function Deliveries({ demo }: { demo: boolean }) {
  const [chat, setChat] = useState('');
  const [source, setSource] = useState('');
  const [status, setStatus] = useState('');
  const query = new URLSearchParams({ ...(chat ? { chat } : {}), ...(source ? { source } : {}), ...(status ? { status } : {}), limit: '200' });
  const list = useLoad(() => api<{ items: Delivery[] }>(`/deliveries?${query}`, { demo }), [demo, chat, source, status], { demo, topics: ['deliveries'] });
  return (
    <section>
      <div class="row filters">
        <input value={chat} onChange={(e) => setChat((e.target as HTMLInputElement).value.trim())} placeholder={t('del.filterChat')} />
        <input value={source} onChange={(e) => setSource((e.target as HTMLInputElement).value.trim())} placeholder={t('del.filterSource')} />
        <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)} aria-label={t('del.status')}>
          <option value="">{t('del.all')}</option>
          {STATUSES.map((s) => (
            <option value={s}>{t(`status.${s}`)}</option>
          ))}
        </select>
      </div>
      {list.error && <p class="error">{list.error}</p>}
      {list.data?.items.length === 0 && <p class="muted">{t('common.empty')}</p>}
      <table class="log" data-testid="deliveries">
        <thead>
          <tr>
            <th>{t('del.time')}</th>
            <th>{t('del.chat')}</th>
            <th>{t('del.source')}</th>
            <th>{t('del.status')}</th>
            <th>{t('del.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((d) => (
            <tr class={`st-${d.status}`}>
              <td>{fmtTime(d.at)}</td>
              <td>
                {d.chatName ?? d.chat} <span class="muted">{d.platform}</span>
              </td>
              <td>{d.source}</td>
              <td>
                <span class={`badge ${d.status}`}>{t(`status.${d.status}` as 'status.sent')}</span>
              </td>
              <td title={d.reason}>{d.reasonText ?? d.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
