"""Sphinx configuration for the offline docs site of gru_hybrids.

`tools/build_docs.py` writes the processed notebooks into a source folder (`_build/docs_src/`) and runs
Sphinx on it with this folder as the configuration directory (`-c docs`). Nothing on a built page is
fetched from another host: the theme (furo) uses system fonts, math is rendered to HTML at build time by
sphinxcontrib-katex (`katex_prerender`, run by Node.js) with the KaTeX stylesheet and fonts copied into `_static/`,
and widget JavaScript is switched off.
"""
import os
try: import tomllib
except ImportError: import tomli as tomllib  # Python 3.10 (nbdev depends on tomli there)
from pathlib import Path

_here = Path(__file__).resolve().parent
_root = _here.parent

_cfg = tomllib.loads((_root / 'pyproject.toml').read_text(encoding='utf-8'))
_nbdev, _proj = _cfg.get('tool', {}).get('nbdev', {}), _cfg.get('project', {})
_init = (_root / _nbdev.get('lib_path', 'gru_hybrids') / '__init__.py')
_ver = next((l.split('=', 1)[1].strip().strip('"\'') for l in _init.read_text().splitlines()
             if l.startswith('__version__')), '') if _init.exists() else ''

project = _nbdev.get('title') or _proj.get('name', 'docs')
author = ', '.join(a.get('name', '') for a in _proj.get('authors', [])) or project
copyright = author
version = release = _ver

extensions = ['myst_nb', 'sphinxcontrib.katex']
root_doc = 'index'
# the last four: of KaTeX's folder in html_static_path, only the stylesheet and the fonts are copied
exclude_patterns = ['_build', '**.ipynb_checkpoints', '.*', '**/contrib', '**/katex*.js', '**/katex.mjs', '**/katex.css']


# notebooks: already executed, shown as saved (outputs of show_doc come from nbdev's processing)
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'      # show_doc output uses MyST features ({...} link attributes, $math$)
nb_ipywidgets_js = {}                   # no widget manager from a CDN
nb_output_stderr = 'warn'               # shown, and a Sphinx warning (check_docs.py fails on it)
nb_mime_priority_overrides = [('*', 'application/vnd.jupyter.widget-view+json', None)]  # no widget views
nb_merge_streams = True
nb_number_source_lines = False
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'attrs_inline', 'attrs_block', 'deflist',
                          'html_image', 'strikethrough', 'tasklist', 'substitution']
myst_dmath_double_inline = True
myst_heading_anchors = 4
myst_url_schemes = {'http': None, 'https': None, 'mailto': None, 'ftp': None}
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']

# math: rendered by KaTeX at build time (sphinxcontrib-katex runs `node` on katex_js_path). KaTeX's `dist` folder:
# $KATEX_DIR, `npm install katex` in the repository, or Debian's (apt-get install nodejs libjs-katex fonts-katex)
_katex = next((p for p in (os.environ.get('KATEX_DIR', ''), _root / 'node_modules/katex/dist', '/usr/share/javascript/katex')
               if p and (Path(p) / 'katex.min.css').is_file()), None)
if _katex is None: raise RuntimeError('KaTeX not found: apt-get install -y nodejs libjs-katex fonts-katex, or set KATEX_DIR')
html_math_renderer = 'katex'
katex_prerender = True
katex_js_path = str(Path(_katex) / 'katex.min.js')   # the renderer of the same version as the stylesheet
katex_css_path = 'katex.min.css'                      # local, not the CDN default
import sphinxcontrib.katex as _katex_ext
_katex_ext.KATEX_DEFAULT_OPTIONS.update(throwOnError=True, strict='ignore')  # prerendering ignores katex_options:
# this fails the build on math KaTeX can't parse


def _start_katex(cls, rundir, timeout):
    "sphinxcontrib-katex's start of its render server, but retrying the connection: its own connects once, as soon as "
    "the socket file exists, and is refused when node has not listened yet (12 of 100 starts on a loaded machine here). "
    "Its TCP start retries, but made a clean build 6 s slower (about 50 ms a formula; it sets no TCP_NODELAY)."
    import socket, subprocess, time
    path, t0 = rundir / 'katex.sock', time.monotonic()
    proc = subprocess.Popen(cls.build_command(socket=path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=rundir)
    while time.monotonic() - t0 < max(timeout, 60):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try: sock.connect(str(path)); return proc, sock
        except (FileNotFoundError, ConnectionRefusedError): sock.close(); time.sleep(0.005)
    proc.kill()
    raise cls.timeout_error(timeout)


_katex_ext.KaTeXServer.start_server_process = classmethod(_start_katex)

html_theme = 'furo'
html_title = f'{project} {version}'.strip()
html_static_path = [str(_here / '_static'), str(_katex)]
html_css_files = ['gru_hybrids.css']
html_favicon = str(_here / '_static' / 'favicon.svg')
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    'navigation_with_keys': True,
    'top_of_page_buttons': [],          # no "edit this page" links to a remote host
}
pygments_style = 'friendly'
pygments_dark_style = 'monokai'
