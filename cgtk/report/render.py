"""The report's HTML: static tables rendered here, the loss charts drawn in the page by
``templates/report.js`` from the JSON embedded beside it. One file, no external
resources: sample images are inlined as data URIs, or linked relative to the page when
it lives in the run directory (the default, so a live report stays small).
"""
from __future__ import annotations

import base64
import datetime
import html
import json
import os
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from cgtk._version import __version__
from cgtk.report.gather import RunReport

__all__ = ["render_html", "MAX_INLINE_SAMPLES", "REFRESH_SECONDS"]

MAX_INLINE_SAMPLES = 60   # evenly spaced epochs (first and last kept) when inlining
REFRESH_SECONDS = 30      # a running run's page reloads itself this often


def _template(name: str) -> str:
    return (resources.files("cgtk.report") / "templates" / name).read_text(encoding="utf-8")


def _e(value) -> str:
    return html.escape("unknown" if value is None else str(value))


def _when(stamp) -> str | None:
    if not stamp:
        return None
    if isinstance(stamp, (int, float)):
        return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")
    return str(stamp)


def _duration(seconds) -> str | None:
    if seconds is None:
        return None
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _size(n) -> str | None:
    if n is None:
        return None
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return None


def _fact(key: str, value) -> str:
    return f'<div class="fact"><div class="k">{_e(key)}</div><div class="v">{_e(value)}</div></div>'


def _header(r: RunReport) -> str:
    h = r.header
    state = h.get("state") or "unknown"
    plugin = f"{h['plugin'] or 'unknown plugin'} {h.get('plugin_version') or ''}".strip()
    epochs = None
    if h.get("epochs_done") is not None:
        epochs = f"{h['epochs_done']} of {h.get('epochs_total') or '?'}"
        if h.get("step_in_epoch"):
            epochs += f" (+{h['step_in_epoch']} steps)"
    steps = None
    if h.get("steps_done") is not None:
        total = (h.get("epochs_total") or 0) * (h.get("steps_per_epoch") or 0)
        steps = f"{h['steps_done']:,}" + (f" of {total:,}" if total else "")
    elif h.get("last_logged_step") is not None:
        steps = f"{h['last_logged_step']:,} logged, no checkpoint yet"
    backend = h.get("backend")
    if backend and h.get("jit") is not None:
        backend = f"{backend} (jit {'on' if h['jit'] else 'off'})"
    versions = ", ".join(f"{k} {v}" for k, v in h.get("versions", {}).items()) or None
    data = h.get("data")
    if data and h.get("data_kind"):
        data = f"{data} ({h['data_kind']})"
    sessions = h.get("sessions") or 0
    wall = _duration(h.get("wall_time_s"))
    if wall and sessions > 1:
        wall += f" over {sessions} sessions"
    facts = [("plugin", f"{plugin} ({h.get('plugin_dist') or '?'})"), ("status", state),
             ("backend", backend), ("devices", h.get("devices")),
             ("precision", h.get("precision")), ("data", data),
             ("batch / crop", f"{h.get('batch_size')} / {h.get('image_size')} px"
              if h.get("batch_size") else None),
             ("epochs done", epochs), ("steps done", steps), ("wall time", wall),
             ("started", _when(h.get("started")) or h.get("created")),
             ("last update", _when(h.get("updated"))), ("seed", h.get("seed") if h.get(
                 "seed") is not None else "none"), ("versions", versions)]
    badge = state.replace(" ", "-")
    return (f'<h1>{_e(plugin)} &middot; {_e(r.path.name)}'
            f'<span class="badge {_e(badge)}" id="run-state">{_e(state)}</span></h1>\n'
            f'<p class="sub"><code>{_e(r.path)}</code>'
            + (f'<br><code>{_e(h["command"])}</code>' if h.get("command") else "")
            + '</p>\n<div class="facts">' + "".join(_fact(k, v) for k, v in facts) + "</div>")


def _pick(items: list, limit: int) -> list:
    if len(items) <= limit:
        return items
    idx = sorted({round(i * (len(items) - 1) / (limit - 1)) for i in range(limit)})
    return [items[i] for i in idx]


def _image_src(path: Path, output: Path, inline: bool) -> str:
    if inline:
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    rel = os.path.relpath(path, output.parent)
    return quote(rel.replace(os.sep, "/"))


def _samples(r: RunReport, output: Path, inline: bool) -> str:
    if not r.samples:
        return '<p class="empty">no sample grids yet (samples/epoch-NNN.png)</p>'
    shown = _pick(r.samples, MAX_INLINE_SAMPLES) if inline else r.samples
    note = ""
    if len(shown) < len(r.samples):
        note = (f'<p class="protocol">showing {len(shown)} of {len(r.samples)} epochs, evenly '
                "spaced; every grid is in samples/</p>")
    figures = []
    for epoch, path in shown:
        try:
            src = _image_src(path, output, inline)
        except OSError:
            continue
        figures.append(f'<figure><img class="sample" alt="samples after epoch {epoch}" '
                       f'src="{src}"><figcaption>after epoch {epoch}: '
                       f'{_e(path.name)}</figcaption></figure>')
    return (note + '<p class="protocol">each row is one fixed held-out input; columns as '
            'titled in each grid (input | output | target, where the kind has one)</p>'
            '<div class="strip">' + "".join(figures) + "</div>")


def _fmt_metric(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"
    return _e(value)


def _evaluations(r: RunReport) -> str:
    if not r.evaluations:
        return ('<p class="empty">not evaluated yet: run <code>cgtk eval '
                f'{_e(r.path)}</code> (its results are kept in eval.json)</p>')
    parts = []
    for ev in r.evaluations:
        data = (ev.get("data") or {}).get("name")
        parts.append(f"<h3>{_e(data)} &middot; {_e(ev.get('kind'))} &middot; split "
                     f"{_e(ev.get('split'))} &middot; {_e(ev.get('time'))}</h3>")
        rows = []
        for res in ev.get("results", []):
            n = res.get("n")
            n = ", ".join(f"{k} {v}" for k, v in n.items()) if isinstance(n, dict) else n
            net = res.get("network")
            if res.get("description"):
                net = f"{net} ({res['description']})"
            for metric, value in (res.get("metrics") or {}).items():
                rows.append(f"<tr><td>{_e(net)}</td><td>{_e(metric)}</td>"
                            f'<td class="num">{_fmt_metric(value)}</td><td>{_e(n)}</td></tr>')
        parts.append("<table><tr><th>network</th><th>metric</th><th>value</th>"
                     "<th>images</th></tr>" + "".join(rows) + "</table>")
        for res in ev.get("results", []):
            proxy = " <b>[PROXY: random Inception weights, not an FID]</b>" if res.get("proxy") else ""
            parts.append(f'<p class="protocol">{_e(res.get("network"))}: protocol: '
                         f'{_e(res.get("protocol"))}; resize: {_e(res.get("resize"))}{proxy}</p>')
    return "".join(parts)


def _artifacts(r: RunReport) -> str:
    parts = ["<h3>inference networks</h3>"]
    if r.networks:
        parts.append("<table><tr><th>name</th><th>file</th><th>what</th><th>multiple</th>"
                     "<th>scale</th><th>size</th></tr>" + "".join(
                         f"<tr><td>{_e(n['name'])}</td><td><code>{_e(n['file'])}</code></td>"
                         f"<td>{_e(n['description'])}</td><td class=num>{_e(n['multiple'])}</td>"
                         f"<td class=num>{_e(n['scale'])}</td><td class=num>"
                         f"{_e(_size(n['bytes']) or 'not written yet')}</td></tr>"
                         for n in r.networks) + "</table>")
    else:
        parts.append('<p class="empty">none recorded</p>')
    parts.append("<h3>checkpoints</h3>")
    if r.checkpoints:
        parts.append("<table><tr><th>checkpoint</th><th>global step</th><th>epochs done</th>"
                     "<th>finished</th><th>written</th><th>size</th></tr>" + "".join(
                         f"<tr><td><code>{_e(c['name'])}</code></td>"
                         f"<td class=num>{_e(c['global_step'])}</td>"
                         f"<td class=num>{_e(c['epoch'])}"
                         + (f" +{c['step_in_epoch']} steps" if c.get("step_in_epoch") else "")
                         + f"</td><td>{_e('yes' if c['finished'] else 'no')}</td>"
                         f"<td>{_e(_when(c['time']))}</td><td class=num>{_e(_size(c['bytes']))}</td></tr>"
                         for c in r.checkpoints) + "</table>")
    else:
        parts.append('<p class="empty">none yet</p>')
    parts.append("<h3>exports</h3>")
    if r.exports:
        rows = []
        for x in r.exports:
            p = x.get("parity") or {}
            verdict = ('<span class="ok">OK</span>' if p.get("ok") else '<span class="bad">FAILED</span>')
            if not p.get("checks"):
                verdict = "not checked"
            diff = p.get("max_abs_diff")
            figure = f"{diff:.3g}" if isinstance(diff, (int, float)) else "unknown"
            checks = "; ".join(f"{c.get('input')} {c.get('shape')}: {c.get('max_abs_diff'):.3g}"
                               for c in p.get("checks", [])
                               if isinstance(c.get("max_abs_diff"), (int, float)))
            rows.append(f"<tr><td>{_e(p.get('format'))}</td><td><code>{_e(x.get('output'))}</code>"
                        f"</td><td>{_e(x.get('network'))}</td><td>{_e(x.get('backend'))}</td>"
                        f"<td>{verdict}</td><td class=num>{_e(figure)} (tolerance "
                        f"{_e(p.get('tolerance'))})</td><td>{_e(checks or p.get('note') or '-')}</td>"
                        f"<td>{_e(x.get('time'))}</td></tr>")
        parts.append("<table><tr><th>format</th><th>output</th><th>network</th><th>backend</th>"
                     "<th>parity</th><th>max |exported - keras|</th><th>checks</th><th>when</th>"
                     "</tr>" + "".join(rows) + "</table>")
    else:
        parts.append('<p class="empty">none: <code>cgtk export RUN_DIR --format ...</code> '
                     "records its parity check here</p>")
    return "".join(parts)


def _source_class(source: str | None) -> str:
    if source is None:
        return "unknown"
    for prefix, cls in (("default", "default"), ("--set", "set"), ("flag", "flag"),
                        ("toml", "toml"), ("dataset hint", "hint"), ("resume", "resume"),
                        ("environment", "flag")):
        if source.startswith(prefix):
            return cls
    return "unknown"


def _config(r: RunReport) -> str:
    if not r.config:
        return '<p class="empty">config.json records no config</p>'
    rows = []
    for key, value, source in r.config:
        cls = _source_class(source)
        row_cls = ' class="is-default"' if cls == "default" else ""
        rows.append(f"<tr{row_cls}><td><code>{_e(key)}</code></td>"
                    f"<td><code>{_e(json.dumps(value))}</code></td>"
                    f'<td><span class="src {cls}">{_e(source)}</span></td></tr>')
    return ('<div class="controls"><label><input type="checkbox" id="changed-only"> only '
            "values not at their default</label><span>source: default (the plugin's, with "
            "its paper), toml FILE, flag, --set, dataset hint, or the run's own on "
            "resume</span></div>"
            '<table id="config-table"><tr><th>key</th><th>value</th><th>source</th></tr>'
            + "".join(rows) + "</table>")


def _default_weight(n: int) -> float:
    return round(min(0.98, max(0.0, 1 - 30 / max(n, 1))), 2)


def render_html(r: RunReport, *, output: Path, inline: bool) -> str:
    """The page for ``r``, to be written at ``output`` (relative image links start there)."""
    running = r.header.get("state") == "running"
    data = json.dumps({"losses": r.losses}, separators=(",", ":"), allow_nan=False)
    data = data.replace("</", "<\\/")
    generated = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    footer = (f"written by cgtk {__version__} report at {generated}"
              + (f"; the run is training: this page reloads every {REFRESH_SECONDS} s and "
                 "cgtk train rewrites it at each sample interval" if running else ""))
    parts = {
        "REFRESH": (f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if running else ""),
        "TITLE": _e(f"{r.header.get('plugin') or 'run'} · {r.path.name} · cgtk report"),
        "CSS": _template("report.css"), "JS": _template("report.js"),
        "HEADER": _header(r), "SAMPLES": _samples(r, output, inline),
        "EVAL": _evaluations(r), "ARTIFACTS": _artifacts(r), "CONFIG": _config(r),
        "FOOTER": _e(footer), "DATA": data,
        "WEIGHT": str(_default_weight(len(r.losses["steps"]))),
    }
    page = _template("page.html")
    for key, value in parts.items():
        page = page.replace(f"<!--CGTK:{key}-->", value)
    return page
