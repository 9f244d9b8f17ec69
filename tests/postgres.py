"""A private PostgreSQL server for the test session: Debian's ``postgresql`` package, its data
folder and unix socket in a temporary folder, no TCP port; each test gets a fresh database."""

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg


class PostgresServer:
    """``initdb`` + ``pg_ctl start`` in a folder of its own; as root, run as ``postgres``
    (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            raise RuntimeError("PostgreSQL não instalado: apt-get install postgresql")
        self.bin = Path(binaries[-1]).parent
        # Not under pytest's tmp_path: the postgres user must be able to reach the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="retencao-pg-"))
        self.data = self.folder / "data"
        self._as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_owner:
            shutil.chown(self.folder, "postgres")
        self._names = itertools.count(1)

    def start(self, fsync: bool = False) -> None:
        """Create the cluster and start it (tests need no fsync; a benchmark wants the real
        thing); CalledProcessError (with its log) if it cannot."""
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        durable = "on" if fsync else "off"
        options = (
            f"-k {self.folder} -c listen_addresses='' -c max_connections=300 -c fsync={durable}"
        )
        log = self.folder / "server.log"
        try:
            self._run("pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "start")
        except subprocess.CalledProcessError as error:
            error.add_note(log.read_text() if log.exists() else "")
            raise

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.folder}"

    def create_database(self, template: str = "template1") -> str:
        """A new database, a copy of ``template``; its name."""
        name = f"test_{next(self._names)}"
        with psycopg.connect(
            dbname="postgres", user="postgres", host=str(self.folder), autocommit=True
        ) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def _run(self, program: str, *args: object) -> None:
        command = [*self._as_owner, str(self.bin / program), *map(str, args)]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.folder)
        except subprocess.CalledProcessError as error:
            error.add_note(error.stdout + error.stderr)
            raise
