"""The framework floor for bench/pages.py: bare Flask + SQLAlchemy reading 25 rows + Jinja.

    DATABASE_URL=... gunicorn -w 1 -k sync bench.floor:app

It does what every Wijkwerk page does at the least — route a request, read a few rows from the
same database through a pooled SQLAlchemy engine, render them into an HTML table with Jinja —
and nothing else (no login, no tenant, no translations, no forms). A page's cost is reported
as a multiple of this one's, measured in the same run on the same machine.
"""
from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Vloer</title></head>
<body><main><h1>Vloer</h1><table><thead><tr><th>id</th><th>naam</th><th>e-mail</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.name }}</td>
<td>{{ row.email }}</td></tr>{% endfor %}</tbody></table></main></body></html>"""


def _url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


app = Flask(__name__)
engine = create_engine(_url(os.environ["DATABASE_URL"]))


@app.get("/")
def floor():
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name, email FROM users ORDER BY id LIMIT 25")).all()
    return render_template_string(PAGE, rows=rows)
