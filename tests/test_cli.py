"""The command line, run as a user would: migrate, demo (twice), create-user, token, export-schema."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.tokens import read_token

ROOT = Path(__file__).parent.parent


@pytest.fixture
def run(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "SECRET_KEY_FILE": str(tmp_path / "secret"),
        "PASSWORD_HASH_PROFILE": "test",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SECRET_KEY", None)

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "server", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    run.secret = lambda: (tmp_path / "secret").read_text().strip()
    return run


def test_demo_loads_once_prints_the_sign_ins_and_tokens_work(run):
    first = run("demo")
    assert "Loaded the City of Cosville demo." in first.stdout
    assert "connor@cosville.example" in first.stdout and "ashley@griefcenter.example" in first.stdout
    second = run("demo")
    assert "already loaded" in second.stdout
    header = run("token", "connor@cosville.example").stdout.strip()
    assert header.startswith("Authorization: Bearer ")
    assert read_token(run.secret(), header.removeprefix("Authorization: Bearer ")).user_id > 0
    assert run("token", "nobody@cosville.example", check=False).returncode != 0


def test_migrate_then_create_user_of_a_new_agency(run):
    assert "up to date" in run("migrate").stdout
    made = run(
        "create-user",
        "--email",
        "pat@newtown.example",
        "--name",
        "Pat Lee",
        "--role",
        "agency-admin",
        "--agency",
        "Newtown Services",
        "--password",
        "long-enough-password",
    )
    assert "Created pat@newtown.example" in made.stdout
    again = run(
        "create-user",
        "--email",
        "pat@newtown.example",
        "--name",
        "Pat Lee",
        "--role",
        "caseworker",
        "--agency",
        "Newtown Services",
        "--password",
        "long-enough-password",
        check=False,
    )
    assert again.returncode != 0
    assert "exists" in again.stderr


def test_export_schema_prints_schema_graphql(run):
    assert run("export-schema").stdout == (ROOT / "schema.graphql").read_text()


@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_serve_refuses_fewer_than_one_worker(run, workers):
    refused = run("serve", "--workers", workers, check=False)
    assert refused.returncode == 2
    assert "--workers: must be a whole number of processes, 1 or more" in refused.stderr


def test_workers_go_with_serving_and_the_help_names_postgresql(run):
    refused = run("demo", "--workers", "2", check=False)
    assert refused.returncode == 2
    assert "--workers goes with --serve" in refused.stderr
    assert "PostgreSQL" in run("serve", "--help").stdout
