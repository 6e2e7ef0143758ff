"""Benchmark: the report pages on a national data set (issue #13, "Performance").

    BENCH_DATABASE_URL=postgresql://app:...@127.0.0.1/db \\
    BENCH_MIGRATIONS_DATABASE_URL=postgresql://owner:...@127.0.0.1/db \\
        .venv/bin/python bench/national.py [--scale 0.1] [--skip-build]

Builds, in an EMPTY PostgreSQL database (everything in it is dropped), the migrations and the
demo, then a national data set written in bulk as the owner role — 300 tenants, 30,000
participants with a trajectory each, 3,000,000 approved hours over three years, 300,000 help
requests, 200,000 invoices (most paid), quarterly evaluations, 40 municipalities — or `--scale`
of it (the rows per tenant scale, the 300 tenants stay). ONS Breda is the large tenant: ten
times an average tenant's share. Rows are generated inside PostgreSQL (INSERT ... SELECT over
generate_series and unnest, one transaction per tenant with its `app.tenant_id` set, so the
row-level security policies hold on every row written); the report summaries are then counted
per tenant in bulk SQL — the same definitions as `blueprints.reports.summaries.counted` — and
checked against `flask reports rebuild` on a sample tenant. The bulk tables' secondary indexes
and foreign keys are dropped before the load and made again after the summaries (one sort per
index, one join per key, instead of upkeep for every row); the schema afterwards is the one the
migrations made (a build that stops halfway leaves them missing: build again). ANALYZE runs
as the owner. Each phase prints its seconds.

Then it serves the app and the floor (bench/floor.py) each with one sync gunicorn worker and
measures each report page of ONS Breda the way bench/pages.py does (its code, imported): CPU per
request from /proc, the ratio to the floor's CPU, statements per page; and, beside it, the best
single SQL query over the raw rows for the same figures, timed with EXPLAIN ANALYZE. Prints a
Markdown table; results go to bench/RESULTS.md by hand, with the date, the machine and the load.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages  # noqa: E402  (bench/pages.py: building, serving and measuring)
import psycopg  # noqa: E402

FULL = {"participants": 30_000, "hours": 3_000_000, "requests": 300_000,
        "invoices": 200_000}
TENANTS = 300
MUNICIPALITIES = 40
LARGE = pages.SLUG          # ons-breda: ten times an average tenant
LARGE_WEIGHT = 10.0
BREDA = "0758"
BREDA_TENANTS = 9           # bulk tenants that share their reports with Breda
DAYS = 3 * 365
KINDS = ["maatschappelijke_baan", "basisbaan", "leerwerktraject", "vrijwilligerswerk",
         "participatieplaats", "beschut_werk", "dagbesteding"]
#: outcomes of ended trajectories, weighted: about a quarter to work
OUTCOMES = ["betaald_werk"] * 20 + ["zelfstandig"] * 4 + ["opleiding"] * 10 + \
    ["vast_vrijwilligerswerk"] * 22 + ["uitgevallen"] * 24 + ["verhuisd"] * 8 + \
    ["dagbesteding"] * 6 + ["beschut_werk"] * 6
HOUSEHOLDS = ["alleenstaand", "alleenstaande_ouder", "gehuwd", "kostendeler"]
JOB_KINDS = ["boodschappen", "tuin", "schutting", "klein_onderhoud", "schoonmaak",
             "gezelschap", "overig"]


#: seconds spent per table written (the phases of the build), printed after the rows
PHASES: dict[str, float] = {}


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- the data set ------------------------------------------------------------------------------

def _enum_values(conn, table: str, column: str) -> list[str]:
    """The values a CHECK constraint allows (the enums are VARCHAR with a CHECK)."""
    row = conn.execute(
        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t "
        "ON t.oid = c.conrelid WHERE t.relname = %s AND c.contype = 'c' "
        "AND pg_get_constraintdef(c.oid) LIKE %s", (table, f"%{column}%")).fetchone()
    return [v for v in row[0].split("'")[1::2]] if row else []


def build_national(owner_url: str, scale: float, seed: int = 13) -> dict:
    rng = random.Random(seed)
    today = date.today()
    counts: dict[str, int] = {}
    with psycopg.connect(libpq(owner_url), autocommit=False) as conn:
        _bulk_session(conn)
        global HOUSEHOLDS, JOB_KINDS
        HOUSEHOLDS = _enum_values(conn, "participants", "household_type") or HOUSEHOLDS
        JOB_KINDS = _enum_values(conn, "help_requests", "kind") or JOB_KINDS
        existing = conn.execute("SELECT count(*) FROM municipalities").fetchone()[0]
        conn.execute(
            "INSERT INTO municipalities (id, cbs_code, name) SELECT 7000000000 + g, "
            "lpad((5000 + g)::text, 4, '0'), 'Gemeente ' || g FROM generate_series(1, %s) g",
            (max(0, MUNICIPALITIES - existing),))
        municipalities = [r[0] for r in conn.execute("SELECT id FROM municipalities ORDER BY id")]
        breda = conn.execute("SELECT id FROM municipalities WHERE cbs_code = %s",
                             (BREDA,)).fetchone()[0]
        have = conn.execute("SELECT count(*) FROM tenants").fetchone()[0]
        new = max(0, TENANTS - have)
        conn.execute(
            "INSERT INTO tenants (id, slug, name, kind, plan, status, created_at, "
            "hours_need_approval, subscription_monthly_cents, failed_payments, municipality_id) "
            "SELECT 8000000000 + g, 'nl-' || lpad(g::text, 3, '0'), 'Coöperatie ' || g, "
            "'bewonersinitiatief', 'basis', 'active', now(), true, 0, 0, "
            "(%s::bigint[])[1 + g %% %s] FROM generate_series(1, %s) g",
            (municipalities, len(municipalities), new))
        conn.execute("UPDATE tenants SET municipality_id = %s WHERE slug IN ("
                     + ",".join(f"'nl-{n:03d}'" for n in range(1, BREDA_TENANTS + 1)) + ")",
                     (breda,))
        tenants = conn.execute("SELECT id, slug, municipality_id FROM tenants ORDER BY slug"
                               ).fetchall()
        conn.commit()
        weights = {slug: (LARGE_WEIGHT if slug == LARGE else rng.uniform(0.3, 1.7))
                   for _id, slug, _m in tenants}
        total = sum(weights.values())
        for number, (tenant_id, slug, municipality_id) in enumerate(tenants):
            share = weights[slug] / total
            n = {k: max(1, round(v * scale * share)) for k, v in FULL.items()}
            _tenant(conn, tenant_id, number, slug, municipality_id, n, rng, today, counts,
                    share_with=breda if slug.startswith("nl-") and int(slug[3:]) <= BREDA_TENANTS
                    else None)
            conn.commit()
    return counts


def _bulk_session(conn) -> None:
    """A writing session of the build: a commit need not wait for the WAL flush (a crash loses
    the last transactions of a benchmark data set, nothing else), sorts in memory."""
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET work_mem = '64MB'")
    conn.commit()


def _set_tenant(conn, tenant_id: int) -> None:
    conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))


def _tenant(conn, tenant_id, number, slug, municipality_id, n, rng, today, counts,
            share_with=None) -> None:
    """One tenant's bulk rows, in one transaction under its own `app.tenant_id`."""
    _set_tenant(conn, tenant_id)
    base = 10_000_000_000 * (number + 1)  # ids of this tenant's bulk rows: never a new_id()
    user = conn.execute("SELECT min(user_id) FROM memberships").fetchone()[0]

    def run(label, sql, params):
        t = time.perf_counter()
        cur = conn.execute(sql, params)
        counts[label] = counts.get(label, 0) + max(cur.rowcount, 0)
        PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - t

    run("neighbourhoods", "INSERT INTO neighbourhoods (tenant_id, id, name) SELECT %s, %s + g, "
        "'Bench-wijk ' || g FROM generate_series(1, 4) g", (tenant_id, base))
    run("host_organisations", "INSERT INTO host_organisations (tenant_id, id, name, kind, "
        "vog_required, insurance_covered, created_at) SELECT %s, %s + g, 'Inzetplek ' || g, "
        "'buurthuis', false, true, now() FROM generate_series(1, 3) g", (tenant_id, base))
    # the owner role reads every tenant's rows (the aggregate_reader policies): name the tenant
    wijken = [r[0] for r in conn.execute(
        "SELECT id FROM neighbourhoods WHERE tenant_id = %s ORDER BY id", (tenant_id,))]
    hosts = [r[0] for r in conn.execute(
        "SELECT id FROM host_organisations WHERE tenant_id = %s ORDER BY id", (tenant_id,))]
    # participants and their trajectories, drawn here (30,000 at full size) and sent as arrays
    people = []
    for g in range(1, n["participants"] + 1):
        started = today - timedelta(days=rng.randint(14, DAYS))
        ends = started + timedelta(days=rng.randint(120, 720))
        ended = ends < today - timedelta(days=7)
        people.append((base + 100_000 + g, started, ends if ended else None,
                       rng.choice(OUTCOMES) if ended else None, rng.choice(KINDS),
                       rng.randint(8, 32), rng.choice(HOUSEHOLDS), rng.choice(wijken),
                       rng.choice(hosts)))
    cols = list(zip(*people))
    run("participants",
        "INSERT INTO participants (tenant_id, id, first_name, last_name, sort_name, city, "
        "neighbourhood_id, date_of_birth, household_type, is_refugee_permit_holder, "
        "has_work_limitation, benefit, paying_municipality_id, skills, languages, "
        "available_days, vog_present, status, created_at) "
        "SELECT %s, p.id, 'Deelnemer', 'Bench ' || p.id, 'bench ' || p.id, 'Plaats', p.wijk, "
        "date '1965-01-01' + (p.id %% 12000)::int, p.household, p.id %% 5 = 0, p.id %% 7 = 0, "
        "'bijstand', %s, '[]', '[\"Nederlands\"]', '[]', false, "
        "CASE WHEN p.ends IS NULL THEN 'actief' ELSE 'afgerond' END, p.started - 14 "
        "FROM unnest(%s::bigint[], %s::date[], %s::date[], %s::text[], %s::bigint[]) "
        "AS p(id, started, ends, household, wijk)",
        (tenant_id, municipality_id, list(cols[0]), list(cols[1]), list(cols[2]),
         list(cols[6]), list(cols[7])))
    run("trajectories",
        "INSERT INTO trajectories (tenant_id, id, participant_id, kind, host_organisation_id, "
        "job_coach_id, starts_on, planned_end_on, hours_per_week, build_up, funding, status, "
        "agreement_signed_on, outcome, outcome_on, created_at) "
        "SELECT %s, p.id + 1000000, p.id, p.kind, p.host, %s, p.started, p.started + 365, "
        "p.hours, '[]', 'gemeentelijk_contract', "
        "CASE WHEN p.ends IS NULL THEN 'actief' ELSE 'afgerond' END, p.started - 3, "
        "p.outcome, p.ends, p.started - 7 "
        "FROM unnest(%s::bigint[], %s::date[], %s::date[], %s::text[], %s::text[], %s::int[], "
        "%s::bigint[]) AS p(id, started, ends, outcome, kind, hours, host)",
        (tenant_id, user, list(cols[0]), list(cols[1]), list(cols[2]), list(cols[3]),
         list(cols[4]), list(cols[5]), list(cols[8])))
    # approved hours: every `step` days of each trajectory's span, so the tenant gets its share
    span = sum(((e or today) - s).days for _i, s, e, *_r in people)
    step = max(span / n["hours"], 0.2)
    run("time_entries",
        "INSERT INTO time_entries (tenant_id, id, participant_id, trajectory_id, work_date, "
        "minutes, hour_type, status, submitted_by_id, submitted_at, reviewed_by_id, "
        "reviewed_at, version) "
        "SELECT t.tenant_id, t.id * 10000 + i, t.participant_id, t.id, "
        "t.starts_on + floor(i * %(step)s)::int, 60 + 60 * ((t.id + i) %% 3), "
        "CASE WHEN i %% 9 = 0 THEN 'scholing' WHEN t.kind = 'vrijwilligerswerk' "
        "THEN 'vrijwilligerswerk' ELSE 'traject' END, 'goedgekeurd', %(user)s, "
        "t.starts_on + floor(i * %(step)s)::int, %(user)s, "
        "t.starts_on + floor(i * %(step)s)::int + 2, 1 "
        "FROM trajectories t, generate_series(0, floor((coalesce(t.outcome_on, %(today)s) "
        "- t.starts_on - 1) / %(step)s)::int) i "
        "WHERE t.tenant_id = %(t)s AND t.id BETWEEN %(base)s AND %(base)s + 9999999999",
        {"step": step, "user": user, "today": today, "base": base, "t": tenant_id})
    run("evaluations",
        "INSERT INTO evaluations (tenant_id, id, trajectory_id, planned_on, held_on, ladder_step,"
        " summary, recorded_by_id) SELECT t.tenant_id, t.id * 100 + q, t.id, t.starts_on + 91 * q,"
        " t.starts_on + 91 * q, least(6, 1 + (t.id %% 3)::int + q / 2), 'Evaluatie', %s "
        "FROM trajectories t, generate_series(1, (coalesce(t.outcome_on, %s) - t.starts_on) / 91)"
        " q WHERE t.tenant_id = %s AND t.id BETWEEN %s AND %s",
        (user, today, tenant_id, base, base + 9_999_999_999))
    run("help_requests",
        "INSERT INTO help_requests (tenant_id, id, reference, requester_name, city, "
        "neighbourhood_id, kind, description, source, payer, price_agreement, needs_vog, status,"
        " planned_on, done_on, created_at) "
        "SELECT %(t)s, %(base)s + 5000000 + g, 'B' || g, 'Bewoner ' || g, 'Plaats', "
        "(%(wijken)s::bigint[])[1 + g %% %(nw)s], (%(kinds)s::text[])[1 + g %% %(nk)s], "
        "'Een klus', 'telefoon', 'niemand', 'gratis', false, "
        "CASE WHEN g %% 20 = 0 THEN 'afgewezen' WHEN d > %(today)s - 14 THEN 'nieuw' "
        "ELSE 'uitgevoerd' END, CASE WHEN d <= %(today)s - 14 THEN d END, "
        "CASE WHEN d <= %(today)s - 14 AND g %% 20 <> 0 THEN d END, d - 7 "
        "FROM generate_series(1, %(n)s) g, "
        "LATERAL (SELECT %(today)s - %(days)s + (g::bigint * %(days)s / %(n)s)::int AS d) x",
        {"t": tenant_id, "base": base, "wijken": wijken, "nw": len(wijken),
         "kinds": JOB_KINDS, "nk": len(JOB_KINDS), "today": today, "n": n["requests"],
         "days": DAYS})
    run("customers", "INSERT INTO customers (tenant_id, id, kind, name, country_code, "
        "wants_ubl, created_at) SELECT %s, %s + 6000000 + g, 'gemeente', 'Klant ' || g, 'NL', "
        "false, now() "
        "FROM generate_series(1, 20) g", (tenant_id, base))
    run("invoices",
        "INSERT INTO invoices (tenant_id, id, kind, status, customer_id, series, year, number, "
        "number_text, issue_date, due_date, total_excl_cents, total_vat_cents, total_incl_cents,"
        " paid_cents, credited_cents, allowance_cents, created_at) "
        "SELECT %(t)s, %(base)s + 7000000 + g, 'factuur', "
        "CASE WHEN d < %(today)s - 45 THEN 'betaald' ELSE 'verzonden' END, "
        "%(base)s + 6000000 + 1 + g %% 20, 'B', extract(year FROM d)::int, g, 'B-' || g, d, "
        "d + 30, c, c * 21 / 100, c + c * 21 / 100, "
        "CASE WHEN d < %(today)s - 45 THEN c + c * 21 / 100 ELSE 0 END, 0, 0, d "
        "FROM generate_series(1, %(n)s) g, LATERAL (SELECT %(today)s - %(days)s "
        "+ (g::bigint * %(days)s / %(n)s)::int AS d, 5000 + (g * 7919) %% 145000 AS c) x",
        {"t": tenant_id, "base": base, "today": today, "n": n["invoices"], "days": DAYS})
    run("payments",
        "INSERT INTO payments (tenant_id, id, invoice_id, paid_on, amount_cents, method, "
        "idempotency_key, created_by_id, created_at, refunded_cents) "
        "SELECT tenant_id, id + 100000000, id, issue_date + 10 + (id %% 30)::int, "
        "total_incl_cents, 'overboeking', 'bench:' || id, %s, issue_date + 10, 0 "
        "FROM invoices WHERE tenant_id = %s AND id BETWEEN %s AND %s AND status = 'betaald'",
        (user, tenant_id, base, base + 9_999_999_999))
    if share_with is not None:
        from blueprints.reports.models import SHARE_TEMPLATES

        for k, template in enumerate(SHARE_TEMPLATES):
            run("report_shares", "INSERT INTO report_shares (tenant_id, id, municipality_id, "
                "template, from_month, granted_at) VALUES (%s, %s, %s, %s, %s, now())",
                (tenant_id, base + 8000000 + k, share_with, template,
                 date(today.year - 1, 1, 1)))


#: the summaries as `blueprints.reports.summaries.counted` defines them, in bulk SQL
SUMMARY_TABLES = ["report_hours_daily", "report_hours_monthly", "report_outflow_daily",
                  "report_money_daily", "report_hours_places_daily"]
SUMMARY_SQL = [
    """INSERT INTO report_hours_daily (tenant_id, id, day, hour_type, minutes)
       SELECT %(t)s, %(base)s + row_number() OVER (), work_date, hour_type, sum(minutes)
       FROM time_entries WHERE tenant_id = %(t)s AND status = 'goedgekeurd'
       GROUP BY work_date, hour_type
       HAVING sum(minutes) <> 0""",
    """INSERT INTO report_hours_monthly (tenant_id, id, month, hour_type, participant_id, minutes)
       SELECT %(t)s, %(base)s + 10000000 + row_number() OVER (),
              date_trunc('month', work_date)::date, hour_type, participant_id, sum(minutes)
       FROM time_entries WHERE tenant_id = %(t)s AND status = 'goedgekeurd'
       GROUP BY 3, hour_type, participant_id HAVING sum(minutes) <> 0""",
    """INSERT INTO report_outflow_daily (tenant_id, id, day, kind, outcome, trajectories)
       SELECT %(t)s, %(base)s + 20000000 + row_number() OVER (), outcome_on, kind, outcome,
              count(*)
       FROM trajectories WHERE tenant_id = %(t)s AND status = 'afgerond'
       GROUP BY outcome_on, kind, outcome""",
    """INSERT INTO report_money_daily (tenant_id, id, day, invoiced_cents, credited_cents,
                                       paid_cents)
       SELECT %(t)s, %(base)s + 30000000 + row_number() OVER (), day, sum(i), sum(c), sum(p)
       FROM (SELECT issue_date AS day,
                    CASE WHEN kind = 'factuur' THEN total_excl_cents ELSE 0 END AS i,
                    CASE WHEN kind = 'factuur' THEN 0 ELSE total_excl_cents END AS c, 0 AS p
             FROM invoices WHERE tenant_id = %(t)s AND number IS NOT NULL
             UNION ALL SELECT paid_on, 0, 0, amount_cents FROM payments WHERE tenant_id = %(t)s) m
       GROUP BY day HAVING sum(i) <> 0 OR sum(c) <> 0 OR sum(p) <> 0""",
    # per day, hour type and place as it is now (0: none), with the number of entries
    """INSERT INTO report_hours_places_daily (tenant_id, id, day, hour_type, wijk_id, host_id,
                                              minutes, entries)
       SELECT %(t)s, %(base)s + 40000000 + row_number() OVER (), e.work_date, e.hour_type,
              coalesce(h.neighbourhood_id, p.neighbourhood_id, 0),
              coalesce(tr.host_organisation_id, 0), sum(e.minutes), count(*)
       FROM time_entries e
       JOIN participants p ON p.tenant_id = e.tenant_id AND p.id = e.participant_id
       LEFT JOIN help_requests h ON h.tenant_id = e.tenant_id AND h.id = e.help_request_id
       LEFT JOIN trajectories tr ON tr.tenant_id = e.tenant_id AND tr.id = e.trajectory_id
       WHERE e.tenant_id = %(t)s AND e.status = 'goedgekeurd'
       GROUP BY e.work_date, e.hour_type, 5, 6""",
]


#: the tables the bulk load writes most rows to: their secondary indexes and foreign keys are
#: dropped before the load and made again after it (one sort per index, one join per key,
#: instead of maintaining seven indexes and checking five keys for each of 3,000,000 rows)
BULK_TABLES = ["participants", "trajectories", "time_entries", "evaluations", "help_requests",
               "customers", "invoices", "payments", "report_hours_daily",
               "report_hours_monthly", "report_outflow_daily", "report_money_daily"]


def drop_secondary(owner_url: str) -> list[str]:
    """Drop the foreign keys and every index but the primary key of BULK_TABLES (as the owner);
    return the statements that make them again, in order: the indexes, then the keys."""
    with psycopg.connect(libpq(owner_url)) as conn:
        tables = [f"public.{t}" for t in BULK_TABLES]
        keys = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2", (tables,)).fetchall()
        # unique constraints are made again as constraints; other indexes with their own DDL
        unique = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'u' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2", (tables,)).fetchall()
        indexes = conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            (tables,)).fetchall()
        # nothing outside BULK_TABLES may lean on an index dropped here (all point at primary keys)
        leaning = conn.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid "
            "WHERE c.contype = 'f' AND i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary",
            (tables,)).fetchone()[0]
        if leaning:
            raise SystemExit("a foreign key points at a non-primary index of the bulk tables")
        for table, name, _d in keys + unique:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _d in indexes:
            conn.execute(f"DROP INDEX {name}")
        conn.commit()
    return ([f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in unique]
            + [d for _n, d in indexes]
            + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in keys])


def restore_secondary(owner_url: str, statements: list[str]) -> None:
    """Make the indexes and foreign keys again, with room for the sorts. PostgreSQL checks a new
    foreign key over all rows with one join, as the table's owner — under FORCE ROW LEVEL
    SECURITY that join would see only the rows the owner's policies show (none of a tenant's
    participants without `app.tenant_id`) and report keys as missing. So the keys are added in
    one transaction in which the tables do not force RLS on their owner, forced again before it
    commits: no other session ever sees them unforced."""
    with psycopg.connect(libpq(owner_url), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET work_mem = '64MB'")
        for sql in statements:
            if "FOREIGN KEY" not in sql:
                t = time.perf_counter()
                conn.execute(sql)
                PHASES["indexes"] = PHASES.get("indexes", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        forced = [r[0] for r in conn.execute(
            "SELECT oid::regclass::text FROM pg_class WHERE relforcerowsecurity "
            "AND relnamespace = 'public'::regnamespace ORDER BY 1")]
        with conn.transaction():
            for table in forced:
                conn.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            for sql in statements:
                if "FOREIGN KEY" in sql:
                    conn.execute(sql)
            for table in forced:
                conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        PHASES["foreign keys"] = time.perf_counter() - t


def build_summaries(owner_url: str) -> None:
    """Every tenant's summaries, counted from the raw rows in bulk SQL (one transaction per
    tenant, under its `app.tenant_id`). The demo's summaries go first, all at once: TRUNCATE
    by the owner (a DELETE per tenant would look for that tenant's rows in ever larger tables)."""
    with psycopg.connect(libpq(owner_url)) as conn:
        _bulk_session(conn)
        conn.execute("TRUNCATE " + ", ".join(SUMMARY_TABLES))
        tenants = [r[0] for r in conn.execute("SELECT id FROM tenants ORDER BY id")]
        conn.commit()
        for number, tenant_id in enumerate(tenants):
            _set_tenant(conn, tenant_id)
            for sql in SUMMARY_SQL:
                t = time.perf_counter()
                conn.execute(sql, {"t": tenant_id, "base": 9_000_000_000_000 + number
                                   * 100_000_000})
                label = "summary " + sql.split()[2]
                PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - t
            conn.commit()


def verify(url: str, slug: str) -> str:
    """The bulk summaries of tenant `slug` equal what `flask reports rebuild` writes."""
    def stored():
        code = ("import sys, json; from app import create_app; from tenants.config import "
                "load_config; from tenants.extensions import db; from sqlalchemy import select;"
                "from tenants.models import Tenant; from tenants.tenancy import tenant_context;"
                "from blueprints.reports import summaries\n"
                f"app = create_app(load_config('development', env={pages._env(url, None)!r}))\n"
                "with app.app_context():\n"
                f"    t = db.session.scalar(select(Tenant).where(Tenant.slug == {slug!r}))\n"
                "    with tenant_context(db.session, t.id):\n"
                "        s = summaries.stored(db.session)\n"
                "    print(json.dumps(sorted((m.__tablename__, repr(k), repr(v)) for m, rows in "
                "s.items() for k, v in rows.items())))\n")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, env=pages._env(url, None), check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    bulk = stored()
    pages._flask(pages._env(url, None), "reports", "rebuild", "--tenant", slug)
    rebuilt = stored()
    if bulk != rebuilt:
        raise SystemExit(f"bulk summaries of {slug} differ from `flask reports rebuild`: "
                         f"{len(bulk)} rows vs {len(rebuilt)}")
    return f"{slug}: {len(bulk):,} summary rows, equal to `flask reports rebuild`"


def analyze(owner_url: str) -> None:
    with psycopg.connect(libpq(owner_url), autocommit=True) as conn:
        conn.execute("ANALYZE")


# --- the pages and their best single SQL query -------------------------------------------------

def report_pages(today: date) -> list[tuple[str, str]]:
    t, year = f"/{LARGE}", today.year - 1
    q = f"periode=kwartaal&jaar={year}&kwartaal=4"
    return [
        ("report: year", f"{t}/rapportage?periode=jaar&jaar={year}&vergelijk=vorig_jaar"),
        ("report: quarter", f"{t}/rapportage?{q}&vergelijk=vorig_jaar"),
        ("report: hours drill-down", f"{t}/rapportage/uren?{q}"),
        ("report: outflow drill-down", f"{t}/rapportage/uitstroom?periode=jaar&jaar={year}"),
        ("report: value", f"{t}/rapportage/waarde"),
        ("municipality portal", f"/gemeente/{BREDA}/"),
    ]


def _report_sql(start: date, end: date, before: tuple[date, date]) -> str:
    """Every figure of the report over the raw rows, the period and its comparison, one
    statement."""
    periods = [(start, end), before]
    cols = []
    for i, (a, b) in enumerate(periods):
        a, b = f"date '{a}'", f"date '{b}'"
        running = (f"status <> 'intake' AND starts_on <= {b} AND (outcome_on IS NULL OR "
                   f"outcome_on >= {a})")
        cols += [
            f"(SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) n FROM trajectories "
            f"WHERE {running} GROUP BY kind) x) AS running_{i}",
            f"(SELECT count(DISTINCT participant_id) FROM trajectories WHERE {running}) "
            f"AS active_{i}",
            f"(SELECT count(*) FROM trajectories WHERE starts_on BETWEEN {a} AND {b}) "
            f"AS started_{i}",
            f"(SELECT json_object_agg(hour_type, m) FROM (SELECT hour_type, sum(minutes) m "
            f"FROM time_entries WHERE status = 'goedgekeurd' AND work_date BETWEEN {a} AND {b} "
            f"GROUP BY hour_type) x) AS hours_{i}",
            f"(SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) n FROM help_requests "
            f"WHERE status IN ('uitgevoerd', 'gefactureerd') AND done_on BETWEEN {a} AND {b} "
            f"GROUP BY kind) x) AS requests_{i}",
            f"(SELECT json_object_agg(outcome, n) FROM (SELECT outcome, count(*) n FROM "
            f"trajectories WHERE status = 'afgerond' AND outcome_on BETWEEN {a} AND {b} "
            f"GROUP BY outcome) x) AS outflow_{i}",
            f"(SELECT sum(total_excl_cents) FROM invoices WHERE number IS NOT NULL AND "
            f"issue_date BETWEEN {a} AND {b}) AS invoiced_{i}",
            f"(SELECT sum(amount_cents) FROM payments WHERE paid_on BETWEEN {a} AND {b}) "
            f"AS paid_{i}",
        ]
    return "SELECT " + ",\n".join(cols)


def best_sql(today: date, breda_tenants: list[int]) -> dict[str, str]:
    year = today.year - 1
    q_start, q_end = date(year, 10, 1), date(year, 12, 31)
    y_start, y_end = date(year, 1, 1), date(year, 12, 31)
    twelve = today - timedelta(days=365)
    ids = ",".join(str(i) for i in breda_tenants)
    return {
        "report: year": _report_sql(y_start, y_end, (date(year - 1, 1, 1), date(year - 1, 12, 31))),
        "report: quarter": _report_sql(q_start, q_end, (date(year - 1, 10, 1),
                                                         date(year - 1, 12, 31))),
        "report: hours drill-down": (
            "SELECT e.work_date, p.first_name, p.last_name, e.hour_type, e.minutes "
            "FROM time_entries e JOIN participants p ON p.tenant_id = e.tenant_id "
            "AND p.id = e.participant_id WHERE e.status = 'goedgekeurd' AND e.work_date "
            f"BETWEEN date '{q_start}' AND date '{q_end}' ORDER BY e.work_date, p.last_name "
            "LIMIT 100"),
        "report: outflow drill-down": (
            "SELECT t.outcome_on, p.first_name, p.last_name, t.kind, t.outcome "
            "FROM trajectories t JOIN participants p ON p.tenant_id = t.tenant_id "
            "AND p.id = t.participant_id WHERE t.status = 'afgerond' AND t.outcome_on "
            f"BETWEEN date '{y_start}' AND date '{y_end}' ORDER BY t.outcome_on LIMIT 100"),
        "report: value": (
            "SELECT p.household_type, count(*), sum(least(date "
            f"'{today}', t.outcome_on + 365) - greatest(t.outcome_on, date '{twelve}')), "
            "count(f.id) FILTER (WHERE f.still_off_benefit) FROM trajectories t "
            "JOIN participants p ON p.tenant_id = t.tenant_id AND p.id = t.participant_id "
            "LEFT JOIN report_outflow_followups f ON f.tenant_id = t.tenant_id "
            "AND f.trajectory_id = t.id WHERE t.status = 'afgerond' AND t.outcome IN "
            f"('betaald_werk', 'zelfstandig') AND t.outcome_on >= date '{twelve}' - 365 "
            "GROUP BY p.household_type"),
        "municipality portal": (
            "SELECT e.tenant_id, date_trunc('quarter', e.work_date), sum(e.minutes), "
            "count(DISTINCT e.participant_id) FROM time_entries e "
            f"WHERE e.tenant_id IN ({ids}) AND e.status = 'goedgekeurd' "
            f"AND e.work_date >= date '{date(today.year - 1, 1, 1)}' GROUP BY 1, 2"),
    }


def explain(owner_url: str, url: str, tenant_id: int, sql: str, cross_tenant: bool) -> float:
    """Execution + planning time (ms) of `sql`, the median of three EXPLAIN ANALYZE runs; in the
    tenant's transaction (the app role, RLS on), or as the owner for a cross-tenant read (the
    municipality's: in the app through tenants/aggregates.py)."""
    times = []
    with psycopg.connect(libpq(owner_url if cross_tenant else url)) as conn:
        for _ in range(3):
            _set_tenant(conn, tenant_id)
            plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).fetchone()[0][0]
            times.append(plan["Execution Time"] + plan["Planning Time"])
            conn.rollback()
    return sorted(times)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--skip-build", action="store_true",
                        help="measure the data set already in the database")
    parser.add_argument("--skip-demo", action="store_true",
                        help="the database already has the migrations and the demo, nothing else")
    parser.add_argument("--build-only", action="store_true",
                        help="build the data set and verify its summaries, measure nothing")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--block", type=int, default=10, help="requests per measurement")
    parser.add_argument("--verify", default="nl-001", help="the tenant whose bulk summaries are "
                        "compared with `flask reports rebuild`")
    args = parser.parse_args()
    url = os.environ["BENCH_DATABASE_URL"]
    owner = os.environ["BENCH_MIGRATIONS_DATABASE_URL"]
    today = date.today()
    print(f"# bench/national.py --scale {args.scale} — {datetime.now():%d-%m-%Y %H:%M}, "
          f"{os.cpu_count()} cores, {pages.platform_line()}, load {os.getloadavg()[0]:.1f}")
    if not args.skip_build:
        started = time.perf_counter()
        if not args.skip_demo:
            pages.reset_postgres(url, owner)
            pages._flask(pages._env(url, owner), "db", "upgrade")
            pages._flask(pages._env(url, None), "seed-demo")
            print(f"  migrations and demo: {time.perf_counter() - started:.0f} s")
        t = time.perf_counter()
        restore = drop_secondary(owner)
        print(f"  {len(restore)} secondary indexes and foreign keys dropped in "
              f"{time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        counts = build_national(owner, args.scale)
        print(f"  national rows in {time.perf_counter() - t:.0f} s: "
              + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
        print("  per table: " + ", ".join(f"{k} {s:.0f} s" for k, s in PHASES.items()))
        t = time.perf_counter()
        build_summaries(owner)
        print(f"  summaries in {time.perf_counter() - t:.0f} s: " + ", ".join(
            f"{k[8:]} {s:.0f} s" for k, s in PHASES.items() if k.startswith("summary ")))
        t = time.perf_counter()
        restore_secondary(owner, restore)
        print(f"  indexes and foreign keys made again in {time.perf_counter() - t:.0f} s "
              f"(indexes {PHASES['indexes']:.0f} s, foreign keys {PHASES['foreign keys']:.0f} s)")
        t = time.perf_counter()
        analyze(owner)
        print(f"  ANALYZE in {time.perf_counter() - t:.0f} s; "
              f"data set built in {time.perf_counter() - started:.0f} s "
              f"({(time.perf_counter() - started) / 60:.1f} min), load {os.getloadavg()[0]:.1f}")
        t = time.perf_counter()
        print("  " + verify(url, args.verify) + f" ({time.perf_counter() - t:.0f} s)")
    if args.build_only:
        return
    with psycopg.connect(libpq(owner)) as conn:
        large = conn.execute("SELECT id FROM tenants WHERE slug = %s", (LARGE,)).fetchone()[0]
        breda = [r[0] for r in conn.execute(
            "SELECT t.id FROM tenants t JOIN municipalities m ON m.id = t.municipality_id "
            "WHERE m.cbs_code = %s", (BREDA,))]
        _set_tenant(conn, large)
        size = conn.execute("SELECT (SELECT count(*) FROM participants), (SELECT count(*) FROM "
                            "time_entries)").fetchone()
    print(f"  {LARGE}: {size[0]:,} participants, {size[1]:,} time entries")
    report = report_pages(today)
    counts = pages.statements(url, report)
    result = pages.measure(url, report, args.rounds, args.block)
    floor = result.pop("floor")
    sql = best_sql(today, breda)
    print(f"\n| page (ONS Breda, --scale {args.scale}) | CPU ms/request | × floor | statements "
          "| HTML KB | best single SQL, ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| floor (bench/floor.py) | {floor:.1f} | 1.0 | 1 | | |")
    for label, _path in report:
        r = result[label]
        best = explain(owner, url, large, sql[label], label.startswith("municipality"))
        print(f"| {label} | {r['cpu']:.1f} | {r['cpu'] / floor:.1f}"
              f"{' ⚠' if r['cpu'] > 4 * floor else ''} | {counts[label]} | "
              f"{r['html'] / 1024:.0f} | {best:.1f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
