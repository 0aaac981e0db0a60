"""Run one service: `python -m services directory`.

Patches the standard library for eventlet before anything else is imported
(nameko-notes: patch before ssl is imported), then runs the service until
SIGTERM or SIGINT, letting running workers finish.
"""

import warnings

# eventlet >= 0.40.4 announces its own deprecation at import; nameko 2.x needs it.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from services.probes import serve_probes  # noqa: E402
from shared.config import SERVICE_NAMES, load_settings  # noqa: E402

SERVICE_CLASSES = {
    "directory": "services.directory.service:DirectoryService",
    "surveys": "services.surveys.service:SurveysService",
    "notifications": "services.notifications.service:NotificationsService",
    "feedback": "services.feedback.service:FeedbackService",
    "training": "services.training.service:TrainingService",
    "recognition": "services.recognition.service:RecognitionService",
    "webhooks": "services.webhooks.service:WebhooksService",
}
assert set(SERVICE_CLASSES) == set(SERVICE_NAMES)


def load_service_class(name: str) -> type:
    module_name, class_name = SERVICE_CLASSES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in SERVICE_CLASSES:
        print(f"usage: python -m services {{{','.join(SERVICE_CLASSES)}}}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {argv[0]} %(levelname)s %(message)s"
    )
    settings = load_settings()
    runner = ServiceRunner(settings.nameko_config())
    runner.add_service(load_service_class(argv[0]))

    def stop(signum: int, frame: object) -> None:
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if settings.service_health_port:
        serve_probes(settings.service_health_port, runner.containers)
    runner.start()
    logging.getLogger(__name__).info("%s service started", argv[0])
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
