#!/usr/bin/env python
"""Build the offline HTML docs site (`_site/`) from the notebooks in `nbs/`, without Quarto.

1. nbdev processes the notebooks for docs with its own entry point, `nbdev.serve.proc_nbs` (what
   `nbdev-proc-nbs` runs after its Quarto steps, which are not called here: no Quarto install, no
   `_quarto.yml` or `sidebar.yml` rewritten). It writes `_proc/` and keeps it as a cache (a notebook is
   processed again when it is newer than its copy; all of them when pyproject.toml, nbdev or the library changed).
2. The glue nbdev and myst-nb lack: each processed notebook becomes valid nbformat (nbdev's `has_sd` key and
   execnb's timing metadata dropped), its `#|` lines become myst-nb tags, its frontmatter a title, each
   `show_doc` entry a page section, and it is written to `_build/docs_src/` under the page name nbdev gives
   it (`00_core.ipynb` -> `core.html`); the index page gets a toctree of the other notebooks, in order.
3. Every name in each generated module's `__all__` must be on its notebook's page (a `show_doc` entry for
   functions and classes, a mention for other names), or the build fails.
4. Sphinx (`docs/conf.py`: myst-nb, furo, math prerendered by sphinxcontrib-katex) writes `_site/`; links
   to the hosted docs become relative and API headings get the anchors nbdev's links use.

Exits non-zero when a notebook fails to process or convert, a page is missing or an API entry is missing.
Usage: python tools/build_docs.py [--force] [-j N] [--out _site]
"""
from __future__ import annotations

import argparse, ast, contextlib, hashlib, json, os, posixpath, re, shutil, signal, subprocess, sys, time
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------------------
# helpers shared with make_readme.py and check_docs.py

_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')


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
    m = re.fullmatch(r'---\s*\n(.*?)\n---', src_text(cell.get('source')).strip(), flags=re.S)
    if cell.get('cell_type') != 'raw' or not m: return None
    try: d = yaml.safe_load(m.group(1))
    except yaml.YAMLError: return None
    return d if isinstance(d, dict) else None


_md_link = re.compile(r'(!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\()\s*(<[^>]*>|[^)\s]+)(\s+"[^"]*")?\s*\)')
_html_ref = re.compile(r'''(<(?:img|a|source|video|audio)\b[^>]*?\b(?:src|href)\s*=\s*)(["'])(.*?)\2''', flags=re.I | re.S)


def rewrite_refs(text: str, fn) -> str:
    "Apply `fn(target, is_html) -> new target` to markdown link/image targets and HTML src/href attributes."
    def md(m):
        tgt = m.group(2)
        new = f'<{fn(tgt[1:-1], False)}>' if tgt.startswith('<') else fn(tgt, False)
        return f'{m.group(1)}{new}{m.group(3) or ""})'
    text = _md_link.sub(md, text)
    return _html_ref.sub(lambda m: f'{m.group(1)}{m.group(2)}{fn(m.group(3), True)}{m.group(2)}', text)


def is_local(tgt: str) -> bool:
    return bool(tgt) and not re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', tgt) and not tgt.startswith(('#', '/', '{', '%'))


def split_frag(tgt: str) -> tuple[str, str]:
    i = min([j for j in (tgt.find('#'), tgt.find('?')) if j >= 0], default=len(tgt))
    return tgt[:i], tgt[i:]


def nbdev_cfg(root: Path = ROOT):
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
# step 1: nbdev's processing

def process_notebooks(cfg, jobs: int, force: bool) -> tuple[Path, list[str]]:
    "Run `nbdev.serve.proc_nbs` (notebooks run from `nbs/`, as nbdev-test runs them); return `_proc/` and failures."
    from fastcore.xtras import working_directory
    from nbdev.serve import proc_nbs
    cache, t0 = Path(cfg.config_path) / '_proc', time.time()
    # show_doc output and nbdev's links depend on the library too: all notebooks again when its content changed
    # (nbdev-export rewrites every module, so not by date; nbdev skips dot-files in `_proc/`)
    stamp = cache / '.lib-digest'
    lib = hashlib.sha256(b''.join(p.read_bytes() for p in sorted(Path(cfg.lib_path).rglob('*.py')))).hexdigest()
    force = force or not stamp.is_file() or stamp.read_text() != lib
    os.environ.setdefault('MPLBACKEND', 'Agg')
    if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))  # spawned workers import this checkout's library
    try:
        with working_directory(cfg.nbs_path): proc_nbs(cfg.nbs_path, n_workers=jobs, force=force)
    except Exception as e:  # nbdev's message names the notebook, the cell and the error
        msg = f'nbdev processing failed: {e}'
        if 'NameError' in msg and re.search(r'^\s*(import|from)\s', msg, flags=re.M):
            msg += ('\n(hint: while building docs nbdev runs only exported cells, show_doc cells and cells that contain '
                    'an import; this cell has an import, so it ran without the cells before it. Move the import '
                    'into an import-only cell.)')
        return cache, [msg]
    stamp.write_text(lib)
    n = sum(p.stat().st_mtime >= t0 for p in cache.rglob('*.ipynb'))
    print(f'  {n} notebook(s) processed by nbdev, the others unchanged (in {cache.relative_to(ROOT)}/)', flush=True)
    return cache, []


# ---------------------------------------------------------------------------------------------------------
# step 2: processed notebooks -> myst-nb sources

_re_heading = re.compile(r'^(#{1,6})\s+(.+?)\s*#*\s*$', flags=re.M)
# Quarto cell options -> myst-nb tags
_tags = {('echo', 'false'): 'remove-input', ('output', 'false'): 'remove-output', ('code-fold', 'true'): 'hide-input'}


def myst_callouts(md: str) -> str:
    "Quarto callouts (`::: {.callout-note}`, optional title) to MyST admonitions."
    def sub(m):
        t = re.search(r'title\s*=\s*"([^"]*)"', m.group(3))
        kind = m.group(2).lower() if m.group(2).lower() in ('note', 'tip', 'warning', 'important', 'caution') else 'note'
        return f'{m.group(1)}{{admonition}} {t.group(1)}\n:class: {kind}' if t else f'{m.group(1)}{{{kind}}}'
    return re.sub(r'^(:{3,})\s*\{\s*\.callout-(\w+)([^}]*)\}\s*$', sub, md, flags=re.M)


def api_section(md: str) -> tuple[str, str]:
    "A show_doc entry (`---`, source link, heading, signature, docstring) as a page section; and its name."
    from docutils.nodes import make_id
    from myst_parser.mdit_to_docutils.base import default_slugify
    md = re.sub(r'^\s*---\s*\n', '', md, count=1)  # a leading rule is a docutils error
    m = _re_heading.search(md)
    name = re.sub(r'[`\\]', '', m.group(2))
    aid = name.lower()  # the anchor nbdev's links use (`core.html#gruencoder.forward`) where neither docutils' id nor MyST's has it
    new_id = aid not in (make_id(name), default_slugify(name)) and not re.search(r'[\s"<>&]', aid)
    anchor = f'<div id="{aid}"></div>\n\n' if new_id else ''
    head = f'{m.group(1)} ' + re.sub(r'(?<!\\)([_*])', r'\\\1', m.group(2))  # `__call__` is not bold
    return '\n\n'.join(x for x in (anchor + '{.nbdev-api}\n' + head, md[:m.start()].strip(), md[m.end():].strip()) if x), name


def clean(d: dict, nb: Path, docnames: dict, assets: dict, errors: list) -> tuple[dict, dict]:
    "A valid nbformat notebook for the page of `nb`, from its processed version; and the page's API headings and text."
    nbs = nb.parent
    def fix(tgt, is_html):  # links to notebooks -> their pages; local files copied next to the page
        if not is_local(tgt): return tgt
        path, frag = split_frag(tgt)
        f = (nbs / unquote(path)).resolve()
        if f in docnames: return docnames[f] + ('.html' if is_html else '.ipynb') + frag
        if f.suffix == '.ipynb': return tgt  # a notebook without a page: Sphinx warns
        if not f.is_file(): errors.append(f'{nb.name}: reference to a missing file: {tgt}'); return tgt
        dest = f.relative_to(nbs).as_posix() if f.is_relative_to(nbs) else '_files/' + (
            f.relative_to(ROOT).as_posix() if f.is_relative_to(ROOT) else f.name)
        assets[dest] = (f, is_html)
        return dest + frag
    fixed = lambda t, html=False: rewrite_refs(t, lambda x, h: fix(x, h or html))
    cells, fm, headings, texts = [], {}, set(), []
    for c in d['cells']:
        ct, src = c['cell_type'], src_text(c.get('source'))
        c.pop('has_sd', None)  # nbdev's marker, not nbformat
        if ct == 'raw':
            if not fm and (f := frontmatter_of(c)) is not None: fm = f; continue
            c['metadata'] = {k: v for k, v in (c.get('metadata') or {}).items() if k == 'format'}  # myst-nb renders these
        elif ct == 'markdown':
            if src.lstrip().startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED') or not src.strip(): continue
            c['source'] = fixed(myst_callouts(src))
            c['metadata'] = {}
        else:
            opts, body = split_options(src)
            if is_false(opts.get('include', 'true')): continue
            tags = sorted({t for (k, v), t in _tags.items()
                           if k in opts and (is_false(opts[k]) if v == 'false' else opts[k].lower() == v)}
                          | ({'remove-input'} if not body.strip() else set()))
            outs = [] if 'remove-output' in tags else c.get('outputs', [])  # myst-nb drops them; not page text either
            for o in outs:
                for k in ('text/markdown', 'text/html'):
                    if k in o.get('data', {}): o['data'][k] = fixed(src_text(o['data'][k]), k == 'text/html')
            mds = [o.get('data', {}).get('text/markdown') for o in outs]
            if outs and 'remove-input' in tags and all(m and m.lstrip().startswith('---') and _re_heading.search(m) for m in mds):
                secs = [api_section(m) for m in mds]  # a show_doc cell: each entry a section in the page's contents
                headings.update(n for _, n in secs)
                c = {'cell_type': 'markdown', 'metadata': {}, 'source': '\n\n'.join(s for s, _ in secs)}
                texts.append(c['source'])
            elif not body.strip() and not outs: continue
            else:
                texts += [body] if 'remove-input' not in tags else []
                texts += [m or src_text(o.get('text')) + src_text(o.get('data', {}).get('text/plain')) for m, o in zip(mds, outs)]
                c.update(source=body, metadata={'tags': tags} if tags else {})
        if ct == 'markdown': texts.append(c['source'])
        cells.append(c)
    # the title: nbdev's frontmatter (from the `# Title` + `> description` cell), else the first heading, else the file name
    title = str(fm.get('title', '')).strip()
    if title or not any(c['cell_type'] == 'markdown' and re.search(r'^#\s+\S', c['source'], flags=re.M) for c in cells):
        head = f'# {title or Path(docnames[nb]).name.replace("_", " ").capitalize()}\n'
        if fm.get('description'): head += f'\n{{.nb-description}}\n{str(fm["description"]).strip()}\n'
        cells.insert(0, {'cell_type': 'markdown', 'metadata': {}, 'source': head})
        texts.append(head)
    for i, c in enumerate(cells): c['id'] = f'c{i:04d}'
    meta = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
            'language_info': {'name': 'python', 'pygments_lexer': 'ipython3'}}
    return {'cells': cells, 'metadata': meta, 'nbformat': 4, 'nbformat_minor': 5}, {'headings': headings, 'text': '\n'.join(texts)}


def write_if_changed(path: Path, data: bytes) -> None:
    "Unchanged sources keep their date, so Sphinx rebuilds only the pages that changed."
    if not (path.exists() and path.read_bytes() == data): path.parent.mkdir(parents=True, exist_ok=True); path.write_bytes(data)


def write_sources(cfg, proc: Path, nbs: list[Path], src: Path) -> tuple[list[str], dict, dict, list]:
    "Write the cleaned notebooks and their assets into `src`; return page names in order, pages, HTML-only assets, errors."
    import nbformat
    nbs_path = Path(cfg.nbs_path)
    docnames = {nb.resolve(): docname_of(nb, nbs_path) for nb in nbs}
    index = next((nb for nb in nbs if docnames[nb.resolve()] == 'index'), None)
    others = [nb for nb in nbs if nb is not index]
    toc = '```{toctree}\n:maxdepth: 1\n:caption: Notebooks\n\n' + '\n'.join(docnames[o.resolve()] for o in others) + '\n```\n'
    order, pages, assets, errors, written = [], {}, {}, [], set()
    for nb in others + ([index] if index else []):
        rel, dn = nb.relative_to(nbs_path), docnames[nb.resolve()]
        if not (proc / rel).is_file(): errors.append(f'{rel}: not processed by nbdev'); continue
        try:
            d, page = clean(json.loads((proc / rel).read_text(encoding='utf-8')), nb.resolve(), docnames, assets, errors)
            pages[nb.resolve()] = page
            pages[nb.resolve()]['docname'] = dn
            if nb is index: d['cells'].append({'id': 'ctoctree', 'cell_type': 'markdown', 'metadata': {}, 'source': toc})
            node = nbformat.from_dict(d)
            nbformat.validate(node)
        except Exception as e:  # noqa: BLE001
            errors.append(f'{rel}: cannot be converted to a page: {type(e).__name__}: {e}'); continue
        write_if_changed(src / f'{dn}.ipynb', (nbformat.writes(node) + '\n').encode()); written.add(f'{dn}.ipynb')
        order.append(dn)
    if index is None:  # no index notebook: a plain home page
        write_if_changed(src / 'index.md', f'# {cfg.get("title", "") or ROOT.name}\n\n{toc}'.encode()); written.add('index.md')
    for dest, (f, _) in assets.items():  # a linked markdown file becomes a page of its own
        write_if_changed(src / dest, (b'---\norphan: true\n---\n\n' if dest.endswith('.md') else b'') + f.read_bytes())
        written.add(dest)
    for p in sorted(src.rglob('*'), reverse=True):  # drop what an earlier build left behind
        if p.is_file() and p.relative_to(src).as_posix() not in written: p.unlink()
        elif p.is_dir() and not any(p.iterdir()): p.rmdir()
    return order, pages, {k: f for k, (f, html) in assets.items() if html}, errors


# ---------------------------------------------------------------------------------------------------------
# step 3: API check

def api_check(cfg, pages: dict) -> list[str]:
    "Every name in a generated module's `__all__` must be on the page of the notebook that defines it."
    from nbdev.doclinks import _iter_py_cells  # nbdev's reader of the `# %% nb.ipynb #id` cell markers
    lib, problems = Path(cfg.lib_path), []
    rel = lambda p: posixpath.relpath(p, ROOT) if p.is_relative_to(ROOT) else str(p)
    for py in sorted(lib.rglob('*.py')):
        text = py.read_text(encoding='utf-8')
        m = re.search(r'^# AUTOGENERATED! DO NOT EDIT! File to edit: (\S+?\.ipynb)', text, flags=re.M)
        if not m: continue
        names = next((ast.literal_eval(n.value) for n in ast.parse(text).body if isinstance(n, ast.Assign)
                      and any(getattr(t, 'id', None) == '__all__' for t in n.targets)), [])
        where = {}  # name -> (kind, notebook of the cell that defines it)
        for cell in _iter_py_cells(py):
            for n in ast.parse(cell.code).body:
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    where.setdefault(n.name, ('def', cell.nb_path))
                for t in (n.targets if isinstance(n, ast.Assign) else [getattr(n, 'target', None)]):
                    if isinstance(t, ast.Name): where.setdefault(t.id, ('other', cell.nb_path))
        mod, unpaged = py.relative_to(lib.parent).with_suffix('').as_posix().replace('/', '.'), {}
        for name in names:
            kind, nb = where.get(name, ('other', (py.parent / m.group(1)).resolve()))
            page = pages.get(nb)
            if page is None: unpaged.setdefault(nb, []).append(name)
            elif kind == 'def' and name not in page['headings']:
                problems.append(f'{mod}.{name} (from {rel(nb)}): no show_doc entry on page {page["docname"]}.html '
                                f'(export it with `#| export`, or add `show_doc({name})`)')
            elif kind == 'other' and name not in page['headings'] and \
                    not re.search(rf'(?<![\w.]){re.escape(name)}(?!\w)', page['text']):
                problems.append(f'{mod}.{name} (from {rel(nb)}): not mentioned on page {page["docname"]}.html '
                                f'(describe it in markdown, or use `#| exports` / `show_doc`)')
        for nb, nms in unpaged.items():
            problems.append(f'{mod}: {len(nms)} exported name(s) unchecked, their notebook {rel(nb)} has no page '
                            f'(missing or failed to convert): {", ".join(nms[:6])}{" ..." if len(nms) > 6 else ""}')
    return problems


# ---------------------------------------------------------------------------------------------------------
# step 4: Sphinx

# a notebook that cannot be read, docutils errors (red boxes on a page), math KaTeX can't parse (an exception)
_sphinx_fatal = re.compile(r'(\bERROR\b|\bCRITICAL\b|\bSEVERE\b|Exception occurred|Traceback|[Cc]ould not read|'
                           r'NotJSONError|Notebook (?:JSON|validation)|[Ff]ailed to (?:read|parse|convert)|KaTeXError)')


def fix_links(html: Path, url: str) -> None:
    "Links to the hosted docs site (nbdev's `add_links`) -> relative links within this site."
    for page in html.rglob('*.html') if url else []:
        rel = page.relative_to(html)
        if rel.parts[0] in ('_static', '_images'): continue
        t = page.read_text(encoding='utf-8')
        new = re.sub(r'href="' + re.escape(url) + r'([^"]*)"',
                     lambda m: f'href="{"../" * (len(rel.parts) - 1)}{m.group(1).removesuffix(".md") or "index.html"}"', t)
        if new != t: page.write_text(new, encoding='utf-8')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default='_site', help='site folder (default: _site)')
    ap.add_argument('--build', default='_build', help='work folder (default: _build)')
    ap.add_argument('-j', '--jobs', type=int, default=min(2, os.cpu_count() or 1), help='nbdev processing workers')
    ap.add_argument('--force', action='store_true', help='ignore cached processing and rebuild every page')
    a = ap.parse_args(argv)
    t_all, timings = time.time(), {}
    os.chdir(ROOT)
    out, build = (ROOT / a.out).resolve(), (ROOT / a.build).resolve()
    # Sphinx writes into _build/html (myst-nb puts its `jupyter_execute/` beside its output folder); _site copies it
    src, doctrees, html = build / 'docs_src', build / 'doctrees', build / 'html'
    cfg = nbdev_cfg(ROOT)
    nbs = list_notebooks(cfg)
    if not nbs: sys.exit(f'docs: no notebooks found in {cfg.nbs_path}')
    dn = [docname_of(nb, Path(cfg.nbs_path)) for nb in nbs]
    if len(set(dn)) != len(dn):
        sys.exit(f'docs: two notebooks map to the same page name: {sorted({d for d in dn if dn.count(d) > 1})}')
    if a.force:
        for d in (src, doctrees, html): shutil.rmtree(d, ignore_errors=True)

    t = time.time()
    print(f'docs: 1/4 nbdev processing of {len(nbs)} notebook(s) from {Path(cfg.nbs_path).relative_to(ROOT)}/', flush=True)
    proc, problems = process_notebooks(cfg, a.jobs, a.force)
    timings['nbdev processing'] = time.time() - t

    t = time.time()
    print('docs: 2/4 cleaning notebooks into Sphinx sources', flush=True)
    order, pages, html_assets, errors = write_sources(cfg, proc, nbs, src)
    problems += errors
    timings['cleaning'] = time.time() - t

    api = api_check(cfg, pages)
    print(f'docs: 3/4 API check: {"all exported names documented" if not api else f"{len(api)} missing"}', flush=True)
    problems += [f'API: {p}' for p in api]

    t = time.time()
    print(f'docs: 4/4 sphinx-build -> {out}', flush=True)
    state, names = build / 'docnames.json', json.dumps(sorted(order))
    if state.exists() and state.read_text() != names:  # pages added or removed: start from scratch
        shutil.rmtree(html, ignore_errors=True); shutil.rmtree(doctrees, ignore_errors=True)
    with open(build / 'sphinx.log', 'w') as log:  # own session: a render server Sphinx leaves behind is ended below
        p = subprocess.Popen([sys.executable, '-m', 'sphinx', '-b', 'html', '-c', str(ROOT / 'docs'), '-d', str(doctrees), '-q',
                              str(src), str(html)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                             env=dict(os.environ, PYTHONWARNINGS='ignore', MPLBACKEND='Agg'))
        p.wait()
    with contextlib.suppress(ProcessLookupError): os.killpg(p.pid, signal.SIGTERM)
    state.write_text(names)
    text = (build / 'sphinx.log').read_text()
    lines, at = [l for l in text.splitlines() if l.strip()], re.findall(r'writing output\.\.\. \[[ \d]+%\]\s+(\S+)', text)
    fatal = [l for l in lines if _sphinx_fatal.search(l)]
    warns = [l for l in lines if l not in fatal]
    if p.returncode: problems.append(f'sphinx-build exited with {p.returncode}{f" while writing {at[-1]}.html" if at else ""} '
                                     f'(log: {build / "sphinx.log"}):\n    ' + '\n    '.join(lines[-6:]))
    problems += [f'sphinx: {l}' for l in fatal]
    problems += [f'page {d}.html was not built' for d in order if not (html / f'{d}.html').is_file()]
    if html.exists():
        fix_links(html, doc_url(cfg))
        for dest, f in html_assets.items():  # referenced from raw HTML only, which Sphinx does not see
            (html / dest).parent.mkdir(parents=True, exist_ok=True); shutil.copyfile(f, html / dest)
        for q in out.iterdir() if out.exists() else []:  # _site: a copy of the build, but the check's screenshots
            if q.name != '_screens': shutil.rmtree(q) if q.is_dir() else q.unlink()
        shutil.copytree(html, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns('_sources'))
    timings['sphinx'] = time.time() - t

    if warns:
        print(f'  {len(warns)} sphinx warning(s) (not fatal):')
        for l in warns[:30]: print('   ', l.replace(str(src) + '/', ''))
        if len(warns) > 30: print(f'    ... see {build / "sphinx.log"}')
    print('docs: timings: ' + ', '.join(f'{k} {v:.1f} s' for k, v in timings.items()) + f'; total {time.time() - t_all:.1f} s')
    if problems:
        print(f'docs: FAILED with {len(problems)} problem(s):', file=sys.stderr)
        for q in problems: print(f'  - {q}', file=sys.stderr)
        return 1
    n_html = sum(1 for q in out.rglob('*.html') if q.relative_to(out).parts[0] not in ('_static', '_images', '_screens'))
    print(f'docs: site {out} ({len(order)} notebook page(s), {n_html} HTML page(s) in all)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
