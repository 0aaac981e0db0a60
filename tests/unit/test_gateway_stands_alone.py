"""The gateway stands on shared/ alone (issue #13): neither it nor shared/ imports a
module of a service, so the gateway is built, deployed and scaled without the
services' code. Read from the source, so an import inside a function counts too."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def service_imports(source: str) -> list[str]:
    """The modules of `services` that the source imports, however it imports them."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return [name for name in found if name.split(".")[0] == "services"]


def test_every_way_of_importing_a_service_is_found():
    source = (
        "import services.surveys.codes\n"
        "from services.notifications import board\n"
        "def later():\n"
        "    from services import surveys\n"
        "from shared.errors import InvalidInput\n"
    )
    assert service_imports(source) == [
        "services.surveys.codes",
        "services.notifications",
        "services",
    ]


def test_no_module_of_the_gateway_or_shared_imports_a_service():
    modules = [*(ROOT / "gateway").rglob("*.py"), *(ROOT / "shared").rglob("*.py")]
    assert len(modules) > 20
    found = {
        str(path.relative_to(ROOT)): imported
        for path in modules
        if (imported := service_imports(path.read_text(encoding="utf-8")))
    }
    assert found == {}
