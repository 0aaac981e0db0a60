"""The message catalogs (Babel): `python -m deploy.i18n COMMAND`.

  extract            every message in the code and templates -> shared/locale/messages.pot
  update             the English catalog follows the template (new entries empty)
  compile            .po -> .mo, what the services and gateway load (run at install)
  fill FILE.json...  set English translations from {"Vietnamese message": "English"} files
                     (a plural: a list [one, other]; a message with a context: "context|message")
  sync FILE.json...  extract, update and fill in one step, one at a time (a lock)
  missing [PATH...]  the messages (of these files only, if named) with no English yet
  lint [PATH...]     Vietnamese text outside a translation call (templates and Python)
  check JSON PATH... the messages of these files that JSON does not translate yet

A translator edits shared/locale/en/LC_MESSAGES/messages.po with any PO editor.
"""

import ast
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "shared" / "locale"
TEMPLATE = LOCALE_DIR / "messages.pot"
ENGLISH = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
# pybabel, with its exit status (`python -m babel.messages.frontend` drops it: a
# catalog that fails to compile would exit 0).
PYBABEL = [
    sys.executable,
    "-c",
    "import sys; from babel.messages.frontend import main; sys.exit(main())",
    "--quiet",
]


def extract(output: Path = TEMPLATE) -> None:
    subprocess.run(
        [
            *PYBABEL,
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--sort-by-file",
            "-k",
            "pgettext:1c,2",
            "--project",
            "DânBàn",
            "--no-wrap",
            "-o",
            str(output),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )


def update() -> None:
    if not ENGLISH.exists():
        subprocess.run(
            [*PYBABEL, "init", "-i", str(TEMPLATE), "-d", str(LOCALE_DIR), "-l", "en", "--no-wrap"],
            check=True,
        )
        return
    subprocess.run(
        [
            *PYBABEL,
            "update",
            "-i",
            str(TEMPLATE),
            "-d",
            str(LOCALE_DIR),
            "-l",
            "en",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
            "--no-wrap",
        ],
        check=True,
    )


def compile_catalogs() -> None:
    subprocess.run([*PYBABEL, "compile", "-d", str(LOCALE_DIR)], check=True)


def _read(path: Path):
    with path.open("rb") as source:
        return read_po(source, locale="en")


def _write(path: Path, catalog) -> None:
    with path.open("wb") as target:
        write_po(target, catalog, width=0, sort_by_file=True)


def fill(files: list[str]) -> None:
    translations: dict[str, str] = {}
    for name in files:
        translations.update(json.loads(Path(name).read_text(encoding="utf-8")))
    catalog = _read(ENGLISH)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if message.context:  # a message given a context (pgettext): "context|message"
            key = f"{message.context}|{key}"
        given = translations.get(key)
        if not given:
            continue
        if isinstance(message.id, tuple):  # a plural: [singular, plural]
            given = tuple(given) if isinstance(given, list) else (given, given)
        message.string = given
        message.flags.discard("fuzzy")
        filled += 1
    _write(ENGLISH, catalog)
    print(f"filled {filled} of {len(translations)} given translations")


def missing(paths: list[str]) -> list[str]:
    catalog = _read(ENGLISH)
    wanted = [str(Path(p).resolve().relative_to(ROOT)) for p in paths]
    found = []
    for message in catalog:
        if not message.id or message.string:
            continue
        if wanted and not any(loc[0] in wanted for loc in message.locations):
            continue
        found.append(message.id if isinstance(message.id, str) else message.id[0])
    return found


# Letters only Vietnamese uses (with its tones): text with one is Vietnamese.
VIETNAMESE_LETTER = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠÈÉẺẼẸÌÍỈĨỊÒÓỎÕỌÙÚỦŨỤỲÝỶỸỴ]"
)
TRANSLATION_CALLS = {"_", "N_", "ngettext", "gettext", "pgettext"}
# On a line (or at the top of a file, with -file): Vietnamese that is data, not a message.
EXEMPT, EXEMPT_FILE = "# i18n-exempt:", "# i18n-exempt-file:"
PRODUCT_NAME = "DânBàn"  # a name, the same in every language


def _vietnamese(text: str) -> bool:
    return bool(VIETNAMESE_LETTER.search(text.replace(PRODUCT_NAME, "")))


def lint_template(path: Path) -> list[str]:
    """Lines of a Jinja template with Vietnamese outside {{ _() }} and {% trans %}."""
    from gateway.templating import templates

    found, in_trans, previous = [], False, []
    for line, kind, value in templates.env.lex(path.read_text(encoding="utf-8")):
        if kind in ("whitespace",):
            continue
        if kind == "name" and value in ("trans", "pluralize") and previous[-1:] == ["block_begin"]:
            in_trans = True
        elif kind == "name" and value == "endtrans":
            in_trans = False
        elif kind == "data" and not in_trans and _vietnamese(value):
            found.append(f"{path}:{line}: {value.strip()[:70]}")
        elif (
            kind == "string"
            and _vietnamese(value)
            and not in_trans
            and not (
                previous[-2:] in (["_", "("], ["gettext", "("], ["ngettext", "("])
                or previous[-4:-2] in (["ngettext", "("], ["pgettext", "("])
            )
        ):
            found.append(f"{path}:{line}: {value[:70]}")
        previous.append(value if kind in ("name", "operator") else kind)
    return found


def lint_python(path: Path) -> list[str]:
    """String literals of a module with Vietnamese outside _(), N_() or ngettext(),
    but for docstrings and lines marked as data (`# i18n-exempt: why`)."""
    source = path.read_text(encoding="utf-8")
    if EXEMPT_FILE in source:
        return []
    lines = source.splitlines()
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                allowed.add(id(body[0].value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in TRANSLATION_CALLS
        ):
            for argument in node.args:
                for inner in ast.walk(argument):
                    allowed.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in allowed or not _vietnamese(node.value):
            continue
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if any(EXEMPT in line for line in span):
            continue
        found.append(f"{path}:{node.lineno}: {node.value.strip()[:70]}")
    return found


def lint(paths: list[str]) -> list[str]:
    if not paths:
        paths = [
            str(p)
            for d in ("gateway", "services", "shared")
            for p in (ROOT / d).rglob("*")
            if p.suffix in (".py", ".html")
        ]
    found = []
    for name in paths:
        path = Path(name)
        found += lint_template(path) if path.suffix == ".html" else lint_python(path)
    return found


def check(translations_file: str, paths: list[str]) -> list[str]:
    """Messages extracted from `paths` that the JSON file does not translate."""
    given = json.loads(Path(translations_file).read_text(encoding="utf-8"))
    paths = [str(Path(p).resolve().relative_to(ROOT)) for p in paths]  # babel.cfg's patterns
    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / "part.pot"
        subprocess.run(
            [
                *PYBABEL,
                "extract",
                "-F",
                str(ROOT / "babel.cfg"),
                "-k",
                "N_",
                "-k",
                "pgettext:1c,2",
                "--no-wrap",
                "-o",
                str(pot),
                *paths,
            ],
            cwd=ROOT,
            check=True,
        )
        with pot.open("rb") as source:
            template = read_po(source)
    found = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        key = f"{message.context}|{key}" if message.context else key
        if not given.get(key):
            found.append(key)
    return found


def sync(files: list[str]) -> None:
    import fcntl

    with (LOCALE_DIR / ".sync.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        extract()
        update()
        fill(files)


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_catalogs()
    elif command == "fill":
        fill(rest)
    elif command == "sync":
        sync(rest)
    elif command == "lint":
        found = lint(rest)
        if found:
            print("\n".join(found))
        return 1 if found else 0
    elif command == "check":
        for message in check(rest[0], rest[1:]):
            print(json.dumps(message, ensure_ascii=False))
    elif command == "missing":
        for message in missing(rest):
            print(json.dumps(message, ensure_ascii=False))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
