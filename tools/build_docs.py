#!/usr/bin/env python
"""Build the offline HTML docs site (`_site/`) from the notebooks in `nbs/`, without Quarto.

1. nbdev's docs processing (the processors `nbdev-proc-nbs` uses: `show_doc` cells added after exported
   definitions and executed, exported/hidden cells dropped) runs on every notebook in worker processes;
   results are cached in `_build/proc/` (keyed on the notebook, the library sources and this script).
   Nothing is written outside `_build/` and `_site/`: no `_proc/`, no `sidebar.yml`, no Quarto.
2. The processed notebooks are cleaned into valid nbformat (nbdev's private keys dropped, `#|` option
   lines turned into myst-nb tags or removed) and written with their assets into `_build/docs_src/`,
   one page per notebook, named as nbdev names them (`00_core.ipynb` -> `core.html`); the index page
   (from `nbs/index.ipynb`) gets a toctree of every other notebook, in order.
3. Every name in each generated module's `__all__` must be documented on its notebook's page
   (a `show_doc` entry for functions and classes, a mention for other names), or the build fails.
4. Sphinx (`docs/conf.py`: myst-nb with execution off, furo, math rendered by KaTeX at build time)
   writes `_site/`; links to the hosted docs are made relative so the site works offline.

Exits non-zero when a notebook fails to process or convert, a page is missing or an API entry is missing.
Usage: python tools/build_docs.py [--force] [-j N] [--out _site]
"""
from __future__ import annotations

import argparse, ast, hashlib, html as html_lib, io, json, os, posixpath, re, shutil, subprocess, sys, time, traceback
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------------------
# helpers shared with make_readme.py

_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
_hidden_dirs = {'export', 'exporti', 'hide', 'default_exp'}


def split_options(src: str) -> tuple[dict, str]:
    "Split the leading `#| key: value` (or `#| key value`) lines off a code cell's source."
    lines, opts, i = src.splitlines(), {}, 0
    while i < len(lines):
        m = _re_opt.match(lines[i])
        if m: opts[m.group(1).lower()] = (m.group(2) or 'true').strip().strip('"\'')
        elif lines[i].strip(): break
        i += 1
    return opts, '\n'.join(lines[i:]).strip('\n')


def is_false(v) -> bool: return str(v).strip().lower() in ('false', 'no', '0', 'off')


def src_text(x) -> str: return ''.join(x) if isinstance(x, list) else (x or '')


def frontmatter_of(cell) -> dict | None:
    "The YAML mapping of a raw `---` frontmatter cell, else None."
    import yaml
    s = src_text(cell.get('source')).strip()
    m = re.fullmatch(r'---\s*\n(.*?)\n---', s, flags=re.S)
    if cell.get('cell_type') != 'raw' or not m: return None
    try: d = yaml.safe_load(m.group(1))
    except yaml.YAMLError: return None
    return d if isinstance(d, dict) else None


_callout = re.compile(r'^(:{3,})\s*\{\s*\.callout-(\w+)([^}]*)\}\s*$', flags=re.M)
_admon = {'note': 'note', 'tip': 'tip', 'warning': 'warning', 'important': 'important', 'caution': 'caution'}


def myst_callouts(md: str) -> str:
    "Quarto callouts (`::: {.callout-note}`) to MyST admonitions (`:::{note}`)."
    def sub(m):
        fence, kind, rest = m.group(1), m.group(2).lower(), m.group(3)
        t = re.search(r'title\s*=\s*"([^"]*)"', rest)
        if t: return f'{fence}{{admonition}} {t.group(1)}\n:class: {_admon.get(kind, "note")}'
        return f'{fence}{{{_admon.get(kind, "note")}}}'
    return _callout.sub(sub, md)


_md_link = re.compile(r'(!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\()\s*(<[^>]*>|[^)\s]+)(\s+"[^"]*")?\s*\)')
_html_ref = re.compile(r'''(<(?:img|a|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*)(["'])(.*?)\2''', flags=re.I | re.S)
_scheme = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:')


def rewrite_refs(text: str, fn) -> str:
    "Apply `fn(target, is_html) -> new target` to markdown link/image targets and HTML src/href attributes."
    def md(m):
        tgt = m.group(2)
        bracket = tgt.startswith('<')
        new = fn(tgt[1:-1] if bracket else tgt, False)
        if bracket: new = f'<{new}>'
        return f'{m.group(1)}{new}{m.group(3) or ""})'
    text = _md_link.sub(md, text)
    return _html_ref.sub(lambda m: f'{m.group(1)}{m.group(2)}{fn(m.group(3), True)}{m.group(2)}', text)


def is_local(tgt: str) -> bool:
    return bool(tgt) and not _scheme.match(tgt) and not tgt.startswith(('#', '/', '{', '%'))


def split_frag(tgt: str) -> tuple[str, str]:
    i = min([j for j in (tgt.find('#'), tgt.find('?')) if j >= 0], default=len(tgt))
    return tgt[:i], tgt[i:]


def nbdev_cfg(root: Path = ROOT):
    "nbdev's config for `root` (run from there)."
    from nbdev.config import get_config
    return get_config(root)


def list_notebooks(cfg) -> list[Path]:
    "The notebooks nbdev documents, in order (nbdev's own glob: `_`/`.`-prefixed files and folders skipped)."
    from nbdev.doclinks import nbglob
    return sorted((Path(p) for p in nbglob(cfg.nbs_path)), key=lambda p: p.relative_to(cfg.nbs_path).as_posix())


def docname_of(nb: Path, nbs: Path) -> str:
    "The page name nbdev gives a notebook: `nbs/00_core.ipynb` -> `core` (`core.html`)."
    from nbdev.config import nbpath2html
    return nbpath2html(nb.relative_to(nbs)).with_suffix('').as_posix()


def doc_url(cfg) -> str:
    host, base = str(cfg.get('doc_host', '') or '').rstrip('/'), str(cfg.get('doc_baseurl', '') or '').strip('/')
    return f'{host}/{base}/' if base else (f'{host}/' if host else '')


# ---------------------------------------------------------------------------------------------------------
# step 1: nbdev processing in worker processes

def _proc_worker(job):
    "Run nbdev's docs processors (FilterDefaults) on one notebook; return (src, error, seconds, log)."
    root, src, dst = job
    t0, log = time.time(), io.StringIO()
    os.environ['IN_TEST'] = '1'
    os.environ.setdefault('MPLBACKEND', 'Agg')
    if root not in sys.path: sys.path.insert(0, root)
    try:
        os.chdir(Path(src).parent)
        with redirect_stdout(log), redirect_stderr(log):
            from fastcore.nbio import read_nb, write_nb
            from nbdev.processors import FilterDefaults
            nb = read_nb(src)
            FilterDefaults()(nb)
            Path(dst).parent.mkdir(parents=True, exist_ok=True)
            write_nb(nb, dst)
        return src, None, time.time() - t0, log.getvalue()
    except BaseException as e:  # noqa: BLE001 (reported to the parent)
        if e.__cause__ is not None:  # nbdev's own message names the cell and the error
            msg = ''.join(traceback.format_exception_only(e)).strip()
            if isinstance(e.__cause__, NameError) and re.search(r'^\s*(import|from)\s', msg, flags=re.M):
                msg += ('\n(hint: while building docs nbdev runs only exported cells, show_doc cells and cells that contain '
                        'an import; this cell has an import, so it ran without the cells before it. Move the import '
                        'into an import-only cell.)')
        else: msg = ''.join(traceback.format_exception(e))[-4000:]
        return src, msg, time.time() - t0, log.getvalue()
    finally:
        os.chdir(root)


def _lib_digest(cfg, root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(cfg.lib_path).rglob('*.py')):
        h.update(p.relative_to(root).as_posix().encode()); h.update(p.read_bytes())
    for p in (root / 'pyproject.toml', Path(__file__)):
        if p.exists(): h.update(p.read_bytes())
    import nbdev, execnb
    h.update(f'{nbdev.__version__} {execnb.__version__}'.encode())
    return h.hexdigest()


def process_notebooks(cfg, root: Path, nbs: list[Path], cache: Path, jobs: int, force: bool) -> tuple[dict, list]:
    "Processed notebook path for each notebook (from cache when unchanged), and the failures."
    lib = _lib_digest(cfg, root)
    out, todo, keys = {}, [], {}
    for nb in nbs:
        rel = nb.relative_to(cfg.nbs_path)
        dst = cache / rel
        key = hashlib.sha256(nb.read_bytes() + lib.encode()).hexdigest()
        kf = dst.with_name(dst.name + '.key')
        out[nb] = dst
        if not force and dst.exists() and kf.exists() and kf.read_text() == key: continue
        keys[str(nb)] = (kf, key)
        todo.append((str(root), str(nb), str(dst)))
    fails = []
    if todo:
        n = max(1, min(jobs, len(todo)))
        print(f'  processing {len(todo)} notebook(s) with nbdev ({len(nbs) - len(todo)} cached, {n} worker(s))', flush=True)
        # IPython (run by nbdev's processing) replaces `__main__` in a worker: pickle the worker function by
        # its module name instead, so every task after the first one still finds it
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import build_docs as this
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context('spawn')) as ex:
            for src, err, secs, log in ex.map(this._proc_worker, todo):
                rel = Path(src).relative_to(cfg.nbs_path)
                if err:
                    fails.append(f'{rel}: nbdev processing failed:\n{err}')
                    print(f'    FAILED {rel} ({secs:.1f} s)', flush=True)
                    continue
                kf, key = keys[src]
                kf.write_text(key)
                notes = [l for l in log.splitlines() if l.strip()]
                print(f'    {rel} ({secs:.1f} s)' + (f'; output while processing:\n      ' + '\n      '.join(notes[:12])
                                                    if notes else ''), flush=True)
    else: print(f'  all {len(nbs)} notebook(s) unchanged since the last build (cached)')
    return out, fails


# ---------------------------------------------------------------------------------------------------------
# step 2: clean into nbformat notebooks for myst-nb

_cell_keys = {'code': {'id', 'cell_type', 'metadata', 'execution_count', 'source', 'outputs'},
              'markdown': {'id', 'cell_type', 'metadata', 'source', 'attachments'},
              'raw': {'id', 'cell_type', 'metadata', 'source', 'attachments'}}
_out_keys = {'stream': {'output_type', 'name', 'text'},
             'display_data': {'output_type', 'data', 'metadata'},
             'execute_result': {'output_type', 'data', 'metadata', 'execution_count'},
             'error': {'output_type', 'ename', 'evalue', 'traceback'}}
_widget_mime = 'application/vnd.jupyter.widget-view+json'
# files referenced from notebooks that are copied into the site (others link to the repository on its forge)
_copy_suffixes = {'.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp', '.md', '.csv', '.pdf', '.html', '.txt', '.json'}
_re_heading = re.compile(r'^(#{1,6})\s+(.+?)\s*#*\s*$', flags=re.M)
_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')


class Site:
    "Everything the cleaning step learns: pages, assets to copy, API headings, problems."
    def __init__(self, cfg, root: Path, src: Path, nbs: list[Path]):
        self.cfg, self.root, self.src, self.nbs_path = cfg, root, src, Path(cfg.nbs_path)
        self.docnames = {nb.resolve(): docname_of(nb, self.nbs_path) for nb in nbs}
        self.assets = {}       # destination path under the source dir -> file to copy
        self.site_assets = {}  # destination path under the site -> file (for raw HTML refs Sphinx can't see)
        self.pages = {}        # notebook -> {'docname', 'headings', 'text'}
        self.errors, self.notes = [], []

    def fix_target(self, tgt: str, nb: Path, docname: str, is_html: bool) -> str:
        "A link/image target of notebook `nb`, as it must read in the source dir (assets registered for copy)."
        if not is_local(tgt): return tgt
        path, frag = split_frag(tgt)
        from urllib.parse import unquote
        f = (nb.parent / unquote(path)).resolve()
        here = posixpath.dirname(docname)
        if f.suffix == '.ipynb':
            if f in self.docnames:
                return posixpath.relpath(self.docnames[f] + ('.html' if is_html else '.ipynb'), here or '.') + frag
            self.notes.append(f'{nb.name}: link to a notebook that has no page: {tgt}')
            return tgt
        if not f.exists():
            self.errors.append(f'{nb.name}: reference to a missing file: {tgt}')
            return tgt
        repo = self.repo_url(f)
        if repo and (f.is_dir() or f.suffix.lower() not in _copy_suffixes):
            return repo + frag  # a folder or source file of the repository: link to it on the forge
        if f.is_dir(): return tgt
        try: dest = f.relative_to(self.nbs_path.resolve()).as_posix()
        except ValueError:
            try: dest = '_files/' + f.relative_to(self.root.resolve()).as_posix()
            except ValueError: dest = '_files/_outside/' + f.name
        self.assets[dest] = f
        if is_html: self.site_assets[dest] = f
        return posixpath.relpath(dest, here or '.') + frag

    def repo_url(self, f: Path) -> str:
        "URL of a file or folder of this repository on its forge (`git_url` in pyproject), or ''."
        git, branch = str(self.cfg.get('git_url', '') or '').rstrip('/'), self.cfg.get('branch', 'main') or 'main'
        try: rel = f.relative_to(self.root.resolve()).as_posix()
        except ValueError: return ''
        return f'{git}/{"tree" if f.is_dir() else "blob"}/{branch}/{rel}' if git else ''

    def clean(self, proc_path: Path, nb: Path) -> dict:
        "A valid nbformat 4.5 notebook for the page of `nb`, from its processed version."
        rel = nb.relative_to(self.nbs_path).as_posix()
        docname = self.docnames[nb.resolve()]
        d = json.loads(proc_path.read_text(encoding='utf-8'))
        fix = lambda t, is_html=False: rewrite_refs(t, lambda x, h: self.fix_target(x, nb, docname, h or is_html))
        cells, headings, texts, fm = [], set(), [], {}
        for c in d.get('cells', []):
            ct = c.get('cell_type')
            src = src_text(c.get('source'))
            if ct == 'raw':
                f = frontmatter_of(c)
                if f is not None and not fm: fm = f; continue
                fmt = (c.get('metadata') or {}).get('format') or (c.get('metadata') or {}).get('raw_mimetype') or ''
                if fmt not in ('text/html', 'text/markdown', 'html', 'markdown'): continue
                c['source'] = src
            elif ct == 'markdown':
                if src.lstrip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
                if not src.strip() and not c.get('attachments'): continue
                c['source'] = fix(myst_callouts(src))
                texts.append(c['source'])
            elif ct == 'code':
                opts, body = split_options(src)
                if is_false(opts.get('include', 'true')) or _hidden_dirs & opts.keys(): continue
                tags = list((c.get('metadata') or {}).get('tags', []))
                outs = [] if is_false(opts.get('output', 'true')) else self._clean_outputs(c.get('outputs', []), fix, rel)
                for o in outs:
                    md = o.get('data', {}).get('text/markdown')
                    if md is not None and md.lstrip().startswith('---') and _re_heading.search(md):  # a show_doc entry
                        headings.update(re.sub(r'[`\\]', '', h) for _, h in _re_heading.findall(md))
                        o['data']['text/markdown'] = self._showdoc(md)
                        tags.append('nbdev-api')
                if is_false(opts.get('echo', 'true')) or not body.strip(): tags.append('remove-input')
                elif opts.get('code-fold', 'false').lower() == 'true': tags.append('hide-input')
                if 'remove-input' in tags and outs and 'nbdev-api' in tags and all(
                        o.get('data', {}).get('text/markdown') is not None for o in outs):
                    # a show_doc cell: its markdown becomes page text, so each entry is a section in the page's contents
                    md = '\n\n'.join(self._api_section(o['data']['text/markdown']) for o in outs)
                    texts.append(md)
                    cells.append({'cell_type': 'markdown', 'metadata': {}, 'source': md})
                    continue
                if not body.strip() and not outs: continue
                if 'remove-input' not in tags: texts.append(body)
                for o in outs:
                    md = o.get('data', {}).get('text/markdown')
                    if md is None: texts.append(src_text(o.get('text')) + src_text(o.get('data', {}).get('text/plain')))
                    else: texts.append(md)
                c['source'], c['outputs'] = body, outs
                c['metadata'] = {k: v for k, v in (c.get('metadata') or {}).items() if k == 'mystnb'}
                if tags: c['metadata']['tags'] = sorted(set(tags))
                c['execution_count'] = c.get('execution_count')
            else: continue
            c = {k: v for k, v in c.items() if k in _cell_keys[ct]}
            if ct != 'code': c['metadata'] = {}
            cells.append(c)
        # the title: nbdev's frontmatter (from the `# Title` + `> description` cell), else the first heading, else the file name
        title = str(fm.get('title', '')).strip()
        has_h1 = any(c['cell_type'] == 'markdown' and re.search(r'^#\s+\S', c['source'], flags=re.M) for c in cells)
        if title or not has_h1:
            title = title or Path(docname).name.replace('_', ' ').capitalize()
            head = f'# {title}\n'
            if fm.get('description'): head += f'\n{{.nb-description}}\n{str(fm["description"]).strip()}\n'
            cells.insert(0, {'cell_type': 'markdown', 'metadata': {}, 'source': head})
            texts.append(head)
        for i, c in enumerate(cells): c['id'] = f'c{i:04d}'
        meta = {k: v for k, v in (d.get('metadata') or {}).items() if k in ('kernelspec', 'language_info')}
        meta.setdefault('kernelspec', {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'})
        meta['language_info'] = {'name': 'python', 'pygments_lexer': 'ipython3',
                                 **{k: v for k, v in meta.get('language_info', {}).items() if k == 'version'}}
        out = {'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}
        self.pages[nb.resolve()] = {'docname': docname, 'headings': headings, 'text': '\n'.join(texts), 'rel': rel,
                                    'title': title}
        return out

    def _clean_outputs(self, outs, fix, rel):
        res = []
        for o in outs:
            t = o.get('output_type')
            if t not in _out_keys: continue
            o = {k: v for k, v in o.items() if k in _out_keys[t]}
            if t in ('display_data', 'execute_result'):
                data = {k: v for k, v in (o.get('data') or {}).items() if k != _widget_mime}
                if not data: continue
                for k in ('text/markdown', 'text/html'):
                    if k in data: data[k] = fix(src_text(data[k]), k == 'text/html')
                o['data'] = data
                o.setdefault('metadata', {})
                if t == 'execute_result': o.setdefault('execution_count', None)
            elif t == 'stream':
                o['text'] = src_text(o.get('text'))
                if o.get('name') == 'stderr' and o['text'].strip():
                    self.notes.append(f'{rel}: stderr output: {_re_ansi.sub("", o["text"]).strip()[:200]}')
            elif t == 'error':
                self.notes.append(f'{rel}: error output: {o.get("ename")}: {str(o.get("evalue"))[:200]}')
                o.setdefault('traceback', [])
            res.append(o)
        return res

    @staticmethod
    def _api_section(md: str) -> str:
        "A show_doc entry as a page section: heading (class `nbdev-api`), source link, signature, docstring."
        m = _re_heading.search(md)
        if not m: return md
        link, rest = md[:m.start()].strip(), md[m.end():].strip()
        return '\n\n'.join(x for x in ('{.nbdev-api}\n' + m.group(0).strip(), link, rest) if x)

    @staticmethod
    def _showdoc(md: str) -> str:
        "nbdev's show_doc output starts with a `---` rule, which docutils refuses inside an output: drop it."
        if not md.lstrip().startswith('---'): return md
        md = re.sub(r'^\s*---\s*\n', '', md, count=1)
        # `### Scaler.__call__` would render `__call__` as bold: escape the name's markdown characters
        return _re_heading.sub(lambda m: f'{m.group(1)} ' + re.sub(r'(?<!\\)([_*])', r'\\\1', m.group(2)), md, count=1)


def write_if_changed(path: Path, data: bytes | str) -> bool:
    data = data.encode('utf-8') if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data: return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def toctree(entries: list[str], caption: str = 'Notebooks') -> str:
    body = '\n'.join(entries)
    return f'```{{toctree}}\n:maxdepth: 1\n:caption: {caption}\n\n{body}\n```\n'


def write_sources(site: Site, proc: dict, nbs: list[Path]) -> list[str]:
    "Write cleaned notebooks and assets into the source dir; return the docnames in order."
    import nbformat
    src, written = site.src, set()
    index = next((nb for nb in nbs if site.docnames[nb.resolve()] == 'index'), None)
    others = [nb for nb in nbs if nb is not index]
    order = []
    for nb in others + ([index] if index else []):
        try:
            d = site.clean(proc[nb], nb)
            if nb is index:
                d['cells'].append({'id': 'ctoctree', 'cell_type': 'markdown', 'metadata': {},
                                   'source': toctree([site.docnames[o.resolve()] for o in others])})
            node = nbformat.from_dict(d)
            nbformat.validate(node)
        except Exception as e:  # noqa: BLE001
            site.errors.append(f'{nb.relative_to(site.nbs_path)}: cannot be converted to a page: {type(e).__name__}: {e}')
            continue
        dn = site.docnames[nb.resolve()]
        p = src / f'{dn}.ipynb'
        write_if_changed(p, nbformat.writes(node) + '\n')
        written.add(p.relative_to(src).as_posix())
        order.append(dn)
    if index is None:  # no index notebook: a plain home page
        title = site.cfg.get('title', '') or site.root.name
        p = src / 'index.md'
        write_if_changed(p, f'# {title}\n\n' + toctree([site.docnames[o.resolve()] for o in others]))
        written.add('index.md')
    for dest, f in site.assets.items():
        data = f.read_bytes()
        if dest.endswith('.md'):  # a markdown file linked from a notebook becomes a page of its own
            data = b'---\norphan: true\n---\n\n' + data
        write_if_changed(src / dest, data)
        written.add(dest)
    for p in sorted(src.rglob('*'), reverse=True):  # drop what an earlier build left behind
        r = p.relative_to(src).as_posix()
        if p.is_file() and r not in written: p.unlink()
        elif p.is_dir() and not any(p.iterdir()): p.rmdir()
    return order


# ---------------------------------------------------------------------------------------------------------
# step 3: API check

def api_check(site: Site) -> list[str]:
    "Every name in a generated module's `__all__` must be on the page of the notebook that defines it."
    cfg, root, problems = site.cfg, site.root, []
    lib = Path(cfg.lib_path)
    for py in sorted(lib.rglob('*.py')):
        text = py.read_text(encoding='utf-8')
        m = re.search(r'^# AUTOGENERATED! DO NOT EDIT! File to edit: (\S+?\.ipynb)', text, flags=re.M)
        if not m: continue
        mod = py.relative_to(lib.parent).with_suffix('').as_posix().replace('/', '.')
        header_nb = (py.parent / m.group(1)).resolve()
        tree = ast.parse(text)
        names = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == '__all__' for t in n.targets)), [])
        marks = [(i + 1, (py.parent / mm.group(1)).resolve()) for i, l in enumerate(text.splitlines())
                 if (mm := re.match(r'^# %% (\S+\.ipynb)', l))]
        defs = {}
        for n in tree.body:
            kind = 'def' if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else 'other'
            tg = [n.name] if kind == 'def' else [t.id for t in (n.targets if isinstance(n, ast.Assign) else
                                                                 [getattr(n, 'target', None)]) if isinstance(t, ast.Name)]
            line = min([n.lineno] + [dd.lineno for dd in getattr(n, 'decorator_list', [])])
            for t in tg: defs.setdefault(t, (kind, line))
        unpaged = {}
        for name in names:
            kind, line = defs.get(name, ('other', 0))
            nb = next((p for ln, p in reversed(marks) if ln <= line), header_nb) if line else header_nb
            page = site.pages.get(nb)
            where = f'{mod}.{name} (from {posixpath.relpath(nb, root) if nb.is_relative_to(root) else nb})'
            if page is None:
                unpaged.setdefault(nb, []).append(name)
            elif kind == 'def' and name not in page['headings']:
                problems.append(f'{where}: no show_doc entry on page {page["docname"]}.html '
                                f'(export it with `#| export`, or add `show_doc({name})`)')
            elif kind == 'other' and name not in page['headings'] and not re.search(rf'(?<![\w.]){re.escape(name)}(?!\w)', page['text']):
                problems.append(f'{where}: not mentioned on page {page["docname"]}.html (describe it in markdown, '
                                f'or use `#| exports` / `show_doc`)')
        for nb, nms in unpaged.items():
            problems.append(f'{mod}: {len(nms)} exported name(s) unchecked, their notebook '
                            f'{posixpath.relpath(nb, root) if nb.is_relative_to(root) else nb} has no page '
                            f'(missing or failed to convert): {", ".join(nms[:6])}{" ..." if len(nms) > 6 else ""}')
    return problems


# ---------------------------------------------------------------------------------------------------------
# step 4: Sphinx, then offline fix-ups

# a notebook that cannot be read or converted, docutils errors (shown as red boxes on a page), math KaTeX can't parse
_sphinx_fatal = re.compile(r'(\bERROR\b|\bCRITICAL\b|\bSEVERE\b|Exception occurred|Traceback|[Cc]ould not read|'
                           r'NotJSONError|Notebook (?:JSON|validation)|[Ff]ailed to (?:read|parse|convert)|\[katex\.parse\])')


def run_sphinx(root: Path, src: Path, out: Path, doctrees: Path, log: Path) -> tuple[int, list[str]]:
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-c', str(root / 'docs'), '-d', str(doctrees), '-q',
           str(src), str(out)]
    env = dict(os.environ, PYTHONWARNINGS='ignore', MPLBACKEND='Agg')
    p = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    text = (p.stdout or '') + (p.stderr or '')
    log.write_text(text)
    lines = [l for l in text.splitlines() if l.strip()]
    return p.returncode, lines


def relativize_doc_links(out: Path, url: str) -> int:
    "Links to the hosted docs site (nbdev's `add_links`) -> relative links within this site."
    if not url: return 0
    n = 0
    for page in out.rglob('*.html'):
        rel = page.relative_to(out)
        if rel.parts[0] in ('_static', '_images', '_screens'): continue
        t = page.read_text(encoding='utf-8')
        pre = '../' * (len(rel.parts) - 1)
        new, k = re.subn(r'(href=")' + re.escape(url) + r'([^"]*)"',
                         lambda m: f'{m.group(1)}{pre}{m.group(2).removesuffix(".md") or "index.html"}"', t)
        if k: page.write_text(new, encoding='utf-8'); n += k
    return n


_re_api_head = re.compile(r'(<section class="[^"]*\bnbdev-api\b[^"]*" id="[^"]*">\s*(?:<span id="[^"]*"></span>)*)'
                          r'(<h[1-6]>(.*?)</h[1-6]>)|(<p class="rubric"[^>]*>)(.*?)(</p>)', flags=re.S)


def add_nbdev_anchors(out: Path) -> int:
    "Give each API heading (from show_doc) the id nbdev's links use, e.g. `core.html#gruencoder.forward`."
    n = 0
    for page in out.glob('**/*.html'):
        if page.relative_to(out).parts[0] in ('_static', '_images', '_screens'): continue
        t = page.read_text(encoding='utf-8')
        ids = set(re.findall(r'\bid="([^"]+)"', t))
        def sub(m):
            nonlocal n
            inner = m.group(3) if m.group(1) is not None else m.group(5)
            name = re.sub(r'<a class="headerlink".*?</a>', '', inner, flags=re.S)
            name = html_lib.unescape(re.sub(r'<[^>]+>', '', name)).strip()
            aid = name.lower()
            if not name or aid in ids or re.search(r'[\s"<>&]', aid): return m.group(0)
            ids.add(aid); n += 1
            if m.group(1) is not None: return f'{m.group(1)}<span id="{aid}"></span>{m.group(2)}'
            return f'{m.group(4)}<span id="{aid}"></span>{m.group(5)}{m.group(6)}'
        new = _re_api_head.sub(sub, t)
        if new != t: page.write_text(new, encoding='utf-8')
    return n


def mirror(src: Path, dst: Path, keep: tuple = ('_screens',)) -> None:
    "Make `dst` a copy of `src` (copying changed files only, deleting the rest but `keep` folders)."
    dst.mkdir(parents=True, exist_ok=True)
    want = set()
    for f in src.rglob('*'):
        if not f.is_file(): continue
        r = f.relative_to(src); want.add(r)
        d = dst / r
        st = f.stat()
        if d.is_file() and (d.stat().st_size, int(d.stat().st_mtime)) == (st.st_size, int(st.st_mtime)): continue
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, d)
    for d in sorted(dst.rglob('*'), reverse=True):
        r = d.relative_to(dst)
        if r.parts[0] in keep: continue
        if d.is_file() and r not in want: d.unlink()
        elif d.is_dir() and not any(d.iterdir()): d.rmdir()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default='_site', help='site folder (default: _site)')
    ap.add_argument('--build', default='_build', help='work folder (default: _build)')
    ap.add_argument('-j', '--jobs', type=int, default=min(2, os.cpu_count() or 1), help='nbdev processing workers')
    ap.add_argument('--force', action='store_true', help='ignore cached processing and rebuild every page')
    a = ap.parse_args(argv)
    t_all = time.time()
    root = ROOT
    os.chdir(root)
    out, build = (root / a.out).resolve(), (root / a.build).resolve()
    # Sphinx writes into _build/html (myst-nb puts its `jupyter_execute/` beside the output folder), then _site mirrors it
    src, cache, doctrees, html = build / 'docs_src', build / 'proc', build / 'doctrees', build / 'html'
    cfg = nbdev_cfg(root)
    nbs = list_notebooks(cfg)
    if not nbs: sys.exit(f'docs: no notebooks found in {cfg.nbs_path}')
    dn = [docname_of(nb, Path(cfg.nbs_path)) for nb in nbs]
    if len(set(dn)) != len(dn):
        dup = sorted({d for d in dn if dn.count(d) > 1})
        sys.exit(f'docs: two notebooks map to the same page name: {dup}')
    if a.force:
        for d in (out, src, doctrees, html): shutil.rmtree(d, ignore_errors=True)
    timings, problems = {}, []

    t = time.time()
    print(f'docs: 1/4 nbdev processing of {len(nbs)} notebook(s) from {Path(cfg.nbs_path).relative_to(root)}/', flush=True)
    proc, fails = process_notebooks(cfg, root, nbs, cache, a.jobs, a.force)
    problems += fails
    timings['nbdev processing'] = time.time() - t

    t = time.time()
    print('docs: 2/4 cleaning notebooks into Sphinx sources', flush=True)
    site = Site(cfg, root, src, nbs)
    ok_nbs = [nb for nb in nbs if proc[nb].exists() and not any(f.startswith(f'{nb.relative_to(cfg.nbs_path)}:') for f in fails)]
    order = write_sources(site, proc, ok_nbs)
    problems += site.errors
    timings['cleaning'] = time.time() - t

    t = time.time()
    api = api_check(site)
    print(f'docs: 3/4 API check: {"all exported names documented" if not api else f"{len(api)} missing"}', flush=True)
    problems += [f'API: {p}' for p in api]
    timings['API check'] = time.time() - t

    t = time.time()
    print(f'docs: 4/4 sphinx-build -> {out}', flush=True)
    state, names = build / 'docnames.json', json.dumps(sorted(order))
    if state.exists() and state.read_text() != names:  # pages added or removed: start from scratch
        shutil.rmtree(html, ignore_errors=True); shutil.rmtree(doctrees, ignore_errors=True)
    rc, lines = run_sphinx(root, src, html, doctrees, build / 'sphinx.log')
    state.write_text(names)
    fatal = [l for l in lines if _sphinx_fatal.search(l)]
    warns = [l for l in lines if l not in fatal]
    if rc: problems.append(f'sphinx-build exited with {rc} (log: {build / "sphinx.log"}):\n    ' + '\n    '.join(lines[-6:]))
    problems += [f'sphinx: {l}' for l in fatal]
    for d in order:
        if not (html / f'{d}.html').is_file(): problems.append(f'page {d}.html was not built')
    n_links = relativize_doc_links(html, doc_url(cfg)) if html.exists() else 0
    if html.exists(): add_nbdev_anchors(html)
    if (html / '_sources').is_dir() and not any((html / '_sources').iterdir()): (html / '_sources').rmdir()
    for dest, f in site.site_assets.items():
        (html / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, html / dest)
    if html.exists(): mirror(html, out)
    timings['sphinx'] = time.time() - t

    if warns:
        print(f'  {len(warns)} sphinx warning(s) (not fatal):')
        for l in warns[:30]: print('   ', l.replace(str(src) + '/', ''))
        if len(warns) > 30: print(f'    ... see {build / "sphinx.log"}')
    if site.notes:
        print('  notes on notebook content:')
        for n in site.notes: print('   ', n)
    pages = sorted(p for p in out.rglob('*.html') if p.relative_to(out).parts[0] not in ('_static', '_images', '_screens')) if out.exists() else []
    print('docs: timings: ' + ', '.join(f'{k} {v:.1f} s' for k, v in timings.items()) + f'; total {time.time() - t_all:.1f} s')
    if problems:
        print(f'docs: FAILED with {len(problems)} problem(s):', file=sys.stderr)
        for p in problems: print(f'  - {p}', file=sys.stderr)
        return 1
    print(f'docs: site {out} ({len(order)} notebook page(s), {len(pages)} HTML page(s) in all)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
