"""The publishable report of a community or view: one self-contained HTML file that prints to
PDF (:mod:`coordgraph.reporting.pdf`).

Sections: headline figures (with what they mean), the parameters in words, case notes; then
per community, most suspicious first: a generated summary paragraph (who, how many, what they
pushed, how fast, how unlikely by chance), a labelled network picture, the strongest evidence
(the fastest co-shares with post ids, UTC times, seconds apart and links to the posts where the
platform has URLs) and per-account timelines (plotly, inlined so the file opens offline);
then the co-share timeline, top objects, members and the definitions of every figure.
"""
from __future__ import annotations

import datetime as dt
import math
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from coordgraph.analysis.community_table import DEFINITIONS, community_table
from coordgraph.reporting.svg_picture import network_svg
from coordgraph.reporting.view import NetworkView

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em;color:#222;max-width:1100px;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1.05em;margin-top:1.2em}
table{border-collapse:collapse;font-size:.85em;width:100%}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left}
th{background:#f3f3f3}.muted{color:#666;font-size:.9em}.figures span{display:inline-block;margin-right:2em}
.figures b{font-size:1.3em}pre.notes{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.6em}
p.summary{background:#f6f8fb;border-left:4px solid #1a5fb4;padding:.6em .8em}
dl.defs dt{font-weight:600;margin-top:.4em}dl.defs dd{margin-left:1.2em}
@media print{body{margin:0;max-width:none}h2,h3{page-break-after:avoid}table,svg,.plot{page-break-inside:avoid}
tr{page-break-inside:avoid}section.community{page-break-before:always}}
"""
MEMBER_ROWS = 500
OBJECT_ROWS = 50
EVIDENCE_ROWS = 15
TIMELINE_ACCOUNTS = 30
MAX_COMMUNITY_SECTIONS = 20

#: Post URL patterns per platform (``{id}`` = the post id); ids that are not digits get none.
POST_URLS = {
    "twitter": "https://twitter.com/i/web/status/{id}",
    "x": "https://twitter.com/i/web/status/{id}",
    "bluesky": None,
    "telegram": None,
}

#: Definitions of the report's figures (the community table's are added to them).
FIGURE_DEFINITIONS = {
    "co-share": "two posts by two different accounts that share the same object (a retweeted post, a "
                "hashtag, a URL, ...) at most the time window apart. One post can take part in several "
                "co-shares (with each account that shared the same object close in time).",
    "co-shares (of an edge or a community)": "the number of co-shares between the accounts; this is the "
                                             "weight of a coordinated edge.",
    "coordinated shares": "distinct posts that took part in at least one co-share. Because a post can be in "
                          "several co-shares, co-shares are usually more than coordinated shares; the two "
                          "are equal only when every post met exactly one other.",
    "coordinated edge": "a pair of accounts with at least the minimum number of co-shares.",
    "seconds apart": "time between the older and the newer post of a co-share.",
    "fast window": "a second, narrower time window; a fast edge holds also when only co-shares within it count.",
    "edge symmetry": "min / max of the two accounts' posts in the edge's co-shares: 1 when both lead as often.",
    "q-value": "Benjamini-Hochberg adjusted p-value of an edge against a null model that shuffles post "
               "times: the expected share of false discoveries among edges at least as strong.",
}


def utc(ts) -> str:
    """UNIX seconds -> 'YYYY-MM-DD HH:MM:SS UTC' ('' when unknown)."""
    if ts is None or (isinstance(ts, float) and math.isnan(ts)) or pd.isna(ts):
        return ""
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def post_url(platform, post_id) -> str | None:
    """A link to a post where the platform has public post URLs (Twitter/X: numeric ids)."""
    pattern = POST_URLS.get(str(platform or "").lower())
    if not pattern or post_id is None or not str(post_id).isdigit():
        return None
    return pattern.format(id=post_id)


# -- parameters in words ---------------------------------------------------------------------
def describe_params(params: dict) -> list[str]:
    """The run's detection parameters and the filters as sentences (never 'None')."""
    p = {k.removeprefix("detection."): v for k, v in params.items()}
    f = {k.removeprefix("filter."): v for k, v in params.items() if k.startswith("filter.")}
    out = []
    if p.get("run_id"):
        out.append(f"Analysis run {p['run_id']}" + (f", community {p['community']}." if p.get("community") is not None
                                                     else "."))
    if p.get("time_window") is not None:
        out.append(f"Two shares of the same object by different accounts count as a co-share when they are at "
                   f"most {p['time_window']} seconds apart (the time window).")
    if p.get("min_participation") is not None:
        out.append(f"Accounts and account pairs with fewer than {p['min_participation']} co-shares are left out "
                   "(minimum participation).")
    if p.get("edge_weight") is not None:
        out.append(f"Edges whose co-shares exceed the {float(p['edge_weight']) * 100:.0f}th percentile of all edge "
                   "weights are marked as strong (the edge-weight threshold).")
    if "fast_window" in p:
        out.append(f"A narrower fast window of {p['fast_window']} seconds marks fast co-shares and fast edges."
                   if p["fast_window"] else "No fast window was used.")
    kinds = p.get("kinds") or ([k for k in str(p.get("intent") or "").split(",") if k] or None)
    if "kinds" in p or "intent" in p:
        out.append(f"Share kinds analysed: {', '.join(kinds)}." if kinds
                   else "All share kinds (retweets, hashtags, URLs, ...) were analysed.")
    if p.get("remove_loops"):
        out.append("An account's co-shares with itself are ignored.")
    if p.get("engine"):
        out.append(f"Detection engine: {p['engine']}.")
    out += _describe_filters(f)
    known = {"run_id", "community", "time_window", "min_participation", "edge_weight", "fast_window", "kinds",
             "intent", "remove_loops", "engine", "note"}
    for k, v in p.items():
        if k not in known and not k.startswith("filter.") and v is not None and v != "":
            out.append(f"{k.replace('_', ' ')}: {v}.")
    if p.get("note"):
        out.append(f"Note: {p['note']}.")
    return out or ["No parameters were recorded for this run."]


def _describe_filters(f: dict) -> list[str]:
    out = []
    mode, value = f.get("weight_mode"), f.get("weight_value")
    if mode == "percentile" and value:
        out.append(f"Shown: only edges above the {float(value) * 100:.0f}th percentile of co-shares.")
    elif mode == "absolute" and value:
        out.append(f"Shown: only edges with at least {value:g} co-shares.")
    if f.get("min_weight"):
        out.append(f"Shown: only edges with at least {float(f['min_weight']):g} co-shares.")
    if f.get("min_symmetry"):
        out.append(f"Shown: only edges with a symmetry score of at least {f['min_symmetry']}.")
    if f.get("fast_only"):
        out.append("Shown: only fast-window edges.")
    if (f.get("min_community_size") or 1) > 1:
        out.append(f"Shown: only communities of at least {f['min_community_size']} accounts.")
    if f.get("time_from") is not None or f.get("time_to") is not None:
        out.append(f"Shown: only co-shares from {utc(f.get('time_from')) or 'the first'} to "
                   f"{utc(f.get('time_to')) or 'the last'}.")
    if f.get("intents"):
        out.append(f"Shown: only co-shares of {', '.join(f['intents'])}.")
    if f and not out:
        out.append("No filter: every coordinated edge of the run is included.")
    return out


# -- per community ---------------------------------------------------------------------------
def _edges_for_table(view: NetworkView) -> pd.DataFrame:
    e = view.edges.copy()
    if "fast" not in e.columns:
        e["fast"] = pd.to_numeric(e["weight_fast"], errors="coerce").fillna(0) > 0 if "weight_fast" in e else False
    for c in ("avg_time_delta", "edge_symmetry_score"):
        if c not in e:
            e[c] = np.nan
    return e


def summary_paragraph(row: dict, members: pd.DataFrame, cs: pd.DataFrame, params: dict) -> str:
    """The generated paragraph of one community: who, how many, what, how fast, how unlikely."""
    order = members.sort_values("strength", ascending=False) if "strength" in members else members
    names = [str(h or a) for a, h in zip(order["account_id"], order.get("handle", order["account_id"]))][:3]
    who = ", ".join(names) + (", ..." if len(order) > 3 else "")
    n_objects = cs["object_id"].nunique() if len(cs) else 0
    parts = [f"{int(row['size']):,} accounts ({who}) co-shared the same objects {int(row['coshares']):,} times "
             f"among themselves ({row['coshares_per_account']:,.1f} co-shares per account)"
             + (f", on {n_objects:,} distinct objects." if n_objects else ".")]
    if row.get("top_objects"):
        parts.append(f"What they pushed most: {row['top_objects']} (co-shares of each).")
    tw = params.get("detection.time_window")
    if not pd.isna(row.get("median_seconds_apart")):
        parts.append(f"Half of these co-shares came within {row['median_seconds_apart']:g} seconds of each other"
                     + (f" (the detection window was {tw} s)." if tw else "."))
    fw = params.get("detection.fast_window")
    if fw and not pd.isna(row.get("fast_share")):
        parts.append(f"{row['fast_share'] * 100:.0f}% of their coordinated account pairs also co-shared within the "
                     f"fast window of {fw} s.")
    if len(cs) and cs["ts"].notna().any():
        parts.append(f"Their co-shares span {utc(cs['ts'].min())} to {utc(cs['ts_y'].max())}.")
    if not pd.isna(row.get("median_followers")) or not pd.isna(row.get("median_age_days")):
        bits = []
        if not pd.isna(row.get("median_followers")):
            bits.append(f"{row['median_followers']:,.0f} followers")
        if not pd.isna(row.get("median_age_days")):
            bits.append(f"an account age of {row['median_age_days']:,.0f} days")
        parts.append("The median account has " + " and ".join(bits) + ".")
    if not pd.isna(row.get("median_q_value")):
        parts.append(f"How unlikely by chance: against a null model that shuffles post times, the median edge of "
                     f"this community has a q-value of {row['median_q_value']:.3g} (the expected share of false "
                     "discoveries among edges at least as strong).")
    else:
        parts.append("How unlikely by chance: edge significance was not computed for this run, so no probability "
                     "is given here (detect with --edge-significance to test every edge against shuffled post times).")
    parts.append(f"Suspicion rank {int(row['rank'])} of the communities in this report (score {row['score']:.2f}).")
    return " ".join(parts)


def _evidence(cs: pd.DataFrame, handles: dict) -> str:
    if cs.empty:
        return '<p class="muted">no co-share rows available for this community</p>'
    rows = []
    for r in cs.head(EVIDENCE_ROWS).itertuples(index=False):
        def post(pid):
            url = post_url(r.platform, pid)
            text = escape(str(pid))
            return f'<a href="{escape(url)}">{text}</a>' if url else text
        rows.append(f"<tr><td>{escape(str(r.object_id))}</td><td>{escape(str(handles.get(r.account_id, r.account_id)))}"
                    f"</td><td>{post(r.post_id)}</td><td>{utc(r.ts)}</td>"
                    f"<td>{escape(str(handles.get(r.account_id_y, r.account_id_y)))}</td><td>{post(r.post_id_y)}</td>"
                    f"<td>{utc(r.ts_y)}</td><td>{_num(r.time_delta)}</td></tr>")
    head = ("<tr><th>object</th><th>first account</th><th>first post</th><th>first post time</th>"
            "<th>second account</th><th>second post</th><th>second post time</th><th>seconds apart</th></tr>")
    return (f'<p class="muted">The {min(EVIDENCE_ROWS, len(cs))} fastest of {len(cs):,} co-shares; post ids link '
            "to the posts where the platform has public URLs.</p>"
            f'<table class="evidence">{head}{"".join(rows)}</table>')


def _num(v) -> str:
    if v is None or pd.isna(v):
        return ""
    v = float(v)
    return f"{int(v):,}" if v.is_integer() else f"{v:,.3g}"


def _account_timelines(cs: pd.DataFrame, handles: dict, first_plot: list) -> str:
    if cs.empty or not cs["ts"].notna().any():
        return '<p class="muted">no share times available</p>'
    times = pd.concat([cs[["account_id", "ts", "object_id"]],
                       cs[["account_id_y", "ts_y", "object_id"]].set_axis(["account_id", "ts", "object_id"], axis=1)])
    times = times.dropna(subset=["ts"]).drop_duplicates()
    top = times["account_id"].value_counts().head(TIMELINE_ACCOUNTS).index
    times = times[times["account_id"].isin(top)]
    label = times["account_id"].map(lambda a: str(handles.get(a) or a))
    fig = go.Figure(go.Scatter(x=pd.to_datetime(times["ts"].astype("int64"), unit="s", utc=True), y=label,
                               mode="markers", marker=dict(size=6, color="#0072B2", opacity=0.7),
                               text=times["object_id"], hovertemplate="%{y}<br>%{x} UTC<br>%{text}<extra></extra>"))
    fig.update_layout(height=max(220, 22 * len(top) + 80), margin=dict(l=10, r=10, t=10, b=40),
                      xaxis_title="time of the share (UTC)", template="plotly_white")
    return _plot(fig, first_plot)


def _plot(fig: go.Figure, first_plot: list) -> str:
    inline = not first_plot
    first_plot.append(True)
    return ('<div class="plot">' + fig.to_html(full_html=False, include_plotlyjs=inline, config={"staticPlot": True})
            + "</div>")


def community_sections(view: NetworkView, first_plot: list) -> tuple[str, pd.DataFrame]:
    """(HTML of one section per community, most suspicious first; the ranked table)."""
    accounts = view.accounts
    if "community" not in accounts or accounts["community"].isna().all():
        accounts = accounts.assign(community=0)
    cs = view.coshares
    table = community_table(_edges_for_table(view), accounts,
                            cs.rename(columns={})[["account_id", "account_id_y", "object_id", "time_delta", "ts"]]
                            if len(cs) else None)
    handles = dict(zip(accounts["account_id"].astype(str), accounts.get("handle", accounts["account_id"])))
    community_of = dict(zip(accounts["account_id"].astype(str), accounts["community"]))
    out = []
    for row in table.head(MAX_COMMUNITY_SECTIONS).to_dict("records"):
        c = row["community"]
        members = accounts[accounts["community"] == c]
        ids = set(members["account_id"].astype(str))
        inner = cs[cs["account_id"].astype(str).isin(ids) & cs["account_id_y"].astype(str).isin(ids)] if len(cs) else cs
        sub = NetworkView(accounts=members, edges=view.edges[view.edges["account_id"].astype(str).isin(ids)
                                                             & view.edges["account_id_y"].astype(str).isin(ids)])
        out += [f'<section class="community" id="community-{c}">',
                f"<h2>Community {c}: rank {row['rank']} of {len(table)}</h2>",
                f'<p class="summary">{escape(summary_paragraph(row, members, inner, view.params))}</p>',
                "<h3>Network</h3>",
                '<p class="muted">Accounts labelled by handle; line width grows with the number of co-shares.</p>',
                network_svg(sub, size=640, labels=True),
                "<h3>Strongest evidence</h3>", _evidence(inner, handles),
                "<h3>When each account shared (co-shares only)</h3>", _account_timelines(inner, handles, first_plot),
                "</section>"]
    _ = community_of
    return "\n".join(out), table


def coordinated_posts(cs: pd.DataFrame) -> pd.DataFrame:
    """The distinct posts that took part in at least one co-share: post_id, ts (UNIX s UTC)."""
    posts = pd.concat([cs[["post_id", "ts"]], cs[["post_id_y", "ts_y"]].set_axis(["post_id", "ts"], axis=1)])
    return posts.dropna(subset=["post_id"]).drop_duplicates("post_id")


def _figures(view: NetworkView) -> str:
    coshares = int(view.edges["weight"].sum()) if len(view.edges) else 0
    if len(view.coshares):
        shares = len(coordinated_posts(view.coshares))
    else:  # no co-share rows fetched: the timeline's count is all there is
        shares = int(view.timeline["shares"].sum()) if len(view.timeline) else 0
    items = [
        ("accounts", len(view.accounts)),
        ("coordinated edges", len(view.edges)),
        ("co-shares", coshares),
        ("coordinated shares", shares),
    ]
    return ('<p class="figures">' + "".join(f"<span><b>{v:,}</b> {escape(k)}</span>" for k, v in items) + "</p>"
            '<p class="muted">Co-shares count pairs of posts (one post can pair with several others); coordinated '
            "shares count the distinct posts in those pairs, per hour in the timeline below. See Definitions.</p>")


def _ranked(table: pd.DataFrame) -> str:
    shown = table.rename(columns={"coshares": "co-shares", "coshares_per_account": "co-shares per account",
                                  "median_seconds_apart": "median s apart", "fast_share": "fast share",
                                  "median_q_value": "median q", "median_followers": "median followers",
                                  "median_age_days": "median age (days)", "top_objects": "top objects"})
    return _table(shown.drop(columns=[c for c in ("edges",) if c in shown]))


def render_report(view: NetworkView) -> str:
    """The report as one HTML string (plotly.js inlined once, no network needed to open it)."""
    created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    first_plot: list = []
    sections, table = community_sections(view, first_plot)
    body = [
        f"<h1>{escape(view.title)}</h1>",
        f'<p class="muted">Generated by coordgraph on {created}. All times are UTC.</p>',
        _figures(view),
        "<h2>How this was found</h2>",
        "<ul>" + "".join(f"<li>{escape(s)}</li>" for s in describe_params(view.params)) + "</ul>",
    ]
    if view.notes:
        body += ["<h2>Case notes</h2>", f'<pre class="notes">{escape(view.notes)}</pre>']
    if len(table) > 1:
        body += ["<h2>Communities, most suspicious first</h2>",
                 '<p class="muted">Suspicion score: the mean percentile rank of co-shares per account, speed, fast '
                 "share and symmetry (see Definitions).</p>", _ranked(table)]
    if view.comparison is not None:
        from coordgraph.reporting.compare_section import comparison_section

        body.append(comparison_section(view.comparison, view.comparison_labels))
    body += [sections,
             "<h2>Coordinated shares over time</h2>", _timeline(view.timeline, first_plot, view.coshares),
             "<h2>Top shared objects</h2>", _table(view.objects.head(OBJECT_ROWS)),
             f"<h2>Members ({len(view.accounts):,})</h2>", _members(view.accounts),
             "<h2>Definitions</h2>", _definitions()]
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(view.title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>"
    )


def _definitions() -> str:
    items = {**FIGURE_DEFINITIONS, **{k.replace("_", " "): v for k, v in DEFINITIONS.items()}}
    return '<dl class="defs">' + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items.items()) + "</dl>"


def _timeline(timeline: pd.DataFrame, first_plot: list, cs: pd.DataFrame | None = None) -> str:
    """Coordinated shares (distinct posts in co-shares) per hour, from the co-share rows when
    the view has them, else the view's hourly counts."""
    if cs is not None and len(cs):
        ts = pd.to_numeric(coordinated_posts(cs)["ts"], errors="coerce").dropna().astype("int64")
        timeline = (ts // 3600 * 3600).value_counts().sort_index().rename_axis("hour").rename("shares").reset_index()
    if timeline.empty:
        return '<p class="muted">no timestamps available</p>'
    hours = pd.to_datetime(timeline["hour"], unit="s", utc=True)
    fig = go.Figure(go.Bar(x=hours, y=timeline["shares"], marker_color="#0072B2"))
    fig.update_layout(
        height=300, margin=dict(l=40, r=10, t=10, b=40), xaxis_title="hour (UTC)",
        yaxis_title="coordinated shares", template="plotly_white",
    )
    return _plot(fig, first_plot)


def _members(accounts: pd.DataFrame) -> str:
    frame = accounts
    if "strength" in frame.columns:
        frame = frame.sort_values("strength", ascending=False, kind="stable")
    note = ""
    if len(frame) > MEMBER_ROWS:
        note = f'<p class="muted">The {MEMBER_ROWS} strongest of {len(frame):,}; the CSV export has all.</p>'
    return note + _table(frame.head(MEMBER_ROWS))


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return '<p class="muted">none</p>'
    frame = frame.astype(object).where(frame.notna(), None).replace({None: ""})
    return frame.to_html(index=False, border=0, na_rep="", float_format=_float, escape=True)


def _float(v: float) -> str:
    """Up to 3 decimals, thousands separated, never scientific (1,711 not 1.71e+03)."""
    return f"{v:,.3f}".rstrip("0").rstrip(".")
