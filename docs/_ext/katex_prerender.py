"""Sphinx extension: render math to HTML at build time with KaTeX (run by Node.js).

The pages then need only a stylesheet and its fonts, both copied into `_static/katex/`, so math shows
with no JavaScript and no network access at page load.

KaTeX is looked up in, by order: the `katex_dir` config value, `$KATEX_DIR`, `<repo>/node_modules/katex`,
Debian's `/usr/share/nodejs/katex` (packages `katex libjs-katex fonts-katex`) and global npm folders.
A formula KaTeX cannot parse is shown in red and reported as a Sphinx warning.
"""
from __future__ import annotations

import atexit, json, os, shutil, subprocess
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

# A line-oriented render server: one JSON request per input line, one JSON answer per output line.
_SERVER_JS = r"""
const katex = require(process.argv[1]);
const rl = require('readline').createInterface({input: process.stdin, terminal: false});
rl.on('line', line => {
  const req = JSON.parse(line);
  let res;
  try {
    res = {html: katex.renderToString(req.tex, {displayMode: req.display, throwOnError: true, strict: 'ignore',
                                                trust: false, output: 'htmlAndMathml'})};
  } catch (e) {
    res = {error: String(e && e.message || e),
           html: katex.renderToString(req.tex, {displayMode: req.display, throwOnError: false, strict: 'ignore'})};
  }
  process.stdout.write(JSON.stringify(res) + '\n');
});
"""

_CANDIDATES = ('node_modules/katex', '/usr/share/nodejs/katex', '/usr/lib/node_modules/katex',
               '/usr/local/lib/node_modules/katex')


def find_katex(confdir: str | Path, configured: str = '') -> Path | None:
    "The KaTeX package folder (holding `dist/katex.js`, `dist/katex.min.css`, `dist/fonts/`), or None."
    root = Path(confdir).resolve().parent
    cands = [configured, os.environ.get('KATEX_DIR', '')] + [str(root / c) if not c.startswith('/') else c
                                                             for c in _CANDIDATES]
    for c in filter(None, cands):
        d = Path(c)
        if (d / 'dist' / 'katex.js').is_file() and (d / 'dist' / 'katex.min.css').is_file(): return d
    return None


class _Renderer:
    "One long-lived `node` process per Python process, with a cache."
    def __init__(self, katex: Path, node: str):
        self.katex, self.node, self.proc, self.pid, self.cache = katex, node, None, None, {}

    def _start(self):
        self.proc = subprocess.Popen([self.node, '-e', _SERVER_JS, str(self.katex / 'dist' / 'katex.js')],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding='utf-8',
                                     bufsize=1)
        self.pid = os.getpid()
        atexit.register(self.close)

    def close(self):
        if self.proc and self.pid == os.getpid() and self.proc.poll() is None:
            self.proc.stdin.close()
            try: self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired: self.proc.kill()

    def __call__(self, tex: str, display: bool) -> tuple[str, str | None]:
        key = (tex, display)
        if key in self.cache: return self.cache[key]
        if self.proc is None or self.pid != os.getpid() or self.proc.poll() is not None: self._start()
        self.proc.stdin.write(json.dumps({'tex': tex, 'display': display}) + '\n')
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line: raise ExtensionError(f'katex_prerender: the node process died while rendering {tex!r}')
        res = json.loads(line)
        self.cache[key] = out = (res['html'], res.get('error'))
        return out


def _render(self, node, tex: str, display: bool) -> str:
    html, err = self.builder.env.app._katex_renderer(tex, display)
    if err: logger.warning('KaTeX could not render %r: %s', tex, err, location=node, type='katex', subtype='parse')
    return html


def html_visit_math(self, node):
    self.body.append(self.starttag(node, 'span', '', CLASS='math notranslate nohighlight'))
    self.body.append(_render(self, node, node.astext().strip(), False))
    self.body.append('</span>')
    raise nodes.SkipNode


def html_visit_displaymath(self, node):
    self.body.append(self.starttag(node, 'div', CLASS='math notranslate nohighlight'))
    tex = node.astext()
    if not node.get('no-wrap', node.get('nowrap', False)):
        if node['number']:
            number = get_node_equation_number(self, node)
            self.body.append('<span class="eqno">(%s)' % number)
            self.add_permalink_ref(node, _('Link to this equation'))
            self.body.append('</span>')
        parts = [p.strip() for p in tex.split('\n\n') if p.strip()]
        parts = [r'\begin{split}' + p + r'\end{split}' if r'\\' in p and r'\begin' not in p else p for p in parts]
        tex = r'\begin{aligned}' + r'\\'.join(parts) + r'\end{aligned}' if len(parts) > 1 else (parts[0] if parts else '')
    self.body.append(_render(self, node, tex.strip(), True))
    self.body.append('</div>\n')
    raise nodes.SkipNode


def _builder_inited(app):
    if app.builder.format != 'html': return
    katex = find_katex(app.confdir, app.config.katex_dir)
    node = shutil.which('node') or shutil.which('nodejs')
    if katex is None or node is None:
        raise ExtensionError('katex_prerender: KaTeX and Node.js are needed to render math offline. '
                             'Install them with `apt-get install -y nodejs katex libjs-katex fonts-katex` '
                             '(or `npm install katex` in the repository root, or set KATEX_DIR).')
    app._katex_dir = katex
    app._katex_renderer = _Renderer(katex, node)
    app.add_css_file('katex/katex.min.css')


def _build_finished(app, exc):
    if exc is not None or getattr(app, '_katex_dir', None) is None: return
    dist, dst = app._katex_dir / 'dist', Path(app.outdir) / '_static' / 'katex'
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dist / 'katex.min.css', dst / 'katex.min.css')
    shutil.copytree(dist / 'fonts', dst / 'fonts', dirs_exist_ok=True)  # follows Debian's symlinks
    app._katex_renderer.close()


def setup(app):
    app.add_config_value('katex_dir', '', 'env')
    app.add_html_math_renderer('katex_prerender', (html_visit_math, None), (html_visit_displaymath, None))
    app.connect('builder-inited', _builder_inited)
    app.connect('build-finished', _build_finished)
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': True}
