#!/usr/bin/env python
"""Check the built docs site (`_site/`) in headless Chromium, as a reader would see it.

Serves the site from 127.0.0.1 in a thread and opens every page with Debian's `/usr/bin/chromium` driven by
the playwright Python package (no browser download: `playwright install` is never needed). Fails (exit 1,
with a list) on:
- a notebook in nbs/ without a page; a page that does not load;
- a broken image (not complete, or naturalWidth 0);
- an error in a page: a Jupyter error/traceback output, stderr output, 'Traceback (most recent call last)'
  text, or math KaTeX could not render;
- any request to a host other than this machine (the site must work offline), and failed local requests;
- JavaScript console errors and uncaught page errors.
Saves screenshots of the home page and of one architecture page in `_site/_screens/`.
Usage: python tools/check_docs.py [--site _site] [--page load_forecast] [--allow-stderr]
"""
from __future__ import annotations

import argparse, functools, sys, threading, time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_docs import ROOT, docname_of, list_notebooks, nbdev_cfg  # noqa: E402

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
LOCAL_HOSTS = {'127.0.0.1', 'localhost', '[::1]', '::1'}
SKIP_DIRS = ('_static', '_images', '_screens', '_downloads')

# Run in the page once it has loaded: wait for every image, then report images and error blocks.
_PAGE_JS = r"""
async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r, {once: true}); i.addEventListener('error', r, {once: true}); setTimeout(r, 5000); })));
  const text = el => (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 160);
  return {
    images: imgs.map(i => ({src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth})),
    tracebacks: Array.from(document.querySelectorAll('.output.traceback, .output.error, div.traceback, .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')).map(text),
    stderr: Array.from(document.querySelectorAll('.output.stderr')).map(text),
    katex: Array.from(document.querySelectorAll('.katex-error')).map(e => (e.getAttribute('title') || '') + ': ' + text(e)),
    tbtext: (document.body.innerText || '').includes('Traceback (most recent call last)'),
    title: document.title,
    navlinks: document.querySelectorAll('.sidebar-tree a.reference').length,
  };
}
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass


def serve(site: Path):
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f'http://127.0.0.1:{httpd.server_address[1]}/'


def pick_arch_page(pages: list[str], wanted: str | None) -> str | None:
    "The architecture page to screenshot: `wanted`, else the first page of a notebook numbered 10 or more."
    if wanted: return next((p for p in pages if Path(p).stem == wanted or p == wanted), None)
    cfg = nbdev_cfg(ROOT)
    for nb in list_notebooks(cfg):
        num, page = nb.name.split('_', 1)[0], docname_of(nb, Path(cfg.nbs_path)) + '.html'
        if num.isdigit() and int(num) >= 10 and page in pages: return page
    return next((p for p in reversed(pages) if p not in ('index.html', 'search.html', 'genindex.html')), None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--site', default='_site', help='built site (default: _site)')
    ap.add_argument('--page', default=None, help='page (name without .html) for the architecture screenshot')
    ap.add_argument('--allow-stderr', action='store_true', help='do not count stderr output blocks as problems')
    ap.add_argument('--timeout', type=float, default=30, help='seconds to load one page')
    a = ap.parse_args(argv)
    t0 = time.time()
    site = (ROOT / a.site).resolve()
    if not (site / 'index.html').is_file(): sys.exit(f'docs check: no site at {site}: run tools/build_docs.py first')
    from playwright.sync_api import sync_playwright, Error as PWError
    if not Path(CHROMIUM).exists(): sys.exit(f'docs check: {CHROMIUM} not found: apt-get install -y chromium')

    problems = []
    cfg = nbdev_cfg(ROOT)
    nbs_path = Path(cfg.nbs_path)
    for nb in list_notebooks(cfg):
        page = docname_of(nb, nbs_path) + '.html'
        if not (site / page).is_file(): problems.append(f'{nb.relative_to(ROOT)}: no page ({page} missing)')
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html') if p.relative_to(site).parts[0] not in SKIP_DIRS)
    arch = pick_arch_page(pages, a.page)
    screens = site / '_screens'
    screens.mkdir(exist_ok=True)

    httpd, base = serve(site)
    n_img = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            ctx = browser.new_context(viewport={'width': 1440, 'height': 900}, service_workers='block')
            remote = []

            def route(r):  # nothing leaves this machine; every attempt is recorded
                host = urlsplit(r.request.url).hostname or ''
                if r.request.url.startswith(('data:', 'blob:', 'about:')) or host in LOCAL_HOSTS: return r.continue_()
                remote.append(r.request.url)
                return r.abort()
            ctx.route('**/*', route)
            for rel in pages:
                page = ctx.new_page()
                errs, failed = [], []
                remote.clear()
                page.on('console', lambda m, errs=errs: errs.append(m.text) if m.type == 'error' else None)
                page.on('pageerror', lambda e, errs=errs: errs.append(f'uncaught: {e}'))
                page.on('requestfailed', lambda r, failed=failed: failed.append(f'{r.url} ({r.failure})'))
                page.on('response', lambda r, failed=failed: failed.append(f'{r.url} (HTTP {r.status})') if r.status >= 400 else None)
                try:
                    resp = page.goto(base + rel, wait_until='load', timeout=a.timeout * 1000)
                    if resp is None or not resp.ok: problems.append(f'{rel}: failed to load (HTTP {resp and resp.status})'); continue
                    try: page.wait_for_load_state('networkidle', timeout=5000)
                    except PWError: pass
                    r = page.evaluate(_PAGE_JS)
                except PWError as e:
                    problems.append(f'{rel}: failed to load: {str(e).splitlines()[0]}')
                    page.close(); continue
                n_img += len(r['images'])
                for i in r['images']:
                    if not i['complete'] or not i['width']: problems.append(f'{rel}: broken image {i["src"]}')
                for t in r['tracebacks']: problems.append(f'{rel}: error output: {t}')
                if r['tbtext'] and not r['tracebacks']: problems.append(f'{rel}: page text contains "Traceback (most recent call last)"')
                if not a.allow_stderr:
                    for t in r['stderr']: problems.append(f'{rel}: stderr output: {t}')
                for t in r['katex']: problems.append(f'{rel}: math KaTeX could not render: {t}')
                for u in sorted(set(remote)): problems.append(f'{rel}: request to a non-local host: {u}')
                for f in failed:
                    if (urlsplit(f).hostname or '') in LOCAL_HOSTS: problems.append(f'{rel}: failed request {f.replace(base, "/")}')
                for e in errs:
                    if 'net::ERR_FAILED' in e and remote: continue  # the blocked remote request, reported above
                    problems.append(f'{rel}: console error: {e}')
                if rel == 'index.html':
                    if r['navlinks'] == 0: problems.append(f'{rel}: no navigation links in the sidebar')
                    page.screenshot(path=str(screens / 'home.png'))
                    page.screenshot(path=str(screens / 'home-full.png'), full_page=True)
                if rel == arch:
                    page.screenshot(path=str(screens / f'{Path(rel).stem}.png'))
                    page.screenshot(path=str(screens / f'{Path(rel).stem}-full.png'), full_page=True)
                page.close()
            browser.close()
    finally:
        httpd.shutdown()
    print(f'docs check: {len(pages)} pages, {n_img} images, {len(problems)} problems'
          f' ({time.time() - t0:.1f} s; screenshots in {screens.relative_to(ROOT) if screens.is_relative_to(ROOT) else screens})')
    for p in problems: print(f'  - {p}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
