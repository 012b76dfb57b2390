"""The cytoscape stylesheet and page colours (kept apart from the layout code)."""

STYLESHEET = [
    {"selector": "node", "style": {
        "background-color": "data(color)", "width": "data(diameter)", "height": "data(diameter)",
        "label": "data(label)", "font-size": 9, "color": "#333", "text-valign": "bottom",
        "text-margin-y": 2, "border-width": 0.5, "border-color": "#fff",
        # level of detail: labels appear once they would be readable (>= 7 px on screen)
        "min-zoomed-font-size": 7, "text-background-color": "#fff", "text-background-opacity": 0.7,
        "text-background-padding": 1}},
    {"selector": ".account", "style": {"font-size": 11}},
    {"selector": ".community", "style": {"font-size": 12, "font-weight": "bold", "text-valign": "bottom",
                                         "text-background-opacity": 0,
                                         "color": "#222", "text-outline-color": "#fff", "text-outline-width": 2}},
    {"selector": ".expanded", "style": {
        "background-opacity": 0.07, "border-width": 2, "border-color": "data(color)", "shape": "round-rectangle",
        "text-valign": "top", "color": "#333", "text-outline-width": 0, "padding": 12}},
    # opaque, light colours: semi-transparent wide edges are slow to paint without a GPU
    {"selector": "edge", "style": {"width": "data(width)", "line-color": "#a9a9a9", "curve-style": "haystack"}},
    {"selector": ".link", "style": {"line-color": "#b0b0b0"}},
    {"selector": ".fast", "style": {"line-color": "#e39a6a"}},
    {"selector": ".focus", "style": {"border-width": 3, "border-color": "#000"}},
    {"selector": ".pinned", "style": {"border-width": 2, "border-style": "dashed", "border-color": "#333"}},
    {"selector": ".hidden", "style": {"display": "none"}},
    {"selector": ":selected", "style": {"border-width": 3, "border-color": "#111", "line-color": "#111", "opacity": 1}},
]

PAGE_CSS = {
    "fontFamily": "system-ui, -apple-system, Segoe UI, sans-serif",
    "fontSize": "14px",
    "color": "#222",
    "margin": 0,
}
PANEL = {"border": "1px solid #ddd", "borderRadius": "6px", "padding": "8px 10px", "marginBottom": "8px",
         "background": "#fff"}
