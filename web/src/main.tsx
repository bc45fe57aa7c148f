import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setToken, takeTokenFromUrl, token } from './api';
import { Calendar } from './pages/Calendar';
import { Deliveries } from './pages/Deliveries';
import { Desk } from './pages/Desk';
import { Dashboard } from './pages/Dashboard';
import { Playground } from './pages/Playground';
import { t } from './texts';
import { setShopTz } from './util';
import './style.css';

takeTokenFromUrl();
void api<{ tz: string }>('/info', { demo: true }).then((info) => setShopTz(info.tz), () => undefined);

const PAGES = [
  ['playground', 'nav.playground'],
  ['desk', 'nav.desk'],
  ['dashboard', 'nav.dashboard'],
  ['calendar', 'nav.calendar'],
  ['deliveries', 'nav.deliveries'],
] as const;
type Page = (typeof PAGES)[number][0];

const pageOf = (): Page => (PAGES.find(([p]) => location.hash === `#/${p}`)?.[0] ?? 'playground') as Page;

function SignIn({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(false);
  const submit = async () => {
    setToken(value);
    try {
      await api('/session');
      onDone();
    } catch {
      setError(true);
    }
  };
  return (
    <form class="card signin" onSubmit={(e) => (e.preventDefault(), submit())}>
      <h3>{t('signin.title')}</h3>
      <p>{t('signin.help')}</p>
      <input type="password" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} placeholder={t('signin.token')} autoComplete="current-password" />
      <button>{t('signin.submit')}</button>
      {error && <p class="error">{t('signin.wrong')}</p>}
    </form>
  );
}

function App() {
  const [page, setPage] = useState<Page>(pageOf());
  const [demo, setDemo] = useState(localStorage.getItem('opsbot-shop') === 'demo');
  const [signedIn, setSignedIn] = useState<boolean | undefined>();
  useEffect(() => {
    const on = () => setPage(pageOf());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const check = () =>
    api('/session').then(
      () => setSignedIn(true),
      (e) => setSignedIn(!(e instanceof ApiError && e.status === 401)),
    );
  useEffect(() => void (token() ? check() : setSignedIn(false)), []);
  const chooseDemo = (d: boolean) => (setDemo(d), localStorage.setItem('opsbot-shop', d ? 'demo' : 'mine'));
  // The playground needs no sign-in on this machine; the other pages do, except on the sample shop.
  const needsSignIn = page !== 'playground' && !demo && signedIn === false;
  return (
    <>
      <header>
        <strong class="brand">{t('brand')}</strong>
        <nav>
          {PAGES.map(([p, key]) => (
            <a href={`#/${p}`} class={page === p ? 'on' : ''} aria-current={page === p ? 'page' : undefined}>
              {t(key)}
            </a>
          ))}
        </nav>
        {page !== 'playground' && (
          <div class="tabs shop" role="tablist">
            <button role="tab" aria-selected={!demo} class={!demo ? 'on' : ''} onClick={() => chooseDemo(false)}>
              {t('shop.mine')}
            </button>
            <button role="tab" aria-selected={demo} class={demo ? 'on' : ''} onClick={() => chooseDemo(true)} data-testid="shop-demo">
              {t('shop.demo')}
            </button>
          </div>
        )}
      </header>
      {demo && page !== 'playground' && <p class="demo-note">{t('shop.demoNote')}</p>}
      <main>
        {needsSignIn ? (
          <SignIn onDone={() => setSignedIn(true)} />
        ) : page === 'playground' ? (
          <Playground />
        ) : page === 'desk' ? (
          <Desk demo={demo} />
        ) : page === 'dashboard' ? (
          <Dashboard demo={demo} />
        ) : page === 'calendar' ? (
          <Calendar demo={demo} />
        ) : (
          <Deliveries demo={demo} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
