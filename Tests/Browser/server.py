"""The built sessionhub binary as a real process for the browser tests: its own SQLite file, stoppable and
restartable on the same port with the same data (and the same generated JWT key, kept beside the database)."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
BINARY = REPOSITORY / ".build" / "debug" / "sessionhub"
LISTENING = re.compile(r'"port":"(\d+)"')


class HubServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = 0
        self.process = None
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        """Starts the server (on the port of the previous run, if any) and returns once it listens."""
        self.starts += 1
        log_path = self.workdir / f"server-{self.starts}.log"
        env = dict(
            os.environ,
            PORT=str(self.port),
            HOST="127.0.0.1",
            DATABASE_URL=f"sqlite:///{self.workdir}/hub.sqlite",
            BCRYPT_COST="4",
            LOG_LEVEL="notice",
        )
        with open(log_path, "w") as log:
            self.process = subprocess.Popen([str(BINARY)], cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = LISTENING.search(log_path.read_text())
            if match:
                self.port = int(match.group(1))
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"sessionhub exited with {self.process.returncode}:\n{log_path.read_text()}")
            # The log is the only signal that the server listens; poll it briefly.
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sessionhub did not start within {timeout}s:\n{log_path.read_text()}")

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; the port and the data stay for the next start."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
