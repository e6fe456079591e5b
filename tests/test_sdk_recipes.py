"""The recipes of docs/sdk.md, run as written against a real server."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import hushbook
from support.sdk import live_environment, owner_client
from support.tenants import vault_passphrase

pytestmark = pytest.mark.system

DOC = Path(__file__).resolve().parents[1] / "docs" / "sdk.md"
BERLIN = ZoneInfo("Europe/Berlin")


def recipe(name: str) -> str:
    blocks = re.findall(r"```python\n(# recipe: ([\w-]+)\n.*?)```", DOC.read_text(), re.S)
    found = [code for code, label in blocks if label == name]
    assert len(found) == 1, f"recipe {name!r} not in docs/sdk.md"
    return found[0]


@pytest.fixture(scope="module")
def live(tmp_path_factory, migrated_template):
    with live_environment(tmp_path_factory.mktemp("sdk-recipes"), migrated_template) as env:
        yield env


@pytest.fixture(scope="module")
def salon(live):
    t = live.make_tenant("salon-recipes")
    return t, owner_client(live, t)


def run_recipe(name, salon, tmp_path, monkeypatch, capsys) -> str:
    t, client = salon
    monkeypatch.chdir(tmp_path)
    exec(  # noqa: S102 - the documented code, run as a reader would
        compile(recipe(name), f"docs/sdk.md:{name}", "exec"),
        {"client": client, "hushbook": hushbook, "PASSPHRASE": vault_passphrase(t.owner.staff)},
    )
    return capsys.readouterr().out


def test_import_clients_from_csv(salon, tmp_path, monkeypatch, capsys):
    t, client = salon
    (tmp_path / "clients.csv").write_text(
        "name,email,phone\n"
        "Greta Grün,greta@example.org,0170 1234567\n"
        "Otto Ohnemail,,+49 171 5550000\n"
        "Kaputt,not-an-address,\n"
        "Greta again,greta@example.org,\n",
        encoding="utf-8",
    )
    out = run_recipe("import-csv", salon, tmp_path, monkeypatch, capsys)
    assert "2 imported, 2 skipped" in out and "not imported: {'email'" in out
    names = {c.profile["name"] for c in client.clients.list()}
    assert names == {"Greta Grün", "Otto Ohnemail"}
    assert client.clients.lookup(phone="0170/123 45 67").profile["name"] == "Greta Grün"
    out = run_recipe("import-csv", salon, tmp_path, monkeypatch, capsys)  # again: idempotent
    assert "0 imported, 4 skipped" in out


def test_todays_appointments_of_one_team_member(salon, tmp_path, monkeypatch, capsys):
    t, client = salon
    sam = client.staff.create("sam@example.test", "Sam", "staff")
    kim = client.staff.create("kim@example.test", "Kim", "staff")
    week = [{"weekday": d, "start": "00:00", "end": "23:45"} for d in range(7)]
    for member in (sam, kim):
        client.working_hours.set(member, week)
    cut = client.services.create("Cut", 30, [sam, kim])
    today = datetime.now(BERLIN).date()
    at = lambda day, hour: datetime.combine(day, time(hour), BERLIN)  # noqa: E731
    client.appointments.create(cut, sam, at(today, 8), new_client={"name": "Anna Früh"})
    client.appointments.create(cut, sam, at(today, 16), allow_outside_hours=True)
    client.appointments.create(cut, kim, at(today, 9), new_client={"name": "Not Sam's"})
    client.appointments.create(
        cut, sam, at(today + timedelta(days=1), 9), new_client={"name": "Tomorrow"}
    )
    out = run_recipe("today", salon, tmp_path, monkeypatch, capsys)
    assert out.splitlines() == ["08:00  confirmed  Anna Früh", "16:00  confirmed  —"]


def test_export_then_erase_a_client(live, salon, tmp_path, monkeypatch, capsys):
    t, client = salon
    client.tenant.publish_privacy_notice("de", "Wir verarbeiten Ihre Daten nur für den Termin.")
    greta = client.clients.lookup(email="greta@example.org") or client.clients.create(
        {"name": "Greta Grün", "email": "greta@example.org"},
        contacts={"email": "greta@example.org"},
    )
    out = run_recipe("export-erase", salon, tmp_path, monkeypatch, capsys)
    assert f"exported and erased client {greta.id}" in out
    exported = json.loads((tmp_path / f"client-{greta.id}.json").read_text(encoding="utf-8"))
    assert exported["client"]["profile"]["name"] == "Greta Grün"
    assert "sealed_profile" not in exported["client"] and exported["figures"]["visits"] == 0
    with pytest.raises(hushbook.NotFound):
        client.clients.get(greta.id)
    assert client.clients.lookup(email="greta@example.org") is None
