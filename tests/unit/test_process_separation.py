import subprocess
import sys


def test_the_gateway_never_imports_eventlet_or_nameko():
    """nameko-notes: eventlet must stay out of the gateway process."""
    code = (
        "import sys, gateway.app, deploy.run; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('eventlet', 'nameko')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
