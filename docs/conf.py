"""Sphinx configuration for the offline docs site of gru_hybrids.

`tools/build_docs.py` writes the processed notebooks into a source folder (`_build/docs_src/`) and runs
Sphinx on it with this folder as the configuration directory (`-c docs`). Nothing on a built page is
fetched from another host: the theme (furo) uses system fonts, math is rendered to HTML at build time
(`_ext/katex_prerender.py`) and widget JavaScript is switched off.
"""
import sys
try: import tomllib
except ImportError: import tomli as tomllib  # Python 3.10 (nbdev depends on tomli there)
from pathlib import Path

_here = Path(__file__).resolve().parent
_root = _here.parent
sys.path.insert(0, str(_here / '_ext'))

_cfg = tomllib.loads((_root / 'pyproject.toml').read_text(encoding='utf-8'))
_nbdev, _proj = _cfg.get('tool', {}).get('nbdev', {}), _cfg.get('project', {})
_init = (_root / _nbdev.get('lib_path', 'gru_hybrids') / '__init__.py')
_ver = next((l.split('=', 1)[1].strip().strip('"\'') for l in _init.read_text().splitlines()
             if l.startswith('__version__')), '') if _init.exists() else ''

project = _nbdev.get('title') or _proj.get('name', 'docs')
author = ', '.join(a.get('name', '') for a in _proj.get('authors', [])) or project
copyright = author
version = release = _ver

extensions = ['myst_nb', 'katex_prerender']
root_doc = 'index'
exclude_patterns = ['_build', '**.ipynb_checkpoints', '.*']


# notebooks: already executed, shown as saved (outputs of show_doc come from nbdev's processing)
nb_execution_mode = 'off'
nb_render_markdown_format = 'myst'      # show_doc output uses MyST features ({...} link attributes, $math$)
nb_ipywidgets_js = {}                   # no widget manager from a CDN
nb_output_stderr = 'show'
nb_merge_streams = True
nb_number_source_lines = False
myst_enable_extensions = ['dollarmath', 'amsmath', 'colon_fence', 'attrs_inline', 'attrs_block', 'deflist',
                          'html_image', 'strikethrough', 'tasklist', 'substitution']
myst_dmath_double_inline = True
myst_heading_anchors = 4
myst_url_schemes = {'http': None, 'https': None, 'mailto': None, 'ftp': None}
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']

# math: rendered by KaTeX at build time
html_math_renderer = 'katex_prerender'
katex_dir = ''                          # or $KATEX_DIR; see _ext/katex_prerender.py

html_theme = 'furo'
html_title = f'{project} {version}'.strip()
html_static_path = [str(_here / '_static')]
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
