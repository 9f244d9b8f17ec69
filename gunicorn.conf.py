"""gunicorn's settings for serving the team: ``.venv/bin/gunicorn -c gunicorn.conf.py``, run from
this folder. Reads ``.env`` as ``flask`` does; README's *Running it for the team* explains them."""

import os

from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv

if get_load_dotenv():
    load_dotenv()  # .env, as `flask` reads it: never over what the environment already says

wsgi_app = "app:create_app()"
bind = os.environ.get("RETENCAO_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("RETENCAO_WORKERS") or 3)
worker_class = "gthread"  # a request waiting for Google holds a thread, not a whole process
threads = int(os.environ.get("RETENCAO_THREADS") or 4)
accesslog = "-"
proc_name = "retencao"
control_socket_disable = True  # one fixed path per user: two servers (or tests) would collide


def when_ready(server) -> None:
    """Warn when failed sign-ins are counted in each worker process instead of in one store."""
    store = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    if workers > 1 and store.startswith("memory://"):
        server.log.warning(
            "RATELIMIT_STORAGE_URI=memory:// conta as tentativas de entrada em cada um dos %d"
            " processos: use um armazenamento compartilhado, como redis://localhost:6379"
            " (README, “Running it for the team”).",
            workers,
        )
