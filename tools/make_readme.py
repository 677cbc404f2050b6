#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb, as GitHub-flavoured markdown, without Quarto.

The nbdev convention: the index notebook's markdown cells and code cells with their saved outputs (nothing is
executed), `#|` directive lines stripped, hidden/exported cells (`#| hide`, `#| export`, `#| include: false`)
left out, `#| echo: false` / `#| output: false` honoured. The README is text only: image outputs
(figures) are skipped, stderr and error outputs too. Links to other notebooks point to the hosted docs;
relative links to files are made relative to the repository root.

Usage: python tools/make_readme.py            # write README.md
       python tools/make_readme.py --check    # exit 1 if README.md differs from what would be written
"""
from __future__ import annotations

import argparse, difflib, json, posixpath, re, sys
from pathlib import Path
from urllib.parse import quote, unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_docs import (ROOT, doc_url, frontmatter_of, is_false, is_local, nbdev_cfg,  # noqa: E402
                        rewrite_refs, split_frag, split_options, src_text)

HEADER = '<!-- Generated from {nb} by tools/make_readme.py: edit the notebook, then run `make readme`. -->'
_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')
_hidden_dirs = {'export', 'exporti', 'hide', 'default_exp'}  # nbdev directives of cells kept out of docs
_magics = re.compile(r'^\s*%(load_ext|reload_ext|autoreload|matplotlib|config)\b.*$\n?', flags=re.M)
_callout = re.compile(r'^:{3,}\s*\{\s*\.callout-(\w+)[^}]*\}\s*\n(.*?)\n:{3,}\s*$', flags=re.M | re.S)
_alert = {'note': 'NOTE', 'tip': 'TIP', 'warning': 'WARNING', 'important': 'IMPORTANT', 'caution': 'CAUTION'}


def fence(text: str, lang: str = '') -> str:
    "A fenced code block longer than any backtick run inside `text`."
    ticks = '`' * max(3, max((len(m) for m in re.findall(r'`{3,}', text)), default=0) + 1)
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'


def gfm_callouts(md: str) -> str:
    "Quarto callouts to GitHub alerts (`> [!NOTE]`)."
    return _callout.sub(lambda m: f'> [!{_alert.get(m.group(1).lower(), "NOTE")}]\n' +
                        '\n'.join('> ' + l if l.strip() else '>' for l in m.group(2).splitlines()), md)


def output_md(o: dict, warn) -> str | None:
    t = o.get('output_type')
    if t == 'stream':
        if o.get('name') != 'stdout': return None
        text = _re_ansi.sub('', src_text(o.get('text'))).rstrip()
        return fence(text) if text.strip() else None
    if t == 'error':
        warn(f'error output left out of the README: {o.get("ename")}: {o.get("evalue")}')
        return None
    data = o.get('data') or {}
    if any(k.startswith('image/') for k in data): return None  # figures: the README is text only
    if 'text/markdown' in data: return src_text(data['text/markdown']).strip()
    if 'text/html' in data:
        html = src_text(data['text/html'])
        html = re.sub(r'<(style|script)\b.*?</\1>', '', html, flags=re.S | re.I).strip()
        return html if html else None
    if 'text/plain' in data:
        text = _re_ansi.sub('', src_text(data['text/plain'])).rstrip()
        return fence(text) if text.strip() else None
    return None


def render(root: Path = ROOT, warn=lambda m: print(f'readme: {m}', file=sys.stderr)) -> str:
    cfg = nbdev_cfg(root)
    nbs = Path(cfg.nbs_path)
    nb = nbs / str(cfg.get('readme_nb', 'index.ipynb'))
    if not nb.is_file(): raise SystemExit(f'readme: {nb} not found')
    d = json.loads(nb.read_text(encoding='utf-8'))
    url = doc_url(cfg)
    from nbdev.config import nbpath2html

    def fix(tgt: str, is_html: bool) -> str:
        if not is_local(tgt): return tgt
        path, frag = split_frag(tgt)
        f = (nb.parent / unquote(path)).resolve()
        if f.suffix == '.ipynb' and url:
            try: return url + nbpath2html(f.relative_to(nbs.resolve())).as_posix() + frag
            except ValueError: pass
        try: rel = f.relative_to(root.resolve()).as_posix()
        except ValueError: return tgt
        if not f.exists(): warn(f'reference to a missing file: {tgt}')
        return quote(rel) + frag

    parts = [HEADER.format(nb=posixpath.relpath(nb, root))]
    for c in d.get('cells', []):
        ct, src = c.get('cell_type'), src_text(c.get('source'))
        if ct == 'raw':
            fm = frontmatter_of(c)
            if fm and fm.get('title'):
                parts.append(f'# {fm["title"]}' + (f'\n\n> {fm["description"]}' if fm.get('description') else ''))
        elif ct == 'markdown':
            if src.strip(): parts.append(rewrite_refs(gfm_callouts(src.strip()), fix))
        elif ct == 'code':
            opts, body = split_options(src)
            if is_false(opts.get('include', 'true')) or _hidden_dirs & opts.keys(): continue
            body = _magics.sub('', body).strip('\n')
            if body.strip() and not is_false(opts.get('echo', 'true')): parts.append(fence(body, 'python'))
            if is_false(opts.get('output', 'true')): continue
            for o in c.get('outputs', []):
                md = output_md(o, warn)
                if md: parts.append(rewrite_refs(md, fix))
    text = '\n\n'.join(p.strip('\n') for p in parts) + '\n'
    return re.sub(r'[ \t]+$', '', text, flags=re.M)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--check', action='store_true', help='exit 1 if README.md is not what would be written')
    ap.add_argument('--out', default='README.md', help='file to write (default: README.md)')
    a = ap.parse_args(argv)
    new = render(ROOT)
    dst = ROOT / a.out
    old = dst.read_text(encoding='utf-8') if dst.exists() else ''
    if a.check:
        if old != new:
            diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), f'{a.out} (now)', f'{a.out} (from the notebook)',
                                             lineterm='', n=1))
            print('\n'.join(diff[:40] + (['...'] if len(diff) > 40 else [])), file=sys.stderr)
            print('README.md is stale: run make readme', file=sys.stderr)
            return 1
        print(f'readme: {a.out} is up to date')
        return 0
    if old != new: dst.write_text(new, encoding='utf-8')
    print(f'readme: {"wrote" if old != new else "unchanged"} {a.out} ({len(new.splitlines())} lines)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
