"""Settings of the production server (gunicorn): ``gunicorn -c python:pintu.web.serving 'pintu:create_app()'``.

``make run`` and ``make bench`` (for PINTU and the bare Flask baseline alike) serve with them; the
workers, bind address and access log stay on the command line.
"""

from __future__ import annotations

import gc


def post_worker_init(worker) -> None:
    """Once a worker has loaded the app: move every object made so far (modules, the app, its
    plugins, routes and templates) out of the garbage collector's reach with :func:`gc.freeze`.

    They live as long as the process, yet each full collection walked all of them again (about
    120,000 objects): measured in process at 75-100 µs per application page request, amortised.
    Reference counting still frees them; only cycles among them are never collected, and the
    app's long-lived objects are never garbage. Done per worker, after the fork, as gunicorn
    loads the app in each worker (no ``--preload``).
    """
    gc.collect()
    gc.freeze()
    worker.log.info("froze %d objects of the loaded app out of the garbage collector's walks", gc.get_freeze_count())
